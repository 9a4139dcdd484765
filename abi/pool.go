package abi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// pool holds a module's idle instances. A callback borrows one and gives it
// back; servers never own one. It grows on demand, one instance at a time,
// up to size; past that a callback waits for one to come free, at most
// wait, first come first served.
//
// Exhaustion: a callback that blocks in a call to another server holds its
// instance meanwhile. If every instance is held that way, by servers
// calling servers of the same module, the callbacks that need one wait,
// then fail with {wasm_unavailable, Msg}; the caller's own call timeout
// usually fires first. Size MaxInstances above the depth of such call
// chains.
//
// Idle instances stay until the module is closed: an instance's memory
// never shrinks, so its high-water mark is its cost, and making a Go one
// again costs milliseconds.
//
// A borrow and a return take the mutex once each, and nothing else, so the
// pool adds little to a callback.
type pool struct {
	newInstance func() (*instance, error)
	size        int
	wait        time.Duration

	mu   sync.Mutex
	idle []*instance
	busy int // lent out or being made; idle+busy never exceeds size
	// lent counts the instances, among busy, that hold a reply lent from
	// their memory (see lend).
	lent int
	// waiters are the callbacks waiting, oldest first. A returning callback
	// hands its instance to the first, or nil when it threw its instance
	// away: the waiter then makes a new one in its place.
	waiters []chan *instance
	closed  bool
}

var errPoolClosed = errors.New("module closed")

func newPool(size int, wait time.Duration, newInstance func() (*instance, error)) *pool {
	return &pool{newInstance: newInstance, size: size, wait: wait}
}

// get lends an instance, making one when none is idle and the pool is not
// full, else waiting for one.
func (p *pool) get(ctx context.Context) (*instance, error) {
	p.mu.Lock()
	switch {
	case p.closed:
		p.mu.Unlock()
		return nil, errPoolClosed
	case len(p.idle) > 0:
		in := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		p.busy++
		p.mu.Unlock()
		return in, nil
	case p.busy < p.size:
		p.busy++
		p.mu.Unlock()
		return p.make()
	}
	ch := make(chan *instance, 1)
	p.waiters = append(p.waiters, ch)
	p.mu.Unlock()
	return p.await(ctx, ch)
}

// await waits for an instance (or a slot) to be handed over on ch.
func (p *pool) await(ctx context.Context, ch chan *instance) (*instance, error) {
	t := time.NewTimer(p.wait)
	defer t.Stop()
	var err error
	select {
	case in, ok := <-ch:
		return p.handed(in, ok)
	case <-t.C:
		err = fmt.Errorf("all %d instances busy for %v", p.size, p.wait)
	case <-ctx.Done():
		err = ctx.Err()
	}
	p.mu.Lock()
	if i := slices.Index(p.waiters, ch); i >= 0 {
		p.waiters = slices.Delete(p.waiters, i, i+1)
		p.mu.Unlock()
		return nil, err
	}
	p.mu.Unlock()
	// Handed one just as the wait ended: take it.
	in, ok := <-ch
	return p.handed(in, ok)
}

// handed takes what was handed to a waiter: an instance, or nil for a slot
// to make one in; ok is false when the pool was closed.
func (p *pool) handed(in *instance, ok bool) (*instance, error) {
	switch {
	case !ok:
		return nil, errPoolClosed
	case in != nil:
		return in, nil
	}
	return p.make()
}

// make makes an instance for a slot already counted in busy.
func (p *pool) make() (*instance, error) {
	in, err := p.newInstance()
	if err != nil {
		p.release()
		return nil, err
	}
	return in, nil
}

// put takes back an instance that ended its callback well.
func (p *pool) put(in *instance) {
	if !in.reusable() {
		p.discard(in)
		return
	}
	in.proc, in.caller = nil, nil
	p.mu.Lock()
	switch {
	case p.closed:
		p.busy--
		p.mu.Unlock()
		in.close()
	case len(p.waiters) > 0:
		ch := p.waiters[0]
		p.waiters = p.waiters[1:]
		p.mu.Unlock()
		ch <- in // stays busy, now for the waiter
	default:
		p.busy--
		p.idle = append(p.idle, in)
		p.mu.Unlock()
	}
}

// discard throws away an instance after a failure.
func (p *pool) discard(in *instance) {
	in.close()
	p.release()
}

// release frees the slot of an instance that is gone, for the first waiter
// to make a new one in.
func (p *pool) release() {
	p.mu.Lock()
	if len(p.waiters) > 0 {
		ch := p.waiters[0]
		p.waiters = p.waiters[1:]
		p.mu.Unlock()
		ch <- nil
		return
	}
	p.busy--
	p.mu.Unlock()
}

// stats counts the idle instances and those lent out.
func (p *pool) stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{Idle: len(p.idle), Busy: p.busy}
}

// close throws away the idle instances and turns the waiters away; lent
// instances are thrown away when they come back.
func (p *pool) close() {
	p.mu.Lock()
	idle, waiters := p.idle, p.waiters
	p.idle, p.waiters, p.closed = nil, nil, true
	p.mu.Unlock()
	for _, in := range idle {
		in.close()
	}
	for _, ch := range waiters {
		close(ch)
	}
}

// PoolStats counts a module's instances.
type PoolStats struct {
	// Idle instances wait in the pool; Busy ones run a callback, are
	// being made, or hold a reply lent from their memory.
	Idle, Busy int
}
