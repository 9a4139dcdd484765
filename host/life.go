package host

import (
	"context"

	"github.com/creo-dev/creo/etf"
)

// life is the context of a process's life, made when a callback first
// asks for it.
type life struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
}

// Context returns a context that ends when the process is to die: when an
// exit signal that it does not trap is pending, or when it has exited; its
// cause ([context.Cause]) is the [ExitError] with the reason. A callback
// passes it to the [Node] methods it calls, such as Call, StartChild or
// TerminateChild: they wait in a temporary process of their own, which an
// exit signal to this process does not reach. Without it, a callback
// that asks its own supervisor to stop it would wait for the supervisor,
// and the supervisor for the callback, forever; with it, the callback
// returns and the process dies of the signal, as on the BEAM.
// Callback-only.
func (p *Process) Context() context.Context {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.life == nil {
		ctx, cancel := context.WithCancelCause(context.Background())
		p.life = &life{ctx: ctx, cancel: cancel}
		if p.pending != nil {
			p.endLife(p.pending)
		}
	}
	return p.life.ctx
}

// endLife ends the process's Context, if it has one, with reason; p.mu is
// held. Only the first reason counts.
func (p *Process) endLife(reason etf.Term) {
	if p.life != nil {
		p.life.cancel(&ExitError{Reason: reason})
	}
}
