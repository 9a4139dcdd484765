package host

import (
	"context"

	"github.com/creo-dev/creo/etf"
)

// globalSession is the sync session of this node's name server with
// another node's, from nodeup until the two are in sync: the entries
// global keeps in its process dictionary per node, and its resolvers
// entry (myTag set). Each handler mirrors the function of global.erl it
// is named after.
type globalSession struct {
	myTag  etf.Int  // sync_tag_my: our session's tag; 0 until our init_connect is out
	hisTag etf.Term // sync_tag_his: the tag of his init_connect
	vsn    int      // prot_vsn: the protocol version both speak
	// pending is {pending, Node}: his version, once his init_connect met
	// ours; 0 before.
	pending int
	// early is pre_connect: his init_connect, come before our nodeup.
	early etf.Tuple
	// wait_lock: lockSet when our locker has locked both partitions, or
	// hisNames when his exchange came before that.
	lockSet  bool
	hisNames etf.Term
	// save_ops: ops when our side of the exchange is resolved, or
	// resolved when his resolved came before that.
	ops      []etf.Term
	opsReady bool
	resolved etf.Tuple
	lockID   etf.Term // lock_id: the lock that holds both partitions
}

// session returns the session with node, making an empty one.
func (s *globalServer) session(node etf.Atom) *globalSession {
	ss := s.sessions[node]
	if ss == nil {
		ss = &globalSession{}
		s.sessions[node] = ss
	}
	return ss
}

// tagWith returns our tag of the session with node, or undefined, as
// get({sync_tag_my, Node}) does.
func (s *globalServer) tagWith(node etf.Atom) etf.Term {
	if ss := s.sessions[node]; ss != nil && ss.myTag != 0 {
		return ss.myTag
	}
	return etf.Undefined
}

// current returns the session with node when tag is its tag.
func (s *globalServer) current(node etf.Atom, tag etf.Term) *globalSession {
	ss := s.sessions[node]
	if ss == nil || ss.myTag == 0 || !etf.Equal(ss.myTag, tag) {
		return nil
	}
	return ss
}

// reset forgets the session with node (reset_node_state), pending
// included: everything that calls it removes {pending, Node} too.
func (s *globalServer) reset(node etf.Atom) { delete(s.sessions, node) }

// to returns the name server of node.
func to(node etf.Atom) etf.Tuple { return etf.Tuple{globalServerName, node} }

// sendVolatile sends msg to node's name server if node is connected, as
// global's gns_volatile_send/2 does with noconnect.
func (s *globalServer) sendVolatile(p *Process, node etf.Atom, msg etf.Term) {
	if s.up[node] {
		_ = p.Send(to(node), msg)
	}
}

func (s *globalServer) nodeUpMsg(p *Process, t etf.Tuple) {
	if node, ok := t[1].(etf.Atom); ok && node != p.node.name {
		s.up[node] = true
		s.nodeUp(p, node)
	}
}

func (s *globalServer) nodeDownMsg(p *Process, t etf.Tuple) {
	node, ok := t[1].(etf.Atom)
	if !ok || node == p.node.name {
		return
	}
	if t[0] == atomNodedown {
		delete(s.up, node)
	}
	s.settled(p, node)
	s.nodeDown(p, node)
}

// nodeUp starts a session with node unless it is known or one runs
// (handle_nodeup): it casts our init_connect, with our tag and locker.
func (s *globalServer) nodeUp(p *Process, node etf.Atom) {
	g := s.g
	if g.isKnown(node) || s.tagWith(node) != etf.Undefined {
		return
	}
	ss := s.session(node)
	early := ss.early
	ss.early = nil
	ss.myTag = etf.Int(g.tags.Add(1))
	locker := etf.Tuple{atomLocker, atomNoLongerAPid, etf.Map{}, s.locker}
	p.Cast(to(node), etf.Tuple{atomInitConnect, etf.Tuple{etf.Int(globalVsn), ss.myTag}, p.node.name, locker})
	if early != nil {
		s.initConnect(p, early)
	}
}

// nodeDown ends everything global had going with node, which went down
// or is to be removed (handle_nodedown). Its names and locks go with the
// DOWN of their monitors.
func (s *globalServer) nodeDown(p *Process, node etf.Atom) {
	s.cancelLocker(p, node, s.tagWith(node), nil)
	s.reset(node)
	s.g.mu.Lock()
	delete(s.g.known, node)
	s.g.mu.Unlock()
	delete(s.synced, node)
}

