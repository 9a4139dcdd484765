package host

import (
	"fmt"

	"github.com/creo-dev/creo/dist"
	"github.com/creo-dev/creo/etf"
)

// The Cluster methods: each is one control message to the node of its
// target (erl_dist_protocol.md, "Protocol between connected nodes").

func (nw *network) Send(from, to etf.Pid, msg etf.Term) {
	nw.signal(to.Node, dist.Send{From: from, To: to, Message: msg})
}

func (nw *network) SendName(from etf.Pid, node, name etf.Atom, msg etf.Term) {
	nw.signal(node, dist.RegSend{From: from, To: name, Message: msg})
}

func (nw *network) SendAlias(from etf.Pid, alias etf.Ref, msg etf.Term) {
	nw.signal(alias.Node, dist.AliasSend{From: from, Alias: alias, Message: msg})
}

// releasingCluster is a Cluster that can send a message whose memory the
// sender gives up, and release it once written (dist.Conn.SendReleasing).
type releasingCluster interface {
	SendAliasReleasing(from etf.Pid, alias etf.Ref, msg etf.Term, release func())
}

var _ releasingCluster = (*network)(nil)

// SendAliasReleasing is SendAlias for a message whose memory the sender
// gives up: release is called once it is written, and never when it is
// not (no connection up yet, or one that ends first).
func (nw *network) SendAliasReleasing(from etf.Pid, alias etf.Ref, msg etf.Term, release func()) {
	nw.signalReleasing(alias.Node, dist.AliasSend{From: from, Alias: alias, Message: msg}, release)
}

func (nw *network) Link(from, to etf.Pid) {
	nw.signal(to.Node, dist.Link{From: from, To: to})
}

func (nw *network) Unlink(id uint64, from, to etf.Pid) {
	nw.signal(to.Node, dist.UnlinkID{ID: id, From: from, To: to})
}

func (nw *network) UnlinkAck(id uint64, from, to etf.Pid) {
	nw.signal(to.Node, dist.UnlinkIDAck{ID: id, From: from, To: to})
}

func (nw *network) Exit(from, to etf.Pid, reason etf.Term) {
	nw.signal(to.Node, dist.Exit{From: from, To: to, Reason: reason})
}

func (nw *network) Exit2(from, to etf.Pid, reason etf.Term) {
	nw.signal(to.Node, dist.Exit2{From: from, To: to, Reason: reason})
}

func (nw *network) Monitor(from etf.Pid, node etf.Atom, target etf.Term, ref etf.Ref) {
	nw.signal(node, dist.Monitor{From: from, To: target, Ref: ref})
}

func (nw *network) Demonitor(from etf.Pid, node etf.Atom, target etf.Term, ref etf.Ref) {
	nw.signal(node, dist.Demonitor{From: from, To: target, Ref: ref})
}

func (nw *network) MonitorExit(target etf.Term, to etf.Pid, ref etf.Ref, reason etf.Term) {
	nw.signal(to.Node, dist.MonitorExit{From: target, To: to, Ref: ref, Reason: reason})
}

func (nw *network) SpawnReply(id etf.Ref, to etf.Pid, flags int, result etf.Term) {
	nw.signal(to.Node, dist.SpawnReply{ReqID: id, To: to, Flags: flags, Result: result})
}

// dispatch hands a control message from the peer of c to the runtime. It
// runs on c's reader, in arrival order; none of the runtime's methods it
// calls blocks, since mailboxes are unbounded.
func (nw *network) dispatch(c *dist.Conn, m dist.Control) {
	n := nw.node
	switch m := m.(type) {
	case dist.Send:
		if nw.local(m.To) {
			if t := n.process(m.To); t != nil {
				t.deliverOnReader(c, fromPeer(m.Message, m.Buffer))
			}
		}
	case dist.RegSend:
		if t := n.names.lookup(m.To); t != nil {
			t.deliverOnReader(c, fromPeer(m.Message, m.Buffer))
		}
	case dist.AliasSend:
		n.PeerAliasSend(m.From, m.Alias, m.Message)
	case dist.Link:
		switch {
		case !nw.fromPeer(c, m.Op(), m.From):
		case nw.local(m.To):
			n.PeerLink(m.From, m.To)
		default:
			nw.Exit(m.To, m.From, Noproc)
		}
	case dist.UnlinkID:
		if nw.between(c, m.Op(), m.From, m.To) {
			n.PeerUnlink(m.ID, m.From, m.To)
		}
	case dist.UnlinkIDAck:
		if nw.between(c, m.Op(), m.From, m.To) {
			n.PeerUnlinkAck(m.ID, m.From, m.To)
		}
	case dist.Exit:
		if nw.between(c, m.Op(), m.From, m.To) {
			n.PeerExit(m.From, m.To, m.Reason)
		}
	case dist.Exit2:
		if nw.between(c, m.Op(), m.From, m.To) {
			n.PeerExit2(m.From, m.To, m.Reason)
		}
	case dist.Monitor:
		switch pid, byPid := m.To.(etf.Pid); {
		case !nw.fromPeer(c, m.Op(), m.From):
		case byPid && !nw.local(pid):
			nw.MonitorExit(m.To, m.From, m.Ref, Noproc)
		default:
			n.PeerMonitor(m.From, m.To, m.Ref)
		}
	case dist.Demonitor:
		if nw.fromPeer(c, m.Op(), m.From) {
			n.PeerDemonitor(m.From, m.To, m.Ref)
		}
	case dist.MonitorExit:
		from, _ := m.From.(etf.Pid)
		if (from == etf.Pid{} || nw.fromPeer(c, m.Op(), from)) && nw.local(m.To) {
			n.PeerMonitorExit(m.From, m.To, m.Ref, m.Reason)
		}
	case dist.SpawnRequest:
		// rpc:call, erpc:call and spawn/4 on this node: the runtime's spawn
		// handler answers, or refuses with notsup.
		if nw.fromPeer(c, m.Op(), m.From) {
			n.PeerSpawnRequest(SpawnRequest{
				ReqID: m.ReqID, From: m.From, GroupLeader: m.GroupLeader,
				Module: m.Module, Function: m.Function, Options: m.Options, Args: m.Args,
			})
		}
	default:
		// GROUP_LEADER (creo has no group leaders), SPAWN_REPLY (creo
		// spawns nothing on other nodes) and operations creo does not
		// know.
		nw.log.Debug("host: control message ignored", "peer", string(c.Peer()), "op", m.Op())
	}
}

// local reports whether pid names a process of this node: a signal to a
// pid of another node finds no process here.
func (nw *network) local(pid etf.Pid) bool { return pid.Node == nw.name }

// between reports whether a signal op goes from a process of c's peer,
// from, to a process of this node, to.
func (nw *network) between(c *dist.Conn, op dist.Op, from, to etf.Pid) bool {
	return nw.fromPeer(c, op, from) && nw.local(to)
}

// fromPeer reports whether from, the sender of a signal op, is a process
// of c's peer. A peer that speaks for the processes of another node breaks the
// protocol, and would corrupt what the node knows of links across each
// node: c is closed, as erts closes a connection that sends an invalid
// message.
func (nw *network) fromPeer(c *dist.Conn, op dist.Op, from etf.Pid) bool {
	if from.Node == c.Peer() {
		return true
	}
	nw.log.Warn("host: closing a connection that broke the protocol", "peer", string(c.Peer()),
		"err", fmt.Sprintf("%v from %v, a process of another node", op, from))
	c.Close()
	return false
}
