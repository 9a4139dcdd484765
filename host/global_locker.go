package host

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/creo-dev/creo/etf"
)

// globalLocker is global's locker: before two name servers exchange their
// names, it sets global's lock on every node of this node's partition and
// on the other side, with a lock id that both sides' lockers compute
// alike, {global, lists:sort([LockerA, LockerB])}, and keeps it until the
// server has synced. Either locker may go first: the one whose timer
// fires locks its partition and the other node and sends lock_set; the
// other locks its own partition when that comes.
//
// OTP's locker waits with selective receives; this one is a state machine
// that postpones what its wait does not match and takes it up, in order,
// when the wait ends.
type globalLocker struct {
	Defaults
	g          *Global
	peers      []lockerPeer // the other sides of the sessions under way
	justSynced bool         // a session just completed: try the next at once
	wait       lockerWait
	postponed  []etf.Term
}

// lockerPeer is the other side of a session, as his_the_locker gives it.
type lockerPeer struct {
	node   etf.Atom
	locker etf.Pid
	vsn    int
	myTag  etf.Term
	hisTag etf.Term
}

// lockerWait is what the locker waits for, holding a lock.
type lockerWait struct {
	kind   waitKind
	peer   lockerPeer
	lockID etf.Tuple
	nodes  []etf.Atom // the nodes locked with lockID
}

type waitKind uint8

const (
	waitNone    waitKind = iota
	waitLockSet          // our lock is set; the other side's lock_set must come
	waitCancel           // both are set; the server cancels once synced
)

// Timeouts of the locker's first try of a session (global's
// loop_the_locker): soon when this node knows no others, later when it
// does, so that the lockers of a partition do not all try at once.
const (
	lockerAlone     = 200 * time.Millisecond
	lockerBase      = time.Second
	lockerPerNode   = 100 * time.Millisecond
	lockerMostDelay = 3 * time.Second
)

// lockerPause returns the locker's pause before a try when this node
// knows known other nodes.
func lockerPause(known int) time.Duration {
	if known == 0 {
		return lockerAlone
	}
	return min(lockerBase+time.Duration(known)*lockerPerNode, lockerMostDelay)
}

func (l *globalLocker) Init(*Process, etf.Term) Result { return Ok(etf.Atom("locker")) }

// HandleInfo handles the server's messages and the other side's lock_set,
// or the timeout that starts a try.
func (l *globalLocker) HandleInfo(p *Process, msg, state etf.Term) Result {
	msg = decoded(msg)
	switch {
	case l.wait.kind != waitNone:
		if !l.waiting(p, msg) {
			l.postponed = append(l.postponed, msg)
		}
	case msg == Timeout:
		l.justSynced = false
		if !l.g.globalLockSet() {
			l.selectPeer(p)
		}
	default:
		l.handle(p, msg)
	}
	l.replay(p)
	return l.next(state)
}

// HandleCast logs a cast: nobody casts to the locker.
func (l *globalLocker) HandleCast(p *Process, msg, state etf.Term) Result {
	p.node.log.Warn("host: global locker got an unexpected cast", "msg", msg)
	return NoReply(state)
}

// next returns the result that waits for the locker's next message: with
// the timeout of its next try while it has sessions to lock and holds no
// lock.
func (l *globalLocker) next(state etf.Term) Result {
	r := NoReply(state)
	switch {
	case l.wait.kind != waitNone:
		return r
	case len(l.peers) == 0:
		l.justSynced = false
		return r
	case l.justSynced:
		return r.WithTimeout(0)
	}
	return r.WithTimeout(l.g.lockerPause(len(l.g.knownNodes())))
}

