package syncbuf

import (
	"strings"
	"sync"
	"testing"
)

// TestBufferConcurrent writes from many goroutines while reading: every
// write lands whole (run it with -race).
func TestBufferConcurrent(t *testing.T) {
	var b Buffer
	const writers, lines = 8, 100
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() {
			for range lines {
				b.Write([]byte("line\n"))
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if got, want := b.String(), strings.Repeat("line\n", writers*lines); got != want {
		t.Errorf("%d bytes written, want %d lines of %q", len(got), writers*lines, "line\n")
	}
	if b.Len() != writers*lines*len("line\n") {
		t.Errorf("Len() = %d", b.Len())
	}
	b.Reset()
	if b.String() != "" || b.Len() != 0 {
		t.Errorf("after Reset: %q", b.String())
	}
}
