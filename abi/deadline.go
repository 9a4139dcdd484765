package abi

import (
	"sync/atomic"
	"time"
)

// epoch makes monotonic nanosecond readings: time.Since uses the monotonic
// clock.
var epoch = time.Now()

func nanotime() int64 { return int64(time.Since(epoch)) }

// expiredMark is the value of deadline.at once the deadline has fired.
const expiredMark = -1

// deadline bounds the callbacks of one instance. It is armed per callback
// with one reused timer, paused while the guest waits in a host call, and,
// when it fires, interrupts the guest: it sets the module's interrupt
// global, which the check at every loop head turns into a trap (see
// abi/internal/interrupt), or, for a module that could not be instrumented,
// cancels the instance's context, which makes wazero close it
// (WithCloseOnContextDone).
//
// Why a per-instance timer rather than context.WithTimeout per call: it
// allocates nothing per callback, and it can leave out the time spent
// waiting in call, which has its own timeout.
//
// at is the deadline in nanotime, 0 while no callback runs, or expiredMark.
// The timer and the callback race only through compare-and-swap on at, so
// a timer that fires late, after its callback ended, never interrupts a
// later one.
type deadline struct {
	limit     time.Duration // 0: none (a trusted module)
	at        atomic.Int64
	timer     *time.Timer
	interrupt func()
}

func newDeadline(limit time.Duration, interrupt func()) *deadline {
	d := &deadline{limit: limit, interrupt: interrupt}
	if limit > 0 {
		d.timer = time.AfterFunc(time.Hour, d.fire)
		d.timer.Stop()
	}
	return d
}

// start arms the deadline for one callback.
func (d *deadline) start() {
	if d.timer == nil {
		return
	}
	d.at.Store(nanotime() + int64(d.limit))
	d.timer.Reset(d.limit)
}

// stop disarms it and reports whether it fired.
func (d *deadline) stop() (expired bool) {
	if d.timer == nil {
		return false
	}
	d.timer.Stop()
	return d.at.Swap(0) == expiredMark
}

// pause stops the clock while the guest waits in a host call and returns
// the time left, or 0 if the deadline already fired.
func (d *deadline) pause() time.Duration {
	if d.timer == nil {
		return 0
	}
	d.timer.Stop()
	at := d.at.Load()
	if at == expiredMark || !d.at.CompareAndSwap(at, 0) {
		return 0
	}
	return time.Duration(max(at-nanotime(), 1))
}

// resume restarts the clock with the time pause returned.
func (d *deadline) resume(left time.Duration) {
	if d.timer == nil || left == 0 {
		return
	}
	if d.at.CompareAndSwap(0, nanotime()+int64(left)) {
		d.timer.Reset(left)
	}
}

func (d *deadline) fire() {
	at := d.at.Load()
	if at <= 0 || nanotime() < at {
		return // no callback running, paused, or a stale firing
	}
	if d.at.CompareAndSwap(at, expiredMark) {
		d.interrupt()
	}
}

// close releases the timer for good.
func (d *deadline) close() {
	if d.timer != nil {
		d.timer.Stop()
	}
}
