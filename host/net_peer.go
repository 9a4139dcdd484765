package host

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/creo-dev/creo/dist"
	"github.com/creo-dev/creo/etf"
)

// peer is the connection table's entry for one other node, as net_kernel's
// sys_dist table has one: pending while a handshake is under way, up once
// a connection carries its signals. An entry that fails or whose
// connection ends is removed from the table; the node's next entry is a
// new one.
type peer struct {
	node etf.Atom
	// conn is set once the entry is up. The send path reads it without a
	// lock.
	conn atomic.Pointer[dist.Conn]
	// after is closed once the teardown of the node's previous entry is
	// complete; the entry goes up only then, so that the noconnection of
	// the old connection never hits links made over the new one.
	after <-chan struct{}
	// gone is closed once this entry's teardown, and every earlier one,
	// is complete.
	gone chan struct{}

	// Guarded by network.mu.
	owner *attempt       // the handshake that will make the entry up, or replace its connection
	queue []dist.Control // signals sent while pending, in order
	ready chan struct{}  // closed when the entry is up or has failed
	err   error          // why it failed, once ready
}

// attempt is one handshake with a peer, dialled or accepted.
type attempt struct {
	// peer is the entry the attempt works for, set when it starts (dial)
	// or when the peer is admitted (accept). Guarded by network.mu.
	peer  *peer
	abort context.CancelFunc
	// ready is closed once the attempt's connection is installed (ok) or
	// refused; its handler holds the connection's first messages until
	// then.
	ready chan struct{}
	ok    bool
}

func newAttempt(abort context.CancelFunc) *attempt {
	return &attempt{abort: abort, ready: make(chan struct{})}
}

// handler returns the control message handler of a's connection: it
// dispatches in arrival order once the connection is installed, and drops
// what a refused connection carries.
func (nw *network) handler(a *attempt) func(*dist.Conn, dist.Control) {
	return func(c *dist.Conn, m dist.Control) {
		<-a.ready
		if a.ok {
			nw.dispatch(c, m)
		}
	}
}

// newPeerLocked puts a pending entry for node in the table.
func (nw *network) newPeerLocked(node etf.Atom) *peer {
	p := &peer{node: node, after: nw.closing[node], gone: make(chan struct{}), ready: make(chan struct{})}
	nw.peers[node] = p
	nw.last.Store(nil)
	return p
}

// signal sends m to node: at once when a connection is up, else queued on
// the pending entry, which is made (and a dial started) when there is
// none. It never blocks on the network.
func (nw *network) signal(node etf.Atom, m dist.Control) {
	nw.signalReleasing(node, m, nil)
}

// signalReleasing is signal, with release called once m is written when
// a connection is up; a message queued for a connection to come is left
// to the collector.
func (nw *network) signalReleasing(node etf.Atom, m dist.Control, release func()) {
	if p := nw.last.Load(); p != nil && p.node == node {
		nw.write(p.conn.Load(), m, release)
		return
	}
	nw.mu.RLock()
	p := nw.peers[node]
	var c *dist.Conn
	if p != nil {
		if c = p.conn.Load(); c != nil {
			nw.last.Store(p)
		}
	}
	nw.mu.RUnlock()
	if c != nil {
		nw.write(c, m, release)
		return
	}
	nw.mu.Lock()
	p = nw.peers[node]
	if p == nil {
		if nw.closed {
			nw.mu.Unlock()
			return
		}
		p = nw.dialLocked(node)
	}
	if c := p.conn.Load(); c != nil {
		nw.mu.Unlock()
		nw.write(c, m, release)
		return
	}
	p.queue = append(p.queue, m)
	nw.mu.Unlock()
}

// write hands m to c, and release, if set, to call once m is written. A
// connection that has ended drops it: its teardown reports the node down.
func (nw *network) write(c *dist.Conn, m dist.Control, release func()) {
	err := c.SendReleasing(m, release)
	if err == nil {
		return // before errors.As, whose target escapes: an allocation a signal
	}
	if me := (*dist.MessageError)(nil); errors.As(err, &me) {
		nw.log.Warn("host: signal not sent", "peer", string(c.Peer()), "err", err)
	}
}

