package bufpool

import (
	"testing"
)

func TestClasses(t *testing.T) {
	for c := range numClasses {
		size := classSize(c)
		if got := classFor(size); got != c {
			t.Errorf("classFor(%d) = %d, want %d", size, got, c)
		}
		if got := classOf(size); got != c {
			t.Errorf("classOf(%d) = %d, want %d", size, got, c)
		}
		if c > 0 {
			if got := classFor(classSize(c-1) + 1); got != c {
				t.Errorf("classFor(%d) = %d, want %d", classSize(c-1)+1, got, c)
			}
		}
		if c+1 < numClasses {
			if got := classOf(classSize(c+1) - 1); got != c {
				t.Errorf("classOf(%d) = %d, want %d", classSize(c+1)-1, got, c)
			}
		}
	}
	if got := classSize(numClasses - 1); got != maxSize {
		t.Errorf("the largest class is %d bytes, want %d", got, maxSize)
	}
}

func TestGet(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		wantCap int
	}{
		{name: "small", n: 10, wantCap: MinSize},
		{name: "smallest class", n: MinSize, wantCap: MinSize},
		{name: "just over", n: MinSize + 1, wantCap: 3 * MinSize / 2},
		{name: "two fragments and room", n: 128<<10 + 256, wantCap: 192 << 10},
		{name: "largest class", n: maxSize, wantCap: maxSize},
		{name: "over the largest", n: maxSize + 1, wantCap: maxSize + 1},
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
// returns, whole, and that buffers outside the classes are not kept.
func TestPutGet(t *testing.T) {
	tests := []struct {
		name string
		cap  int
		get  int
		kept bool
	}{
		{name: "class size", cap: 256 << 10, get: 200 << 10, kept: true},
		{name: "between classes, kept as the smaller", cap: 300 << 10, get: 256 << 10, kept: true},
		{name: "too small", cap: MinSize - 1, get: MinSize, kept: false},
		{name: "too large", cap: maxSize + 1, get: maxSize, kept: false},
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
