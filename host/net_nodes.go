package host

import (
	"context"
	"fmt"
	"slices"

	"github.com/creo-dev/creo/etf"
)

// Nodes returns the visible nodes this node is connected to, sorted, as
// nodes() does. Hidden peers are not listed.
func (n *Node) Nodes() []etf.Atom {
	nw := n.network()
	if nw == nil {
		return nil
	}
	nw.mu.RLock()
	var nodes []etf.Atom
	for name, p := range nw.peers {
		if c := p.conn.Load(); c != nil && visible(c) {
			nodes = append(nodes, name)
		}
	}
	nw.mu.RUnlock()
	slices.Sort(nodes)
	return nodes
}

// Connect connects to node unless it is connected already, as
// net_kernel:connect_node/1 does, and returns once the connection is up,
// or why it could not be made. A signal sent to node connects too, without
// waiting.
func (n *Node) Connect(ctx context.Context, node etf.Atom) error {
	nw := n.network()
	if nw == nil {
		return ErrNotDistributed
	}
	if node == n.name {
		return nil
	}
	nw.mu.Lock()
	p := nw.peers[node]
	if p == nil {
		if nw.closed {
			nw.mu.Unlock()
			return ErrNodeClosed
		}
		p = nw.dialLocked(node)
	}
	nw.mu.Unlock()
	select {
	case <-p.ready:
	case <-ctx.Done():
		return fmt.Errorf("host: connect to %s: %w", node, ctx.Err())
	}
	if p.conn.Load() == nil {
		return fmt.Errorf("host: connect to %s: %w", node, p.err)
	}
	return nil
}

// Disconnect closes the connection to node, or abandons connecting to it,
// as erlang:disconnect_node/1 does, and reports whether there was one. The
// links and monitors across it fire with noconnection.
func (n *Node) Disconnect(node etf.Atom) bool {
	nw := n.network()
	if nw == nil {
		return false
	}
	nw.mu.Lock()
	p := nw.peers[node]
	var owner *attempt
	if p != nil {
		owner = p.owner
	}
	nw.mu.Unlock()
	if p == nil {
		return false
	}
	if owner != nil {
		owner.abort()
	}
	if c := p.conn.Load(); c != nil {
		c.Close()
	}
	return true
}

// MonitorNodes subscribes the process pid to the comings and goings of
// visible nodes, as net_kernel:monitor_nodes(true) does, or ends its
// subscription when on is false. A subscriber receives {nodeup, Node} when
// a connection is up, before any message that comes over it, and
// {nodedown, Node} after the links and monitors across a lost one have
// fired. A subscription ends with its process.
func (n *Node) MonitorNodes(pid etf.Pid, on bool) error {
	nw := n.network()
	if nw == nil {
		return ErrNotDistributed
	}
	if n.process(pid) == nil {
		return ErrBadarg
	}
	nw.mu.Lock()
	if on {
		nw.subscribers[pid] = struct{}{}
	} else {
		delete(nw.subscribers, pid)
	}
	nw.mu.Unlock()
	return nil
}

// notifyLocked sends {event, node} to every subscriber, forgetting those
// that have ended.
func (nw *network) notifyLocked(event, node etf.Atom) {
	msg := etf.Tuple{event, node}
	for pid := range nw.subscribers {
		if p := nw.node.process(pid); p == nil || !p.deliver(msg) {
			delete(nw.subscribers, pid)
		}
	}
}
