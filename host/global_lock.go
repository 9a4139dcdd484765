package host

import (
	"context"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/creo-dev/creo/etf"
)

// nodeReply is the answer of one node's name server to a multi call.
type nodeReply struct {
	node  etf.Atom
	reply etf.Term
}

// multiCall calls the name server of each of nodes with req from p and
// returns the answers of those that answered, as gen_server:multi_call/3
// does; a node that is down gives none. The calls go one after the other,
// from p itself, so that the servers see p as the caller, as OTP's
// multi_call without a timeout makes them see it. Callback-only.
func (g *Global) multiCall(p *Process, nodes []etf.Atom, req etf.Term) []nodeReply {
	replies := make([]nodeReply, 0, len(nodes))
	for _, node := range nodes {
		reply, err := p.Call(context.Background(), to(node), req, Infinity)
		if err == nil {
			replies = append(replies, nodeReply{node: node, reply: decoded(reply)})
		}
	}
	return replies
}

// setLockOn sets the lock id, {ResourceId, LockRequesterId}, on nodes
// for p, once, as global's set_lock_on_nodes/2 does: if any node refuses,
// the lock is taken back from those that granted it. Callback-only.
func (g *Global) setLockOn(p *Process, id etf.Tuple, nodes []etf.Atom) bool {
	if len(nodes) == 0 {
		return true
	}
	// Probing this node first saves asking the others in vain.
	if len(nodes) > 1 && slices.Contains(nodes, g.n.name) && !g.canSetLock(id) {
		return false
	}
	replies := g.multiCall(p, nodes, etf.Tuple{atomSetLock, id})
	var granted []etf.Atom
	refused := false
	for _, r := range replies {
		if r.reply == etf.True {
			granted = append(granted, r.node)
		} else {
			refused = true
		}
	}
	if refused && len(replies) > 1 {
		g.multiCall(p, granted, etf.Tuple{atomDelLock, id})
	}
	return !refused
}

// delLockOn deletes the lock id that p holds on nodes. Callback-only.
func (g *Global) delLockOn(p *Process, id etf.Tuple, nodes []etf.Atom) {
	g.multiCall(p, nodes, etf.Tuple{atomDelLock, id})
}

// deleteGlobalLock deletes the lock id on nodes, the boss last, since
// lockers lock the boss first (delete_global_lock).
func (g *Global) deleteGlobalLock(p *Process, id etf.Tuple, nodes []etf.Atom) {
	boss := theBoss(nodes)
	g.delLockOn(p, id, without(nodes, boss))
	g.delLockOn(p, id, []etf.Atom{boss})
}

// theBoss returns the largest of nodes, the one every locker locks first,
// so that two lockers of one partition meet there.
func theBoss(nodes []etf.Atom) etf.Atom {
	return slices.Max(nodes)
}

// without returns nodes except those in drop.
func without(nodes []etf.Atom, drop ...etf.Atom) []etf.Atom {
	out := make([]etf.Atom, 0, len(nodes))
	for _, n := range nodes {
		if !slices.Contains(drop, n) {
			out = append(out, n)
		}
	}
	return out
}

// randomSleep waits a random time before the times-th retry of a lock:
// up to 1/8 s the first time, doubling up to 8 s, as global's
// random_sleep/1 does.
func randomSleep(times int) {
	most := 8000
	if times <= 5 {
		most = (1 << times) * 1000 / 8
	}
	time.Sleep(time.Duration(1+rand.IntN(most)) * time.Millisecond)
}
