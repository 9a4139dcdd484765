package host

import (
	"errors"

	"github.com/creo-dev/creo/etf"
)

// globalServer is global_name_server: the Behaviour that keeps the
// node's copy of the global names and locks, answers the other nodes'
// name servers, and runs the sync sessions with them. Its fields are
// owned by its process.
type globalServer struct {
	Defaults
	g                 *Global
	locker, registrar etf.Pid
	sessions          map[etf.Atom]*globalSession // sync sessions, and what came early for them
	up                map[etf.Atom]bool           // the visible nodes connected
	synced            map[etf.Atom]bool           // the nodes whose names this node has
	syncers           []*globalSyncer             // Sync calls waiting
	lost              map[[2]etf.Atom]lostReport  // lost_connection reports seen
	// lockDown is global's global_lock_down: the global lock went away
	// because its holder died, so a registration or new_nodes that comes
	// later, and counted on that lock, is undone.
	lockDown bool
}

// globalState is the term state of the name server's gen_server, which
// sys:get_state/1 shows: the server keeps its own state in Go.
const globalState etf.Atom = "global_name_server"

// globalSyncer is a Sync call, waiting for the nodes not yet in sync.
type globalSyncer struct {
	from  From
	nodes map[etf.Atom]bool
}

// Init starts the locker and the registrar, linked, and subscribes to
// the comings and goings of visible nodes. A restarted server starts
// from empty tables, as global's ETS tables die with it.
func (s *globalServer) Init(p *Process, _ etf.Term) Result {
	g := s.g
	*s = globalServer{
		g:        g,
		sessions: make(map[etf.Atom]*globalSession),
		up:       make(map[etf.Atom]bool),
		synced:   make(map[etf.Atom]bool),
		lost:     make(map[[2]etf.Atom]lostReport),
	}
	g.mu.Lock()
	g.tables.init()
	g.known = make(map[etf.Atom]int)
	g.server = p.Self()
	g.mu.Unlock()
	p.TrapExit(true)
	if err := p.node.MonitorNodes(p.Self(), true); err != nil && !errors.Is(err, ErrNotDistributed) {
		return Stop(ExitReason(err), nil)
	}
	locker, err := p.StartLink(&globalLocker{g: g}, nil, Options{})
	if err != nil {
		return Stop(ExitReason(err), nil)
	}
	registrar, err := p.StartLink(&globalRegistrar{g: g}, nil, Options{})
	if err != nil {
		return Stop(ExitReason(err), nil)
	}
	s.locker, s.registrar = locker, registrar
	g.mu.Lock()
	g.locker, g.registrar = locker, registrar
	g.mu.Unlock()
	return Ok(globalState)
}

// HandleCall answers the calls of the name servers, lockers and
// registrars of every node (reference/erlang-global.md §2), and Sync.
func (s *globalServer) HandleCall(p *Process, req etf.Term, from From, state etf.Term) Result {
	req = decoded(req)
	if req == atomSync {
		s.sync(p, from)
		return NoReply(state)
	}
	t, _ := req.(etf.Tuple)
	switch {
	case len(t) == 4 && t[0] == atomRegister, len(t) == 5 && t[0] == atomRegisterExt:
		if pid, ok := t[2].(etf.Pid); ok {
			s.insertName(p, t[1], pid, t[3], from.Pid(), nil)
			return Reply(atomYes, state)
		}
	case len(t) == 2 && t[0] == atomUnregister:
		s.deleteName(p, t[1])
		return Reply(atomOk, state)
	case len(t) == 2 && t[0] == atomSetLock:
		if id, ok := t[1].(etf.Tuple); ok && len(id) == 2 {
			return Reply(boolAtom(s.setLock(p, id, from.Pid())), state)
		}
	case len(t) == 2 && t[0] == atomDelLock:
		if id, ok := t[1].(etf.Tuple); ok && len(id) == 2 {
			s.delLock(p, id, from.Pid())
			return Reply(etf.True, state)
		}
	}
	// As global does, an unknown call is logged and never answered.
	p.node.log.Warn("host: global_name_server got an unexpected call", "request", req, "from", from.Pid())
	return NoReply(state)
}

