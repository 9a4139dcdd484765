package etf

import (
	"bytes"
	"strings"
	"testing"
)

// TestSmallSize checks that every term smallSize sizes is sized exactly and
// written by appendSized as AppendTerm writes it, and that it sizes the
// terms it is for and no others.
func TestSmallSize(t *testing.T) {
	leaves := func(n int) Tuple { return Tuple(make256(Int(1))[:n]) }
	tests := []struct {
		name  string
		term  Term
		sized bool
	}{
		{"small", Tuple{Atom("get"), Binary("user:42"), Int(5000)}, true},
		{"gen_server call", benchTerm(t, "call"), true},
		{"nested", Tuple{List{Map{{Atom("k"), Tuple{Binary("v")}}}}, Atom("z")}, true},
		{"byte list", List{Int(1), Int(2), Int(255)}, true},
		{"list", List{Atom("a"), Int(-1)}, true},
		{"long byte list", List(make256(Int(7))[:200]), true},
		{"long list", append(List(make256(Int(7))[:199]), Int(300)), false},
		{"improper list", ImproperList{Elems: []Term{Atom("a")}, Tail: Atom("b")}, true},
		{"pid", testPid, true},
		{"empty containers", Tuple{Tuple{}, List(nil), Map{}, Binary{}}, true},
		{"as many terms as the budget", leaves(maxSizedTerms - 1), true},
		{"a term past the budget", leaves(maxSizedTerms), false},
		{"largest binary", Binary(strings.Repeat("x", maxSizedBytes-5)), true},
		{"binary past the bytes", Binary(strings.Repeat("x", maxSizedBytes-4)), false},
		{"int past int32", Int(1 << 31), false},
		{"float", Float(1.5), false},
		{"unicode atom", Atom("héllo"), false},
		{"unicode node", Pid{Node: "é@h"}, false},
		{"ref of no words", Tuple{Ref{Node: "a"}}, false},
		{"improper list with a list tail", ImproperList{Elems: []Term{Int(1)}, Tail: List{Int(2)}}, false},
		{"improper list of no elements", ImproperList{Tail: Atom("a")}, false},
		{"nil in a map", Map{{Atom("a"), nil}}, false},
		{"large tuple", Tuple(make256(Int(0))), false},
		{"list_10k", benchTerm(t, "list_10k"), false},
		{"map_1k", benchTerm(t, "map_1k"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ok := smallSize(tt.term)
			if ok != tt.sized {
				t.Fatalf("smallSize sizes it: %v, want %v", ok, tt.sized)
			}
			if !ok {
				return
			}
			want, err := AppendTerm(nil, tt.term)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(want) {
				t.Errorf("smallSize = %d, AppendTerm writes %d bytes", n, len(want))
			}
			if got := appendSized([]byte("dst"), tt.term); string(got[:3]) != "dst" || !bytes.Equal(got[3:], want) {
				t.Errorf("appendSized:\n got %v\nwant dst%v", got, want)
			}
		})
	}
}

// TestEncodeSmallAllocs locks in that Encode allocates a small term's
// result once, and nothing else.
func TestEncodeSmallAllocs(t *testing.T) {
	term := benchTerm(t, "small")
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := Encode(term); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 1 {
		t.Errorf("Encode allocates %v times, want 1", allocs)
	}
}

// benchTerm returns the term of benchCorpus named name.
func benchTerm(t *testing.T, name string) Term {
	for _, c := range benchCorpus() {
		if c.name == name {
			return c.term
		}
	}
	t.Fatalf("no %s in the benchmark corpus", name)
	return nil
}
