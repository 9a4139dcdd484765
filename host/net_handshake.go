package host

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/creo-dev/creo/dist"
	"github.com/creo-dev/creo/epmd"
	"github.com/creo-dev/creo/etf"
)

// dialLocked makes a pending entry for node and starts dialling it.
func (nw *network) dialLocked(node etf.Atom) *peer {
	p := nw.newPeerLocked(node)
	ctx, cancel := context.WithCancel(nw.ctx)
	a := newAttempt(cancel)
	a.peer, p.owner = p, a
	nw.wg.Add(1)
	go nw.dial(ctx, a, p)
	return p
}

// dial connects to p's node for attempt a.
func (nw *network) dial(ctx context.Context, a *attempt, p *peer) {
	defer nw.wg.Done()
	defer a.abort()
	c, err := nw.initiate(ctx, a, p.node)
	if errors.Is(err, dist.ErrSimultaneous) {
		// The peer is dialling this node and its dial wins: the entry
		// waits for it to arrive and take over, as OTP's initiator waits
		// to be replaced, for as long as a handshake may take.
		select {
		case <-ctx.Done():
		case <-time.After(nw.handshakeTimeout()):
		}
	}
	nw.settle(a, c, err)
}

// initiate finds node with EPMD and runs the initiator's handshake. Each
// step is bounded: the lookup and the TCP connection by the handshake
// timeout (net_setuptime), each message of the handshake by dist.
func (nw *network) initiate(ctx context.Context, a *attempt, node etf.Atom) (*dist.Conn, error) {
	timeout := nw.handshakeTimeout()
	lookup, cancel := context.WithTimeout(ctx, timeout)
	addr, _, err := epmd.Resolve(lookup, string(node), nw.epmdPort)
	cancel()
	if err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: timeout}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("host: connect to %s: %w", node, err)
	}
	cfg := nw.dist
	cfg.Handler = nw.handler(a)
	return dist.Initiate(ctx, nc, node, &cfg)
}

func (nw *network) handshakeTimeout() time.Duration {
	if nw.dist.HandshakeTimeout > 0 {
		return nw.dist.HandshakeTimeout
	}
	return dist.DefaultHandshakeTimeout
}

// accept runs the acceptor's handshake on nc, a connection a peer opened.
func (nw *network) accept(nc net.Conn) {
	defer nw.wg.Done()
	ctx, cancel := context.WithCancel(nw.ctx)
	defer cancel()
	a := newAttempt(cancel)
	cfg := nw.dist
	cfg.Admit = func(node etf.Atom, _ dist.Flags) dist.Status { return nw.admit(a, node) }
	cfg.Handler = nw.handler(a)
	c, err := dist.Accept(ctx, nc, &cfg)
	nw.settle(a, c, err)
}

// admit decides what an accepted peer that named itself as node is told,
// with net_kernel's rules: a node new to the table is welcome; one this
// node is dialling too is settled by the tie-break, the winner taking the
// entry over; one already connected is asked whether its old connection
// is dead (status alive).
func (nw *network) admit(a *attempt, node etf.Atom) dist.Status {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	if nw.closed || node == nw.name {
		return dist.StatusNotAllowed
	}
	p := nw.peers[node]
	status := dist.StatusOK
	switch {
	case p == nil:
		p = nw.newPeerLocked(node)
	case p.owner != nil && p.conn.Load() != nil:
		// It is reconnecting already, on another connection.
		return dist.StatusNok
	case p.conn.Load() != nil:
		status = dist.StatusAlive
	default:
		if status = dist.TieBreak(nw.name, node); status != dist.StatusOKSimultaneous {
			return status
		}
		p.owner.abort()
	}
	a.peer, p.owner = p, a
	return status
}