// HandleCast handles the sync protocol's casts.
func (s *globalServer) HandleCast(p *Process, msg, state etf.Term) Result {
	msg = decoded(msg)
	if h, ok := globalCasts[headOf(msg)]; ok && h.fits(msg) {
		h.handle(s, p, msg.(etf.Tuple))
	} else {
		p.node.log.Warn("host: global_name_server got an unexpected cast", "msg", msg)
	}
	return NoReply(state)
}

// HandleInfo handles the plain messages of the protocol, the node
// reports of the glue, and the signals of the processes the server
// watches.
func (s *globalServer) HandleInfo(p *Process, msg, state etf.Term) Result {
	msg = decoded(msg)
	if t, ok := tagged(msg, atomExit, 3); ok {
		switch t[1] {
		case s.locker:
			return Stop(etf.Tuple{etf.Atom("locker_died"), msg}, state)
		case s.registrar:
			return Stop(etf.Tuple{etf.Atom("registrar_died"), msg}, state)
		}
		return NoReply(state)
	}
	if h, ok := globalInfos[headOf(msg)]; ok && h.fits(msg) {
		h.handle(s, p, msg.(etf.Tuple))
	} else {
		p.node.log.Warn("host: global_name_server got an unexpected message", "msg", msg)
	}
	return NoReply(state)
}

// globalHandler handles one kind of message: tuples of one size headed by
// one atom. Handlers check the types of the elements they use, so that
// a malformed message from another node is dropped, not a crash.
type globalHandler struct {
	arity  int
	arity2 int // a second size the message comes in, or 0
	handle func(s *globalServer, p *Process, t etf.Tuple)
}

func (h globalHandler) fits(msg etf.Term) bool {
	t := msg.(etf.Tuple)
	return len(t) == h.arity || h.arity2 != 0 && len(t) == h.arity2
}

// The messages of the name server, by the atom that heads them.
var (
	globalCasts = map[etf.Atom]globalHandler{
		atomInitConnect: {arity: 4, handle: (*globalServer).initConnect},
		atomLockIsSet:   {arity: 4, handle: (*globalServer).lockIsSet},
		atomExchange:    {arity: 5, handle: (*globalServer).exchange},
		atomResolved:    {arity: 7, handle: (*globalServer).resolvedMsg},
		atomNewNodes:    {arity: 6, handle: (*globalServer).newNodes},
		atomInSync:      {arity: 3, handle: (*globalServer).inSync},
		atomLockSet:     {arity: 5, arity2: 4, handle: (*globalServer).lockSet},
		// Sent by nodes before R14A; the DOWN of the monitor does the work.
		"async_del_name": {arity: 3, handle: func(*globalServer, *Process, etf.Tuple) {}},
		"async_del_lock": {arity: 3, handle: func(*globalServer, *Process, etf.Tuple) {}},
	}
	globalInfos = map[etf.Atom]globalHandler{
		atomNodeup:           {arity: 2, handle: (*globalServer).nodeUpMsg},
		atomNodedown:         {arity: 2, handle: (*globalServer).nodeDownMsg},
		atomExtraNodedown:    {arity: 2, handle: (*globalServer).nodeDownMsg},
		atomInitConnectAck:   {arity: 4, handle: (*globalServer).initConnectAck},
		atomCancelConnect:    {arity: 3, handle: (*globalServer).cancelConnect},
		atomLostConnection:   {arity: 5, handle: (*globalServer).lostConnection},
		atomRemoveConnection: {arity: 2, handle: (*globalServer).removeConnection},
		"DOWN":               {arity: 5, handle: (*globalServer).down},
	}
)

func boolAtom(b bool) etf.Atom {
	if b {
		return etf.True
	}
	return etf.False
}

// insertName registers name for pid, as global's ins_name/6 does: the
// server monitors pid, and undoes the registration at once unless global's
// lock is still held by the one that asked for it: by (a pid) for a
// register call, or the lock named in extra for names that came from a
// sync session with node by.
func (s *globalServer) insertName(p *Process, name etf.Term, pid etf.Pid, method, by, extra etf.Term) {
	g := s.g
	ref, _ := p.Monitor(pid)
	g.mu.Lock()
	old := g.tables.takeName(name)
	g.tables.putName(&globalName{name: name, pid: pid, method: method, ref: ref})
	g.mu.Unlock()
	if old != nil {
		p.Demonitor(old.ref)
	}
	if !s.lockStillSet(by, extra) {
		s.deleteName(p, name)
	}
}