// initConnect handles {init_connect, {Vsn, HisTag}, Node, {locker, _, _,
// HisLocker}}: his session meets ours, his locker joins ours, and we
// acknowledge his tag; before our nodeup it waits.
func (s *globalServer) initConnect(p *Process, t etf.Tuple) {
	vsnTag, ok1 := t[1].(etf.Tuple)
	node, ok2 := t[2].(etf.Atom)
	initMsg, ok3 := tagged(t[3], atomLocker, 4)
	if !ok1 || !ok2 || !ok3 || len(vsnTag) < 2 {
		return
	}
	hisLocker, ok4 := initMsg[3].(etf.Pid)
	hisVsn, ok5 := vsnTag[0].(etf.Int)
	if !ok4 || !ok5 {
		return
	}
	vsn := int(hisVsn)
	if vsn > globalVsn || len(vsnTag) > 2 {
		vsn = globalVsn
	}
	hisTag := vsnTag[1]
	if ss := s.sessions[node]; ss != nil && ss.pending != 0 {
		// Another attempt while one is under way: cancel both and start over.
		if hisVsn < globalVsn {
			p.node.log.Error("host: global got an out of sync connection attempt from an old node; disconnecting", "node", node)
			s.g.net.Disconnect(node)
			return
		}
		s.sendVolatile(p, node, etf.Tuple{atomCancelConnect, p.node.name, hisTag})
		s.restartConnect(p, node, ss.myTag)
	}
	ss := s.session(node)
	ss.vsn, ss.hisTag = vsn, hisTag
	if ss.myTag == 0 {
		ss.early = t
		return
	}
	_ = p.Send(s.locker, etf.Tuple{atomHisTheLocker, hisLocker, etf.Tuple{etf.Int(vsn), etf.List{}}, hisTag, ss.myTag})
	if hisVsn >= globalVsn {
		s.sendVolatile(p, node, etf.Tuple{atomInitConnectAck, p.node.name, hisTag, ss.myTag})
	}
	ss.pending = int(hisVsn)
}

// initConnectAck checks {init_connect_ack, Node, HisMyTag, HisHisTag}:
// when the two sides disagree on the session, it cancels the attempt and
// starts over.
func (s *globalServer) initConnectAck(p *Process, t etf.Tuple) {
	node, ok := t[1].(etf.Atom)
	if !ok {
		return
	}
	var hisTag etf.Term = etf.Undefined
	if ss := s.sessions[node]; ss != nil && ss.hisTag != nil {
		hisTag = ss.hisTag
	}
	myTag := s.tagWith(node)
	if etf.Equal(myTag, t[2]) && etf.Equal(hisTag, t[3]) {
		return
	}
	s.sendVolatile(p, node, etf.Tuple{atomCancelConnect, p.node.name, t[3]})
	s.restartConnect(p, node, myTag)
}

// cancelConnect handles {cancel_connect, Node, MyTag}: the other side
// cancelled our session, which starts over.
func (s *globalServer) cancelConnect(p *Process, t etf.Tuple) {
	if node, ok := t[1].(etf.Atom); ok && s.current(node, t[2]) != nil {
		s.restartConnect(p, node, t[2])
	}
}

// restartConnect cancels the session tagged tag with node and, when the
// node is up (the session had a tag), starts a new one.
func (s *globalServer) restartConnect(p *Process, node etf.Atom, tag etf.Term) {
	s.cancelLocker(p, node, tag, nil)
	s.reset(node)
	if tag != etf.Undefined {
		s.nodeUp(p, node)
	}
}

// cancelLocker tells the locker to give up the session tagged tag with
// node, running fun first if it holds the lock for it, and tells the
// other side when that session is the current one and his init_connect
// has met it.
func (s *globalServer) cancelLocker(p *Process, node etf.Atom, tag, fun etf.Term) {
	if fun == nil {
		fun = atomNoFun
	}
	_ = p.Send(s.locker, etf.Tuple{atomCancel, node, tag, fun})
	if ss := s.current(node, tag); ss != nil && ss.pending >= globalVsn {
		s.sendVolatile(p, node, etf.Tuple{atomCancelConnect, p.node.name, ss.hisTag})
	}
}

// lockSet passes {lock_set, HisLocker, IsSet, HisKnown[, MyTag]} of the
// other side's locker to ours, if it belongs to the current session.
func (s *globalServer) lockSet(p *Process, t etf.Tuple) {
	node, ok := nodeOf(t[1])
	if ok && (len(t) == 4 || s.current(node, t[4]) != nil) {
		_ = p.Send(s.locker, t)
	}
}

