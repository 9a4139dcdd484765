package bufpool

import "testing"

// TestPoison checks that a poisoning build writes over what Put is given,
// pooled or not, so that the other packages' tests run with -tags
// bufpoison see a read after a release.
func TestPoison(t *testing.T) {
	if !Poisoned {
		t.Skip("built without the tag bufpoison")
	}
	tests := []struct {
		name string
		size int
	}{
		{name: "pooled", size: MinSize},
		{name: "smaller than a class", size: 100},
		{name: "larger than every class", size: 16<<20 + slack + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := make([]byte, tt.size)
			for i := range b {
				b[i] = 1
			}
			Put(b)
			for i, c := range b {
				if c != PoisonByte {
					t.Fatalf("byte %d of a released buffer is %#x, want %#x", i, c, PoisonByte)
				}
			}
		})
	}
}