// handle handles a message while the locker waits for nothing.
func (l *globalLocker) handle(p *Process, msg etf.Term) {
	t, _ := msg.(etf.Tuple)
	switch {
	case len(t) == 5 && t[0] == atomHisTheLocker:
		pid, ok1 := t[1].(etf.Pid)
		vt, ok2 := t[2].(etf.Tuple)
		if ok1 && ok2 && len(vt) == 2 {
			vsn, _ := vt[0].(etf.Int)
			l.peers = append(l.peers, lockerPeer{node: pid.Node, locker: pid, vsn: int(vsn), hisTag: t[3], myTag: t[4]})
		}
	case len(t) == 4 && t[0] == atomCancel:
		if node, ok := t[1].(etf.Atom); ok && t[2] != etf.Undefined {
			l.dropPeer(node, t[2])
		}
	case (len(t) == 5 || len(t) == 4) && t[0] == atomLockSet:
		if t[2] == etf.True {
			l.lockSetFirst(p, t)
		}
	default:
		p.node.log.Warn("host: global locker got an unexpected message", "msg", msg)
	}
}

// lockSetFirst handles the other side's lock_set true when it came first:
// it has locked its partition and this node, so this one locks its own
// partition with the same id and answers.
func (l *globalLocker) lockSetFirst(p *Process, t etf.Tuple) {
	pid, ok := t[1].(etf.Pid)
	if !ok {
		return
	}
	i := slices.IndexFunc(l.peers, func(pr lockerPeer) bool { return pr.node == pid.Node })
	if i < 0 || len(t) == 5 && !etf.Equal(l.peers[i].myTag, t[4]) {
		// No session with it, or another one: it must take back its lock.
		l.sendLockSet(p, false, pid, 5, nil)
		return
	}
	peer := l.peers[i]
	id := lockID(p.Self(), pid)
	set := l.lockPartition(p, id, nil)
	l.sendLockSet(p, set, pid, peer.vsn, peer.hisTag)
	if set {
		l.locked(p, peer, id, append([]etf.Atom{p.node.name}, l.g.knownNodes()...))
	}
}

// selectPeer is the try the locker's timer starts: it picks a session, locks
// this partition and the other node, and tells the other side.
func (l *globalLocker) selectPeer(p *Process) {
	l.peers = slices.DeleteFunc(l.peers, func(pr lockerPeer) bool { return l.g.isKnown(pr.node) })
	if len(l.peers) == 0 {
		return
	}
	peer := l.peers[rand.IntN(len(l.peers))]
	id := lockID(p.Self(), peer.locker)
	if !l.lockPartition(p, id, []etf.Atom{peer.node}) {
		return
	}
	nodes := append([]etf.Atom{p.node.name, peer.node}, l.g.knownNodes()...)
	l.sendLockSet(p, true, peer.locker, peer.vsn, peer.hisTag)
	l.wait = lockerWait{kind: waitLockSet, peer: peer, lockID: id, nodes: nodes}
}

// waiting handles msg if the wait expects it, and reports whether it did.
func (l *globalLocker) waiting(p *Process, msg etf.Term) bool {
	w := &l.wait
	t, _ := msg.(etf.Tuple)
	if len(t) == 4 && t[0] == atomCancel && t[1] == w.peer.node && etf.Equal(t[2], w.peer.myTag) {
		l.callFun(p, t[3])
		l.g.deleteGlobalLock(p, w.lockID, w.nodes)
		l.dropPeer(w.peer.node, w.peer.myTag)
		l.justSynced = w.kind == waitCancel
		l.wait = lockerWait{}
		return true
	}
	if w.kind != waitLockSet || len(t) != 4 && len(t) != 5 || t[0] != atomLockSet {
		return false
	}
	if node, ok := nodeOf(t[1]); !ok || node != w.peer.node {
		return false
	}
	if len(t) == 5 && !etf.Equal(t[4], w.peer.myTag) {
		return true // an older session's answer: dropped
	}
	if t[2] == etf.True {
		l.locked(p, w.peer, w.lockID, w.nodes)
		return true
	}
	l.g.deleteGlobalLock(p, w.lockID, w.nodes)
	l.wait = lockerWait{}
	return true
}