// lockIsSet handles our locker's {lock_is_set, Node, MyTag, LockId}: both
// partitions are locked, so our names go to the other side, and his are
// resolved if they came already.
func (s *globalServer) lockIsSet(p *Process, t etf.Tuple) {
	node, _ := t[1].(etf.Atom)
	ss := s.current(node, t[2])
	if ss == nil {
		s.cancelLocker(p, node, t[2], nil)
		return
	}
	s.g.mu.RLock()
	names := s.g.tables.nameList()
	s.g.mu.RUnlock()
	p.Cast(to(node), etf.Tuple{atomExchange, p.node.name, names, etf.List{}, ss.hisTag})
	ss.lockID = t[3]
	if ss.hisNames != nil {
		names := ss.hisNames
		ss.hisNames = nil
		s.resolve(p, node, ss, names)
		return
	}
	ss.lockSet = true
}

// exchange handles {exchange, Node, Names, NamesExt, MyTag}: the other
// side's names, resolved once our locker has set the lock.
func (s *globalServer) exchange(p *Process, t etf.Tuple) {
	node, _ := t[1].(etf.Atom)
	ss := s.current(node, t[4])
	switch {
	case ss == nil:
		s.cancelLocker(p, node, t[4], nil)
	case ss.lockSet:
		ss.lockSet = false
		s.resolve(p, node, ss, t[2])
	default:
		ss.hisNames = t[2]
	}
}

// resolve compares the other side's names with ours, sends him what his
// partition must change (resolved), and keeps what ours must change until
// his resolved comes, as global's resolver and exchange_ops do.
func (s *globalServer) resolve(p *Process, node etf.Atom, ss *globalSession, names etf.Term) {
	ops, res := s.exchangeNames(p, node, names)
	p.Cast(to(node), etf.Tuple{atomResolved, p.node.name, etf.List(res), s.knownList(s.nodeVsn(node)), atomUnused, etf.List{}, ss.hisTag})
	ss.ops, ss.opsReady = ops, true
	if ss.resolved != nil {
		s.resolved(p, node, ss, ss.resolved)
	}
}

// resolvedMsg handles {resolved, Node, HisOps, HisKnown, _, NamesExt,
// MyTag}, which waits for our side of the exchange if it came first.
func (s *globalServer) resolvedMsg(p *Process, t etf.Tuple) {
	node, _ := t[1].(etf.Atom)
	ss := s.current(node, t[6])
	switch {
	case ss == nil:
		s.cancelLocker(p, node, t[6], nil)
	case ss.opsReady:
		s.resolved(p, node, ss, t)
	default:
		ss.resolved = t
	}
}

// resolved completes the session with node: both partitions' changes are
// applied here, node and the nodes it knows become known, the locker is
// asked to tell our partition with new_nodes while it still holds the
// lock, and every node of his partition is told we are in sync.
func (s *globalServer) resolved(p *Process, node etf.Atom, ss *globalSession, t etf.Tuple) {
	me := p.node.name
	hisOps, _ := listOf(t[2])
	ops := append(ss.ops, hisOps...)
	known := s.knownVsns()
	hisKnown := nodeVsns(t[3])
	newNodes := s.fillVsns(append([]nodeVsn{{node: node}}, hisKnown...))
	extra := etf.List{etf.Tuple{atomVsn, etf.Int(ss.vsn)}, etf.Tuple{atomLock, ss.lockID}}
	hisNodes := nodesOf(hisKnown)

	s.syncOthers(p, hisNodes)
	s.doOps(p, ops, me, extra)
	s.settled(p, node)
	for _, other := range hisNodes {
		s.cancelResolved(p, other, nil)
	}
	msg := etf.Tuple{atomNewNodes, me, etf.List(ops), t[5], nodeVsnList(newNodes), extra}
	var sends etf.List
	for _, nv := range known {
		m := msg
		if nv.vsn < 7 { // before version 7, new_nodes lists bare node names
			m = append(etf.Tuple{}, msg...)
			m[4] = atomList(nodesOf(newNodes))
		}
		sends = append(sends, etf.Tuple{nv.node, m})
	}
	s.cancelResolved(p, node, sends)
	s.addToKnown(newNodes)
	s.synced[node] = true
}

// cancelResolved ends the session with node, resolved by this node or
// by another of its partition, without telling node (cancel_resolved_locker).
func (s *globalServer) cancelResolved(p *Process, node etf.Atom, sends etf.Term) {
	if ss := s.sessions[node]; ss != nil {
		ss.pending = 0
	}
	if sends != nil {
		sends = etf.Tuple{atomNewNodes, sends}
	}
	s.cancelLocker(p, node, s.tagWith(node), sends)
	s.reset(node)
}

