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

// deadline bounds the callbacks of one instance. It is armed per callback,
// paused while the guest waits in a host call, and, when it fires,
// interrupts the guest: it sets the module's interrupt global, which the
// checks at loop heads and function entries turn into a trap (see abi/internal/interrupt),
// or, for a module that could not be instrumented, cancels the instance's
// context, which makes wazero close it (WithCloseOnContextDone).
//
// Why a per-instance timer rather than context.WithTimeout per call: it
// allocates nothing per callback, and it can leave out the time spent
// waiting in call, which has its own timeout.
//
// at is the deadline in nanotime, 0 while no callback runs, or expiredMark.
// The timer is not stopped and reset with every callback, which cost a
// tenth of a small callback: it stays armed while callbacks come, and when
// it fires it reads at, interrupts a callback past its deadline, arms
// itself again for a deadline still to come, and goes idle (armed false)
// when no callback runs. A start that finds it idle arms it. The timer and
// the callbacks race only through atomics: compare-and-swap on at, so a
// firing meant for an earlier callback never interrupts a later one, and on
// armed, so that exactly one of a start and a firing that goes idle re-arms
// it.
type deadline struct {
	limit     time.Duration // 0: none (a trusted module)
	at        atomic.Int64
	armed     atomic.Bool
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
	d.arm(d.limit)
}

// arm sets the timer going unless it is already.
func (d *deadline) arm(after time.Duration) {
	if d.armed.CompareAndSwap(false, true) {
		d.timer.Reset(after)
	}
}

// stop disarms it and reports whether it fired.
func (d *deadline) stop() (expired bool) {
	if d.timer == nil {
		return false
	}
	return d.at.Swap(0) == expiredMark
}

// pause stops the clock while the guest waits in a host call and returns
// the time left, or 0 if the deadline already fired.
func (d *deadline) pause() time.Duration {
	if d.timer == nil {
		return 0
	}
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
		d.arm(left)
	}
}

func (d *deadline) fire() {
	for {
		at := d.at.Load()
		if at <= 0 {
			// No callback runs (or one just expired): go idle, unless a
			// start came meanwhile and found the timer still armed.
			d.armed.Store(false)
			if d.at.Load() <= 0 || !d.armed.CompareAndSwap(false, true) {
				return
			}
			continue
		}
		if left := at - nanotime(); left > 0 {
			d.timer.Reset(time.Duration(left)) // a later callback's deadline
			return
		}
		if d.at.CompareAndSwap(at, expiredMark) {
			d.armed.Store(false)
			d.interrupt()
			return
		}
	}
}

// close releases the timer for good.
func (d *deadline) close() {
	if d.timer != nil {
		d.timer.Stop()
	}
}