// locked tells the server that both partitions are locked with id, and
// waits for it to cancel the session once synced.
func (l *globalLocker) locked(p *Process, peer lockerPeer, id etf.Tuple, nodes []etf.Atom) {
	p.Cast(globalServerName, etf.Tuple{atomLockIsSet, peer.node, peer.myTag, id})
	l.wait = lockerWait{kind: waitCancel, peer: peer, lockID: id, nodes: nodes}
}

// replay takes up the postponed messages once the wait that postponed
// them is over, in order, as the receives of OTP's locker find them.
func (l *globalLocker) replay(p *Process) {
	for {
		if l.wait.kind == waitNone {
			if len(l.postponed) == 0 {
				return
			}
			m := l.postponed[0]
			l.postponed = slices.Delete(l.postponed, 0, 1)
			l.handle(p, m)
			continue
		}
		i := slices.IndexFunc(l.postponed, func(m etf.Term) bool { return l.waiting(p, m) })
		if i < 0 {
			return
		}
		l.postponed = slices.Delete(l.postponed, i, i+1)
	}
}

// dropPeer forgets the session with node tagged tag.
func (l *globalLocker) dropPeer(node etf.Atom, tag etf.Term) {
	l.peers = slices.DeleteFunc(l.peers, func(pr lockerPeer) bool {
		return pr.node == node && etf.Equal(pr.myTag, tag)
	})
}

// lockPartition sets the lock id on this node's partition and on extra,
// the boss first (lock_nodes_safely): a locker that has the boss is the
// one that goes on, so two lockers of a partition do not lock each other
// out half way.
func (l *globalLocker) lockPartition(p *Process, id etf.Tuple, extra []etf.Atom) bool {
	g, me := l.g, p.node.name
	boss := theBoss(append(g.knownNodes(), me))
	if boss != me && !g.canSetLock(id) {
		return false
	}
	first := []etf.Atom{boss}
	if !g.setLockOn(p, id, first) {
		return false
	}
	second := without(append([]etf.Atom{me}, extra...), boss)
	if !g.setLockOn(p, id, second) {
		g.delLockOn(p, id, first)
		return false
	}
	if !g.setLockOn(p, id, without(g.knownNodes(), boss)) {
		g.delLockOn(p, id, append(first, second...))
		return false
	}
	return true
}

// sendLockSet tells the other side's locker whether this partition is
// locked, through his name server since version 6, with his tag since
// version 8.
func (l *globalLocker) sendLockSet(p *Process, set bool, his etf.Pid, vsn int, hisTag etf.Term) {
	msg := etf.Tuple{atomLockSet, p.Self(), boolAtom(set), atomList(l.g.knownNodes())}
	if vsn >= globalVsn {
		msg = append(msg, hisTag)
	}
	if vsn < 6 {
		_ = p.Send(his, msg)
		return
	}
	p.Cast(to(his.Node), msg)
}

// callFun runs what the server asked to be done while the lock is still
// held: {new_nodes, [{Node, Msg}]} casts each Msg to Node's name server,
// telling this partition of the one it synced with.
func (l *globalLocker) callFun(p *Process, fun etf.Term) {
	t, ok := tagged(fun, atomNewNodes, 2)
	if !ok {
		return
	}
	sends, _ := listOf(t[1])
	for _, s := range sends {
		if s, ok := s.(etf.Tuple); ok && len(s) == 2 {
			if node, ok := s[0].(etf.Atom); ok {
				p.Cast(to(node), s[1])
			}
		}
	}
}

// lockID returns the id both lockers of a session lock with: {global,
// lists:sort([LockerA, LockerB])}.
func lockID(a, b etf.Pid) etf.Tuple {
	if etf.Compare(b, a) < 0 {
		a, b = b, a
	}
	return etf.Tuple{globalResource, etf.List{a, b}}
}