// newNodes handles {new_nodes, Node, Ops, NamesExt, Nodes, ExtraInfo}: a
// node of our partition synced with another partition, whose nodes we
// now know and must tell we are in sync.
func (s *globalServer) newNodes(p *Process, t etf.Tuple) {
	conn, ok := t[1].(etf.Atom)
	if !ok {
		return
	}
	added := s.addToKnown(nodeVsns(t[4]))
	s.syncOthers(p, added)
	ops, _ := listOf(t[2])
	s.doOps(p, ops, conn, t[5])
}

// inSync handles {in_sync, Node, IsKnown}: node, of another partition,
// has our names; any session with it is over.
func (s *globalServer) inSync(p *Process, t etf.Tuple) {
	node, ok := t[1].(etf.Atom)
	if !ok {
		return
	}
	s.settled(p, node)
	s.synced[node] = true
	if ss := s.sessions[node]; ss != nil {
		ss.pending = 0
	}
	s.cancelLocker(p, node, s.tagWith(node), nil)
	s.reset(node)
}

// syncOthers connects to each of nodes and casts it in_sync, from
// goroutines, as global's sync_other/2 processes do: they know us
// already, so no session starts, and without it their sync() would wait
// for us forever. A node that cannot be reached counts as down.
func (s *globalServer) syncOthers(p *Process, nodes []etf.Atom) {
	n, g, server := p.node, s.g, p.Self()
	for _, node := range nodes {
		if node == n.name {
			continue
		}
		go func() {
			if err := g.net.Connect(context.Background(), node); err != nil {
				n.log.Warn("host: global failed to connect", "node", node, "err", err)
				n.PeerSend(etf.Pid{}, server, etf.Tuple{atomExtraNodedown, node})
				return
			}
			n.cast(server, to(node), etf.Tuple{atomInSync, n.name, etf.True})
		}()
	}
}

// doOps applies the ops of a sync, [{insert, {Name, Pid, Method}} |
// {delete, Name}], that came from a session with node conn, under the
// lock extra names.
func (s *globalServer) doOps(p *Process, ops []etf.Term, conn etf.Atom, extra etf.Term) {
	for _, op := range ops {
		if t, ok := tagged(op, atomInsert, 2); ok {
			if n, ok := t[1].(etf.Tuple); ok && len(n) == 3 {
				if pid, ok := n[1].(etf.Pid); ok {
					s.insertName(p, n[0], pid, n[2], conn, extra)
				}
			}
		}
	}
	for _, op := range ops {
		if t, ok := tagged(op, atomDelete, 2); ok {
			s.deleteName(p, t[1])
		}
	}
}

// addToKnown makes nodes known and returns those that were not.
func (s *globalServer) addToKnown(nodes []nodeVsn) []etf.Atom {
	var added []etf.Atom
	s.g.mu.Lock()
	defer s.g.mu.Unlock()
	for _, nv := range nodes {
		if _, ok := s.g.known[nv.node]; ok || nv.node == s.g.n.name {
			continue
		}
		s.g.known[nv.node] = nv.vsn
		added = append(added, nv.node)
	}
	return added
}

// knownVsns returns the known nodes with their versions.
func (s *globalServer) knownVsns() []nodeVsn {
	s.g.mu.RLock()
	defer s.g.mu.RUnlock()
	nodes := make([]nodeVsn, 0, len(s.g.known))
	for node, vsn := range s.g.known {
		nodes = append(nodes, nodeVsn{node: node, vsn: vsn})
	}
	return nodes
}

// knownList returns the known nodes as a node of version vsn reads them
// (mk_known_list).
func (s *globalServer) knownList(vsn int) etf.List {
	known := s.knownVsns()
	if vsn < 7 {
		return atomList(nodesOf(known))
	}
	return nodeVsnList(known)
}

// nodeVsn returns the protocol version of node: ours, a known node's, a
// pending one's, or 0.
func (s *globalServer) nodeVsn(node etf.Atom) int {
	if node == s.g.n.name {
		return globalVsn
	}
	s.g.mu.RLock()
	vsn, ok := s.g.known[node]
	s.g.mu.RUnlock()
	if !ok {
		if ss := s.sessions[node]; ss != nil {
			vsn = ss.pending
		}
	}
	return vsn
}

// fillVsns gives the nodes whose version is not known the one this node
// knows for them (make_node_vsn_list).
func (s *globalServer) fillVsns(nodes []nodeVsn) []nodeVsn {
	for i := range nodes {
		if nodes[i].vsn == 0 {
			nodes[i].vsn = s.nodeVsn(nodes[i].node)
		}
	}
	return nodes
}

func nodesOf(nodes []nodeVsn) []etf.Atom {
	out := make([]etf.Atom, len(nodes))
	for i, nv := range nodes {
		out[i] = nv.node
	}
	return out
}
