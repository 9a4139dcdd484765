package bufpool

import (
	"testing"
)

func TestGet(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		wantCap int
	}{
		{name: "small", n: 10, wantCap: MinSize + slack},
		{name: "smallest class", n: MinSize + slack, wantCap: MinSize + slack},
		{name: "just over", n: MinSize + slack + 1, wantCap: 2*MinSize + slack},
		{name: "two fragments and room", n: 128<<10 + 256, wantCap: 128<<10 + slack},
		{name: "a fragment and a read chunk", n: 1<<20 + 64<<10 + 256, wantCap: 1<<20 + 64<<10 + slack},
		{name: "past 1 MiB", n: 1<<20 + 64<<10 + slack + 1, wantCap: 3<<19 + slack},
		{name: "largest class", n: 16<<20 + slack, wantCap: 16<<20 + slack},
		{name: "over the largest", n: 16<<20 + slack + 1, wantCap: 16<<20 + slack + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Get(tt.n)
			if len(b) != 0 || cap(b) != tt.wantCap {
				t.Errorf("Get(%d): len %d, cap %d; want 0, %d", tt.n, len(b), cap(b), tt.wantCap)
			}
		})
	}
}

// TestPutGet checks that a buffer given back is what a Get of its class
// returns, and that buffers outside the classes are not kept.
func TestPutGet(t *testing.T) {
	tests := []struct {
		name string
		cap  int
		get  int
		kept bool
	}{
		{name: "class size", cap: 256<<10 + slack, get: 200 << 10, kept: true},
		{name: "between classes, kept as the smaller", cap: 300 << 10, get: 256<<10 + slack, kept: true},
		{name: "too small", cap: MinSize, get: MinSize, kept: false},
		{name: "too large", cap: 16<<20 + slack + 1, get: 16 << 20, kept: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := make([]byte, 10, tt.cap)
			// sync.Pool may drop what it is given (at a GC, or at random
			// under the race detector), so try a few times.
			hit := false
			for range 20 {
				Put(b)
				got := Get(tt.get)
				if len(got) != 0 || cap(got) < tt.get {
					t.Fatalf("Get(%d): len %d, cap %d", tt.get, len(got), cap(got))
				}
				if hit = &got[:1][0] == &b[0]; hit {
					break
				}
			}
			if hit != tt.kept {
				t.Errorf("a buffer of capacity %d kept: %v, want %v", tt.cap, hit, tt.kept)
			}
		})
	}
}
