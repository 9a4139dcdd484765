package abi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// pool holds a module's idle instances. A callback borrows one and gives it
// back; servers never own one. It grows on demand, one instance at a time,
// up to max; past that a callback waits for one to come free, at most wait.
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
type pool struct {
	newInstance func() (*instance, error)
	wait        time.Duration
	// slots holds one token per instance lent out or being made, so its
	// capacity is the pool's size and a full channel means waiting.
	slots chan struct{}

	mu     sync.Mutex
	idle   []*instance
	busy   int // lent out or being made; idle+busy never exceeds the size
	closed bool
}

var errPoolClosed = errors.New("module closed")

func newPool(size int, wait time.Duration, newInstance func() (*instance, error)) *pool {
	return &pool{newInstance: newInstance, wait: wait, slots: make(chan struct{}, size)}
}

// get lends an instance, making one when none is idle and the pool is not
// full.
func (p *pool) get(ctx context.Context) (*instance, error) {
	select {
	case p.slots <- struct{}{}:
	default:
		if err := p.waitSlot(ctx); err != nil {
			return nil, err
		}
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		<-p.slots
		return nil, errPoolClosed
	}
	p.busy++
	if n := len(p.idle); n > 0 {
		in := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return in, nil
	}
	p.mu.Unlock()
	in, err := p.newInstance()
	if err != nil {
		p.release()
		return nil, err
	}
	return in, nil
}

// release gives back the slot of an instance that is gone.
func (p *pool) release() {
	p.mu.Lock()
	p.busy--
	p.mu.Unlock()
	<-p.slots
}

func (p *pool) waitSlot(ctx context.Context) error {
	t := time.NewTimer(p.wait)
	defer t.Stop()
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-t.C:
		return fmt.Errorf("all %d instances busy for %v", cap(p.slots), p.wait)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// put takes back an instance that ended its callback well.
func (p *pool) put(in *instance) {
	if !in.reusable() {
		p.discard(in)
		return
	}
	in.proc, in.caller = nil, nil
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.discard(in)
		return
	}
	p.busy--
	p.idle = append(p.idle, in)
	p.mu.Unlock()
	<-p.slots
}

// discard throws away an instance after a failure.
func (p *pool) discard(in *instance) {
	in.close()
	p.release()
}

// stats counts the idle instances and those lent out.
func (p *pool) stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{Idle: len(p.idle), Busy: p.busy}
}

// close throws away the idle instances; lent ones are thrown away when they
// come back.
func (p *pool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, in := range idle {
		in.close()
	}
}

// PoolStats counts a module's instances.
type PoolStats struct {
	// Idle instances wait in the pool; Busy ones run a callback or are
	// being made.
	Idle, Busy int
}
