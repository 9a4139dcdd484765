package host

import (
	"time"

	"github.com/creo-dev/creo/etf"
)

// lostMemory is how long a lost_connection report is remembered, so that
// the copies other nodes relay are recognised (global's
// lost_conn_info_cleanup_time).
const lostMemory = time.Hour

// lostReport is a lost_connection report seen: the reporting node's
// creation and the report's id, which orders its reports.
type lostReport struct {
	creation, opID etf.Term
	expires        time.Time
}

// lostConnection handles {lost_connection, NodeA, XCreationA, OpIdA,
// NodeB}, global's prevent_overlapping_partitions: NodeA lost its
// connection to NodeB. The first time a report is seen it is relayed to
// the other known nodes, and NodeB (or NodeA, when we are NodeB) is asked
// to drop its connection to us and forgotten, so that fully connected
// partitions form instead of overlapping ones.
func (s *globalServer) lostConnection(p *Process, t etf.Tuple) {
	a, ok1 := t[1].(etf.Atom)
	b, ok2 := t[4].(etf.Atom)
	if !ok1 || !ok2 {
		return
	}
	now := time.Now()
	for key, r := range s.lost {
		if now.After(r.expires) {
			delete(s.lost, key)
		}
	}
	key := [2]etf.Atom{a, b}
	if r, ok := s.lost[key]; ok && etf.Equal(r.creation, t[2]) && etf.Compare(t[3], r.opID) <= 0 {
		return
	}
	for _, nv := range s.knownVsns() {
		if nv.node != a && nv.vsn >= 7 {
			s.sendVolatile(p, nv.node, t)
		}
	}
	for node, ss := range s.sessions {
		if node != a && ss.pending >= 7 {
			s.sendVolatile(p, node, t)
		}
	}
	s.lost[key] = lostReport{creation: t[2], opID: t[3], expires: now.Add(lostMemory)}
	remove := b
	if b == p.node.name {
		remove = a
	}
	if !s.potentiallyKnown(remove) {
		return
	}
	s.sendVolatile(p, remove, etf.Tuple{atomRemoveConnection, p.node.name})
	p.node.log.Warn("host: global requested a disconnect to prevent overlapping partitions", "node", remove)
	s.nodeDown(p, remove)
}

// removeConnection handles {remove_connection, Node}: node asks us to
// drop our connection to it, as its part of preventing overlapping
// partitions. We close it and forget node, and report no lost connection.
func (s *globalServer) removeConnection(p *Process, t etf.Tuple) {
	node, ok := t[1].(etf.Atom)
	if !ok || !s.potentiallyKnown(node) {
		return
	}
	s.g.net.Disconnect(node)
	p.node.log.Warn("host: global disconnected to prevent overlapping partitions", "node", node)
	s.nodeDown(p, node)
}

// potentiallyKnown reports whether node is known, or pending.
func (s *globalServer) potentiallyKnown(node etf.Atom) bool {
	if s.g.isKnown(node) {
		return true
	}
	ss := s.sessions[node]
	return ss != nil && ss.pending != 0
}
