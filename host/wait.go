package host

import (
	"context"
	"slices"
	"time"

	"github.com/creo-dev/creo/etf"
)

// waiter is the selective receive of a process: the goroutine that owns
// the process blocks until something arrives for one of refs (a reply to
// an alias, a DOWN of a monitor) while other messages queue in the
// mailbox. A gen_server call waits for its reply this way, and a
// supervisor for the children it shuts down.
type waiter struct {
	refs    []etf.Ref
	arrived []arrival
	wake    chan struct{}
}

// arrival is what came for an awaited reference.
type arrival struct {
	ref etf.Ref
	// msg is the message sent to the alias, or the reply itself when
	// direct (a reply made on this node).
	msg    any
	direct bool
	down   bool // a DOWN: the monitored process ended with reason
	reason etf.Term
}

func (w *waiter) awaits(ref etf.Ref) bool {
	return slices.Contains(w.refs, ref)
}

// arrive records a and wakes the waiting goroutine.
func (w *waiter) arrive(a arrival) {
	w.arrived = append(w.arrived, a)
	w.signal()
}

func (w *waiter) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// claimReply takes a message sent to the process's pid that answers an
// awaited call, {[alias | Ref], Reply}: OTP servers such as net_kernel
// reply to the caller's pid rather than to its alias, and gen:call's
// receive accepts either.
func (w *waiter) claimReply(x any) bool {
	ref, ok := replyRef(x)
	if !ok || !w.awaits(ref) {
		return false
	}
	w.arrive(arrival{ref: ref, msg: x})
	return true
}

// replyRef returns Ref when x is a reply message {[alias | Ref], Reply}.
func replyRef(x any) (etf.Ref, bool) {
	switch t := x.(type) {
	case etf.Tuple:
		if len(t) == 2 {
			return aliasTagRef(t[0])
		}
	case etf.Raw:
		if head, arity, _, ok := rawHead(t); ok && arity == 2 {
			return aliasTagRef(head)
		}
	}
	return etf.Ref{}, false
}

// startWait makes the process await refs. Callback-only; the waiter is
// reused from one wait to the next.
func (p *Process) startWait(refs ...etf.Ref) {
	w := p.waiter
	if w == nil {
		w = &waiter{wake: make(chan struct{}, 1)}
		p.waiter = w
	}
	p.mu.Lock()
	w.refs = append(w.refs[:0], refs...)
	p.wait = w
	p.mu.Unlock()
}

// stopWait ends the wait; what arrives for its references from now on is
// dropped, or queued if it came to an active alias.
func (p *Process) stopWait() {
	p.mu.Lock()
	w := p.wait
	p.wait = nil
	w.refs = w.refs[:0]
	clear(w.arrived)
	w.arrived = w.arrived[:0]
	p.mu.Unlock()
	select {
	case <-w.wake:
	default:
	}
}

// await returns the next arrival. It fails with the exit reason when an
// exit signal is pending, with timeout when expired fires, and with ctx's
// error when ctx ends.
func (p *Process) await(ctx context.Context, expired <-chan time.Time) (arrival, error) {
	w := p.wait
	for {
		p.mu.Lock()
		if len(w.arrived) > 0 {
			a := w.arrived[0]
			w.arrived = slices.Delete(w.arrived, 0, 1)
			p.mu.Unlock()
			return a, nil
		}
		pending := p.pending
		p.mu.Unlock()
		if pending != nil {
			return arrival{}, &ExitError{Reason: pending}
		}
		p.releaseReader()
		select {
		case <-w.wake:
		case <-expired:
			return arrival{}, ErrTimeout
		case <-ctx.Done():
			return arrival{}, ctx.Err()
		}
	}
}