// deleteName removes a global name.
func (s *globalServer) deleteName(p *Process, name etf.Term) {
	s.g.mu.Lock()
	n := s.g.tables.takeName(name)
	s.g.mu.Unlock()
	if n != nil {
		p.Demonitor(n.ref)
	}
}

// lockStillSet reports whether a name may be inserted, as global's
// lock_still_set/3 decides: the global lock is held by the pid that asked
// for the registration, or for the requester named in extra's
// {lock, {global, ReqId}}; or no global lock is set and none was lost.
func (s *globalServer) lockStillSet(by, extra etf.Term) bool {
	s.g.mu.RLock()
	l := s.g.tables.lock(globalResource)
	s.g.mu.RUnlock()
	if l == nil {
		return !s.lockDown
	}
	switch by := by.(type) {
	case etf.Pid:
		return l.holds(by)
	case etf.Atom:
		id, ok := tagged(extraInfo(extra, atomLock), globalResource, 2)
		return ok && etf.Equal(l.requester, id[1])
	}
	return false
}

// setLock answers {set_lock, {ResourceId, LockRequesterId}} from pid: the
// lock is granted when the resource is free or held for the same
// requester, and the server monitors pid while it holds it.
func (s *globalServer) setLock(p *Process, id etf.Tuple, pid etf.Pid) bool {
	g := s.g
	g.mu.RLock()
	can := g.tables.canSetLock(id[0], id[1])
	held := can && g.tables.lock(id[0]) != nil && g.tables.lock(id[0]).holds(pid)
	g.mu.RUnlock()
	if !can || held {
		return can
	}
	ref, _ := p.Monitor(pid)
	g.mu.Lock()
	g.tables.addHolder(id[0], id[1], pid, ref)
	g.mu.Unlock()
	return true
}

// delLock answers {del_lock, {ResourceId, LockRequesterId}} from pid.
func (s *globalServer) delLock(p *Process, id etf.Tuple, pid etf.Pid) {
	s.g.mu.RLock()
	l := s.g.tables.lock(id[0])
	ours := l != nil && etf.Equal(l.requester, id[1])
	s.g.mu.RUnlock()
	if ours {
		s.removeHolder(p, id[0], pid, false)
	}
}

// removeHolder drops pid from the lock on resource. down tells that pid
// died: if that frees global's own lock, registrations counting on it
// are undone (lockDown).
func (s *globalServer) removeHolder(p *Process, resource etf.Term, pid etf.Pid, down bool) {
	s.g.mu.Lock()
	ref, held, gone := s.g.tables.removeHolder(resource, pid)
	s.g.mu.Unlock()
	if held && !down {
		p.Demonitor(ref)
	}
	if gone && resource == globalResource {
		s.lockDown = down
	}
}

// down handles the DOWN of a monitored process: a lock holder or a
// registered process died, or its node went down.
func (s *globalServer) down(p *Process, t etf.Tuple) {
	ref, ok := t[1].(etf.Ref)
	if !ok {
		return
	}
	s.g.mu.Lock()
	l, pid := s.g.tables.lockByRef(ref)
	s.g.tables.takeNameByRef(ref)
	s.g.mu.Unlock()
	if l != nil {
		s.removeHolder(p, l.resource, pid, true)
	}
}

// sync answers Sync once every connected node is in sync or down.
func (s *globalServer) sync(p *Process, from From) {
	waiting := make(map[etf.Atom]bool)
	for node := range s.up {
		if !s.synced[node] {
			waiting[node] = true
		}
	}
	if len(waiting) == 0 {
		p.Reply(from, atomOk)
		return
	}
	s.syncers = append(s.syncers, &globalSyncer{from: from, nodes: waiting})
}

// settled tells the Sync calls that node is in sync, or down.
func (s *globalServer) settled(p *Process, node etf.Atom) {
	kept := s.syncers[:0]
	for _, sy := range s.syncers {
		delete(sy.nodes, node)
		if len(sy.nodes) == 0 {
			p.Reply(sy.from, atomOk)
			continue
		}
		kept = append(kept, sy)
	}
	clear(s.syncers[len(kept):])
	s.syncers = kept
}
