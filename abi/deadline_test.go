package abi

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestDeadline drives a deadline as callbacks do: back-to-back callbacks
// within the limit for longer than the limit in all, a callback paused
// past the limit in a host call, and one that runs over. Only the last
// must be interrupted. No callback may be interrupted before it has run
// for the limit; one that a stalled machine held past it may be, and is
// counted.
func TestDeadline(t *testing.T) {
	const limit = 200 * time.Millisecond
	var interrupts atomic.Int32
	fired := make(chan struct{}, 1)
	d := newDeadline(limit, func() {
		interrupts.Add(1)
		fired <- struct{}{}
	})
	defer d.close()
	overran := int32(0) // callbacks the machine held past the limit
	// ended checks the end of a callback that ran for at most ran.
	ended := func(what string, ran time.Duration) {
		t.Helper()
		if !d.stop() {
			return
		}
		if ran < limit {
			t.Fatalf("%s was interrupted after %v, within its limit of %v", what, ran, limit)
		}
		overran++
		<-fired
	}

	end := time.Now().Add(3 * limit)
	for n := 0; time.Now().Before(end); n++ {
		began := time.Now()
		d.start()
		time.Sleep(time.Millisecond)
		ended("a callback of 1 ms", time.Since(began))
	}

	began := time.Now()
	d.start()
	left := d.pause()
	paused := time.Now()
	if left > limit || left <= 0 && paused.Sub(began) < limit {
		t.Fatalf("pause left %v of %v", left, limit)
	}
	time.Sleep(2 * limit)
	resumed := time.Now()
	d.resume(left)
	ended("a callback paused past its limit", paused.Sub(began)+time.Since(resumed))

	d.start()
	select {
	case <-fired:
	case <-time.After(30 * time.Second):
		t.Fatal("a callback that ran over was not interrupted")
	}
	if !d.stop() {
		t.Error("stop did not report the deadline")
	}
	if n := interrupts.Load(); n != 1+overran {
		t.Errorf("%d interrupts, want 1 and the %d of callbacks held past the limit", n, overran)
	}
}
