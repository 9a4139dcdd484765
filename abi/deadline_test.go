package abi

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestDeadline drives a deadline as callbacks do: back-to-back callbacks
// within the limit for longer than the limit in all, a callback paused
// past the limit in a host call, and one that runs over. Only the last may
// be interrupted; the margins are wide, for a loaded machine.
func TestDeadline(t *testing.T) {
	const limit = 200 * time.Millisecond
	var interrupts atomic.Int32
	fired := make(chan struct{}, 1)
	d := newDeadline(limit, func() {
		interrupts.Add(1)
		fired <- struct{}{}
	})
	defer d.close()

	end := time.Now().Add(3 * limit)
	for n := 0; time.Now().Before(end); n++ {
		d.start()
		time.Sleep(time.Millisecond)
		if d.stop() {
			t.Fatalf("callback %d of 1 ms was interrupted", n)
		}
	}

	d.start()
	left := d.pause()
	if left <= 0 || left > limit {
		t.Fatalf("pause left %v of %v", left, limit)
	}
	time.Sleep(2 * limit)
	d.resume(left)
	if d.stop() {
		t.Fatal("a callback paused past its limit was interrupted")
	}

	d.start()
	select {
	case <-fired:
	case <-time.After(30 * time.Second):
		t.Fatal("a callback that ran over was not interrupted")
	}
	if !d.stop() {
		t.Error("stop did not report the deadline")
	}
	if n := interrupts.Load(); n != 1 {
		t.Errorf("%d interrupts, want 1", n)
	}
}
