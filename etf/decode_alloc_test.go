package etf

import (
	"strings"
	"testing"
)

// TestDecodeAllocs locks in what decoding allocates: a term of at most
// maxUnmeasured bytes each of its containers, binaries and boxes, and a
// larger one its boxes and the slabs its containers and small binaries are
// cut from.
func TestDecodeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes what decoding allocates")
	}
	tests := []struct {
		name     string
		term     Term
		measured bool
		allocs   float64
	}{
		// The slots, the binary's bytes, and the boxes of the tuple, the
		// binary and 5000.
		{"small", benchTerm(t, "small"), false, 5},
		// The slabs of slots and bytes, and the boxes of the 3 tuples, the
		// list, the pid, the reference, the binary and 5000.
		{"gen_server call", benchTerm(t, "call"), true, 10},
		// Each tuple's slots and box.
		{"tuple in a tuple", Tuple{Atom("ok"), Tuple{Atom("a"), Atom("b")}}, false, 4},
		// One slab of slots, and the boxes of the two tuples.
		{"measured tuple in a tuple", Tuple{Atom("ok"), Tuple{Atom("a"), Atom(strings.Repeat("x", maxUnmeasured))}}, true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Encode(tt.term)
			if err != nil {
				t.Fatal(err)
			}
			if measured := len(data)-1 > maxUnmeasured; measured != tt.measured {
				t.Fatalf("a term of %d bytes is measured: %v, want %v", len(data)-1, measured, tt.measured)
			}
			allocs := testing.AllocsPerRun(100, func() {
				if _, err := Decode(data); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != tt.allocs {
				t.Errorf("Decode allocates %v times, want %v", allocs, tt.allocs)
			}
		})
	}
}
