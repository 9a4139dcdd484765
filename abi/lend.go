package abi

import (
	"context"
	goruntime "runtime"
	"sync/atomic"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/bufpool"
)

// lentReplyKey marks the context of a handle_call whose reply may be lent.
type lentReplyKey struct{}

// WithLentReply returns ctx for a HandleCall whose caller gives a large
// reply back with the Result's Release as soon as it is done with it, as a
// node does once it has written the reply to the caller's node. The reply
// of such a call, of 64 KiB or more, may then be lent where the guest
// wrote it, in its instance's memory, rather than copied out: the instance
// serves no callback until Release, and the module's next callbacks run
// on others (see the pool's lend). A lent reply that is never released
// costs its instance, thrown away once the Result is collected.
func WithLentReply(ctx context.Context) context.Context {
	return context.WithValue(ctx, lentReplyKey{}, true)
}

// lendsReply reports whether ctx comes from WithLentReply.
func lendsReply(ctx context.Context) bool {
	lends, _ := ctx.Value(lentReplyKey{}).(bool)
	return lends
}

// lendOrCopy returns the result res of handle_call, which lies in the
// memory of in, borrowed: a reply of 64 KiB or more stays there, lent with
// the instance when the pool can spare it; anything else is copied out, and
// in goes back to the pool.
func (m *module) lendOrCopy(in *instance, res []byte, args []etf.Term) (Result, error) {
	r, err := parseResult(HandleCall, res, args)
	switch {
	case err != nil:
		// A fault carries the result: parse a copy, which it may keep.
		res = copyResult(res)
		m.pool.put(in)
		return parseCopy(HandleCall, res, args)
	case r.Tag == TagReply && len(r.Reply) >= bufpool.MinSize && m.pool.lend():
		r.Release = m.pool.lease(in)
		return r, nil
	}
	r = copyParts(r)
	m.pool.put(in)
	return r, nil
}

// maxLent is the most instances of a module that hold a lent reply at
// once: each one the pool makes for the callbacks meanwhile costs its
// memory, so while a peer is slow to read, the next large replies are
// copied instead. A server that 64 Elixir callers keep busy runs the next
// calls in its mailbox before the replies of the last are written: with
// one instance lent at most, 2 of 3 of its 100 KB replies were copied,
// with two, 1 in 20.
const maxLent = 2

// lend reports whether in, borrowed, may stay out of the pool once its
// callback has returned, until a reply that lies in its memory is written:
// only when no callback waits, and the next one would find an instance
// without waiting, idle or made, so that a lent reply never holds up a
// callback, and a slow peer costs at most maxLent instances.
func (p *pool) lend() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	ok := !p.closed && p.lent < maxLent && len(p.waiters) == 0 && (len(p.idle) > 0 || p.busy < p.size)
	if ok {
		p.lent++
	}
	return ok
}

// lease is the loan of an instance's memory, where a reply lies, until the
// reply is written (see lend).
type lease struct {
	pool *pool
	in   *instance
	done atomic.Bool
	// cleanup throws the instance away if the lease is dropped without
	// Release: whoever dropped it may still hold the reply, so its memory
	// is never used again.
	cleanup goruntime.Cleanup
}

// lease returns the Release of a reply that lies in the memory of in, lent
// by lend: it puts in back into the pool, once however often it is called.
// A lease dropped without Release (its reply was never written, say, as
// its connection ended first) costs the instance, thrown away once the
// lease is collected, and frees its slot.
func (p *pool) lease(in *instance) func() {
	l := &lease{pool: p, in: in}
	l.cleanup = goruntime.AddCleanup(l, p.lost, in)
	return l.release
}

func (l *lease) release() {
	if l.done.Swap(true) {
		return
	}
	l.cleanup.Stop()
	l.pool.unlend()
	l.pool.put(l.in)
}

// lost throws away an instance whose lease was dropped.
func (p *pool) lost(in *instance) {
	p.unlend()
	p.discard(in)
}

func (p *pool) unlend() {
	p.mu.Lock()
	p.lent--
	p.mu.Unlock()
}
