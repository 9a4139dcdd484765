package etf

import (
	"fmt"
	"testing"
)

// TestCheckDistinctKeys checks maps past the pairwise check's size, with
// keys the hashes cover and keys they leave to the sort.
func TestCheckDistinctKeys(t *testing.T) {
	many := func(key func(i int) Term, extra ...Term) Map {
		m := Map{}
		for i := range 40 {
			m = append(m, Pair{Key: key(i), Value: Int(i)})
		}
		for _, k := range extra {
			m = append(m, Pair{Key: k, Value: Atom("extra")})
		}
		return m
	}
	atom := func(i int) Term { return Atom(fmt.Sprintf("k%d", i)) }
	binary := func(i int) Term { return Binary(fmt.Sprintf("k%d", i)) }
	integer := func(i int) Term { return Int(1000 - i) }
	tests := []struct {
		name string
		m    Map
		dup  bool
	}{
		{"atoms", many(atom), false},
		{"binaries", many(binary), false},
		{"integers", many(integer), false},
		{"duplicate atom", many(atom, Atom("k7")), true},
		{"duplicate binary", many(binary, Binary("k39")), true},
		{"duplicate integer", many(integer, Int(1000)), true},
		{"an atom and a binary of the same name", many(atom, Binary("k3")), false},
		{"an integer and an equal float", many(integer, Float(1000)), false},
		{"duplicate tuple, beside atoms", many(atom, Tuple{Int(1)}, Tuple{Int(1)}), true},
		{"distinct tuples, beside atoms", many(atom, Tuple{Int(1)}, Tuple{Int(2)}), false},
	}
	// A decoder keeps its keyChecker from one map to the next: check each
	// map with a new one, then all with one kept through the cases, forward
	// and backward, so that a smaller map follows a larger one.
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var kc keyChecker
			if err := kc.checkDistinct(tt.m); (err != nil) != tt.dup {
				t.Errorf("checkDistinct = %v, want a duplicate: %v", err, tt.dup)
			}
		})
	}
	var kept keyChecker
	for i := range 2 * len(tests) {
		j := i
		if i >= len(tests) {
			j = 2*len(tests) - 1 - i
		}
		tt := tests[j]
		if err := kept.checkDistinct(tt.m); (err != nil) != tt.dup {
			t.Errorf("%s, with a kept keyChecker: checkDistinct = %v, want a duplicate: %v", tt.name, err, tt.dup)
		}
	}
}
