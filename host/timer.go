package host

import (
	"sync"
	"time"

	"github.com/creo-dev/creo/etf"
)

// timers are the node's active send_after timers, by reference, so that
// any process holding a reference can cancel its timer, as in Erlang.
type timers struct {
	mu     sync.Mutex
	active map[etf.Ref]*timer
}

type timer struct {
	t        *time.Timer
	deadline time.Time
}

// start runs fire after delay unless timer ref is cancelled first. The
// lock held while the timer starts keeps fire from looking ref up before
// it is in the table.
func (ts *timers) start(ref etf.Ref, delay time.Duration, fire func()) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.active == nil {
		ts.active = make(map[etf.Ref]*timer)
	}
	ts.active[ref] = &timer{
		t: time.AfterFunc(delay, func() {
			if ts.take(ref) != nil {
				fire()
			}
		}),
		deadline: time.Now().Add(delay),
	}
}

// take removes the timer ref and returns it, or nil when it is not active.
func (ts *timers) take(ref etf.Ref) *timer {
	ts.mu.Lock()
	t := ts.active[ref]
	delete(ts.active, ref)
	ts.mu.Unlock()
	return t
}

// SendAfter sends msg to dest after delay, as erlang:send_after/3 and
// Process.send_after/3 do, and returns the timer's reference. dest is a
// pid, or a registered name looked up when the timer fires; anything else
// fails with badarg.
func (p *Process) SendAfter(dest, msg etf.Term, delay time.Duration) (etf.Ref, error) {
	return p.node.sendAfter(p.pid, dest, msg, delay)
}

// SendAfter sends msg to dest after delay, from no process, as
// [Process.SendAfter] does.
func (n *Node) SendAfter(dest, msg etf.Term, delay time.Duration) (etf.Ref, error) {
	return n.sendAfter(etf.Pid{}, dest, msg, delay)
}

func (n *Node) sendAfter(from etf.Pid, dest, msg etf.Term, delay time.Duration) (etf.Ref, error) {
	switch dest.(type) {
	case etf.Pid, etf.Atom:
	default:
		return etf.Ref{}, ErrBadarg
	}
	ref := n.makeRef(nil)
	n.timers.start(ref, delay, func() { _ = n.send(from, dest, msg) })
	return ref, nil
}

// CancelTimer cancels the timer ref, as erlang:cancel_timer/1 does, and
// returns the time that was left; ok is false when the timer had fired or
// was cancelled already.
func (p *Process) CancelTimer(ref etf.Ref) (left time.Duration, ok bool) {
	return p.node.CancelTimer(ref)
}

// CancelTimer cancels the timer ref, as [Process.CancelTimer] does.
func (n *Node) CancelTimer(ref etf.Ref) (left time.Duration, ok bool) {
	t := n.timers.take(ref)
	if t == nil {
		return 0, false
	}
	t.t.Stop()
	return max(0, time.Until(t.deadline)), true
}