// settle ends the handshake a with its outcome: the connection c, or err.
// A successful attempt installs c; a failed one leaves a live connection
// alone and tears a pending entry down.
func (nw *network) settle(a *attempt, c *dist.Conn, err error) {
	nw.mu.Lock()
	p := a.peer
	if p == nil || p.owner != a {
		// Never admitted, or another handshake took the entry over.
		nw.mu.Unlock()
		nw.refuse(a, c)
		return
	}
	old := p.conn.Load()
	switch {
	case err == nil && nw.closed:
		err = ErrNodeClosed
		c.Close()
	case err == nil && old != nil:
		// The peer said its old connection is dead (status alive): a new
		// entry takes over once the old one is torn down.
		p.owner = nil
		q := nw.newPeerLocked(p.node)
		q.after, q.owner, a.peer = p.gone, a, q
		nw.mu.Unlock()
		old.Close()
		nw.install(a, q, c)
		return
	case err == nil:
		nw.mu.Unlock()
		nw.install(a, p, c)
		return
	}
	p.owner = nil
	if old != nil {
		nw.mu.Unlock()
		nw.refuse(a, nil)
		return
	}
	p.err = err
	nw.detachLocked(p)
	nw.mu.Unlock()
	nw.refuse(a, nil)
	nw.log.Info("host: cannot connect", "peer", string(p.node), "err", err)
	nw.down(p, false)
}

// ErrNodeClosed is the reason a connection is refused while its node
// closes.
var ErrNodeClosed = errors.New("host: node closed")

// install makes p up with c, the connection of a, once p's predecessor is
// torn down, unless a lost p meanwhile: signals queued go first, then
// {nodeup, Node} to the subscribers, then the connection's own messages.
func (nw *network) install(a *attempt, p *peer, c *dist.Conn) {
	if p.after != nil {
		<-p.after
	}
	nw.mu.Lock()
	if p.owner != a {
		nw.mu.Unlock()
		nw.refuse(a, c)
		return
	}
	p.owner = nil
	if nw.closed {
		p.err = ErrNodeClosed
		nw.detachLocked(p)
		nw.mu.Unlock()
		nw.refuse(a, c)
		nw.down(p, false)
		return
	}
	for _, m := range p.queue {
		nw.write(c, m, nil)
	}
	p.queue = nil
	p.conn.Store(c)
	close(p.ready)
	if visible(c) {
		nw.notifyLocked(etf.Atom("nodeup"), p.node)
	}
	nw.mu.Unlock()
	a.ok = true
	close(a.ready)
	nw.log.Info("host: connected", "peer", string(p.node), "visible", visible(c))
	nw.wg.Add(1)
	go nw.watch(p, c)
}

// refuse ends attempt a without a connection, closing c if it made one.
func (nw *network) refuse(a *attempt, c *dist.Conn) {
	close(a.ready)
	if c != nil {
		c.Close()
	}
}

// watch tears p down when its connection ends.
func (nw *network) watch(p *peer, c *dist.Conn) {
	defer nw.wg.Done()
	<-c.Done()
	nw.mu.Lock()
	nw.detachLocked(p)
	nw.mu.Unlock()
	nw.log.Info("host: disconnected", "peer", string(p.node), "err", c.Err())
	nw.down(p, visible(c))
}

// detachLocked removes p from the table, if it is still there, and drops
// what it queued. The node's next entry waits for p's teardown.
func (nw *network) detachLocked(p *peer) {
	if nw.peers[p.node] == p {
		delete(nw.peers, p.node)
		nw.closing[p.node] = p.gone
		nw.last.Store(nil)
	}
	p.queue = nil
	if p.conn.Load() == nil {
		close(p.ready)
	}
}

// down completes the teardown of p, detached: the links and monitors
// across its node fire with noconnection, then subscribers hear of it.
func (nw *network) down(p *peer, wasVisible bool) {
	nw.node.NodeDown(p.node)
	if wasVisible {
		nw.mu.Lock()
		nw.notifyLocked(etf.Atom("nodedown"), p.node)
		nw.mu.Unlock()
	}
	if p.after != nil {
		<-p.after
	}
	close(p.gone)
	nw.mu.Lock()
	if nw.closing[p.node] == p.gone {
		delete(nw.closing, p.node)
	}
	nw.mu.Unlock()
}

// visible reports whether the peer of c is a visible node.
func visible(c *dist.Conn) bool {
	return c.Flags()&dist.FlagPublished != 0
}
