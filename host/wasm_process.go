package host

import (
	"context"
	"log/slog"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
)

// wasmProcess is a [Process] as a guest's host functions reach it: the
// abi.Process of its callbacks. It is the Process itself under another
// method set, so handing it to a callback allocates nothing.
type wasmProcess Process

var _ abi.Process = (*wasmProcess)(nil)

func (w *wasmProcess) proc() *Process { return (*Process)(w) }

func (w *wasmProcess) Self() etf.Pid { return w.pid }

func (w *wasmProcess) Send(dest, msg etf.Term) error { return w.proc().Send(dest, msg) }

func (w *wasmProcess) Call(ctx context.Context, dest, req etf.Term, timeout time.Duration) (etf.Term, error) {
	return w.proc().Call(ctx, dest, req, timeout)
}

// Reply answers the call whose From the guest got in handle_call; a term
// that is not a From fails with badarg, as gen_server:reply/2 would.
func (w *wasmProcess) Reply(from, reply etf.Term) error {
	f, ok := FromTerm(from)
	if !ok {
		return ErrBadarg
	}
	w.proc().Reply(f, reply)
	return nil
}

func (w *wasmProcess) SendAfter(dest, msg etf.Term, delay time.Duration) (etf.Ref, error) {
	return w.proc().SendAfter(dest, msg, delay)
}

func (w *wasmProcess) CancelTimer(ref etf.Ref) (time.Duration, bool) {
	return w.proc().CancelTimer(ref)
}

func (w *wasmProcess) Logger() *slog.Logger { return w.proc().Logger() }
