package abi

import (
	"bytes"
	"testing"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/bufpool"
)

// TestCopyResult checks the copy of a result out of guest memory: a small
// one is a copy of its own, a large one is in a pooled buffer that its
// Result gives back with Release, and a result the host refuses has no
// Release, since its fault refers to it.
func TestCopyResult(t *testing.T) {
	state := etf.Atom("s")
	tests := []struct {
		name    string
		result  etf.Term
		pooled  bool
		refused bool
	}{
		{name: "small reply", result: etf.Tuple{TagReply, etf.Binary(make([]byte, 1000)), state}, pooled: false},
		{name: "large reply", result: etf.Tuple{TagReply, etf.Binary(make([]byte, 100_000)), state}, pooled: true},
		{name: "large, refused", result: etf.Tuple{etf.Atom("nope"), etf.Binary(make([]byte, 100_000))}, refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			guestMem, err := etf.Encode(tt.result)
			if err != nil {
				t.Fatal(err)
			}
			res := copyResult(guestMem)
			if !bytes.Equal(res, guestMem) || &res[0] == &guestMem[0] {
				t.Fatal("the result is not a copy of guest memory")
			}
			r, err := parseCopy(HandleCall, res, nil)
			if tt.refused {
				asFault(t, err, BadReturn)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (r.Release != nil) != tt.pooled {
				t.Fatalf("Release set: %v, want %v", r.Release != nil, tt.pooled)
			}
			if !tt.pooled {
				return
			}
			// A released buffer is what a later copy of the same size is
			// put in (sync.Pool may drop it at a GC, or at random under
			// the race detector, so try a few times).
			reused := false
			for range 20 {
				r.Release()
				again := copyResult(guestMem)
				if reused = &again[0] == &res[0]; reused {
					break
				}
				res = again
				r, _ = parseCopy(HandleCall, res, nil)
			}
			if !reused {
				t.Error("no later result was copied into a released buffer")
			}
		})
	}
}

// TestReleaseOnce checks that a Result released twice gives its buffer
// back once: put twice, it would go to two users.
func TestReleaseOnce(t *testing.T) {
	guestMem, err := etf.Encode(etf.Tuple{TagReply, etf.Binary(make([]byte, 100_000)), etf.Atom("s")})
	if err != nil {
		t.Fatal(err)
	}
	r, err := parseCopy(HandleCall, copyResult(guestMem), nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Release()
	r.Release()
	a, b := bufpool.Get(len(guestMem)), bufpool.Get(len(guestMem))
	if &a[:1][0] == &b[:1][0] {
		t.Error("two buffers from the pool are one: the result's was put back twice")
	}
}
