package host

import (
	"slices"
	"sync"

	"github.com/creo-dev/creo/etf"
)

// Cluster carries the signals of this node's processes to processes of
// other nodes: the node glue implements it over distribution connections,
// one method for each control message (erl_dist_protocol.md). The node
// calls it for every signal whose target is on another node, from the
// goroutine of the sender and holding no lock of its own. An
// implementation must be safe for concurrent use, keep the order of the
// signals one sender sends to one node, and never block for long: queue
// and return.
//
// A signal for a node that cannot be reached is dropped; the glue then
// calls [Node.NodeDown], which fires the links and monitors across that
// node with noconnection.
type Cluster interface {
	// Send delivers msg to the process to (SEND_SENDER, or SEND). from is
	// the zero Pid when no process sends.
	Send(from, to etf.Pid, msg etf.Term)
	// SendName delivers msg to the process registered as name on node
	// (REG_SEND).
	SendName(from etf.Pid, node, name etf.Atom, msg etf.Term)
	// SendAlias delivers msg to the process that owns alias (ALIAS_SEND).
	SendAlias(from etf.Pid, alias etf.Ref, msg etf.Term)
	// Link links from to to (LINK).
	Link(from, to etf.Pid)
	// Unlink asks to remove the link between from and to (UNLINK_ID);
	// the glue hands the peer's UNLINK_ID_ACK to [Node.PeerUnlinkAck].
	Unlink(id uint64, from, to etf.Pid)
	// UnlinkAck acknowledges the peer's UNLINK_ID: from is the local
	// process, to the unlinker (UNLINK_ID_ACK).
	UnlinkAck(id uint64, from, to etf.Pid)
	// Exit sends the exit signal of a link: from ended with reason
	// (PAYLOAD_EXIT, or EXIT).
	Exit(from, to etf.Pid, reason etf.Term)
	// Exit2 sends an exit signal of exit/2 (PAYLOAD_EXIT2, or EXIT2).
	Exit2(from, to etf.Pid, reason etf.Term)
	// Monitor makes from monitor target on node with ref; target is a Pid,
	// or an Atom for a monitor by name (MONITOR_P).
	Monitor(from etf.Pid, node etf.Atom, target etf.Term, ref etf.Ref)
	// Demonitor removes the monitor ref that from holds on target
	// (DEMONITOR_P).
	Demonitor(from etf.Pid, node etf.Atom, target etf.Term, ref etf.Ref)
	// MonitorExit tells to, which monitors target with ref, that target
	// ended with reason; target is the pid, or the name atom of a monitor
	// by name (PAYLOAD_MONITOR_P_EXIT, or MONITOR_P_EXIT).
	MonitorExit(target etf.Term, to etf.Pid, ref etf.Ref, reason etf.Term)
	// SpawnReply answers the spawn request id of the process to: result
	// is the new pid, or an atom saying why there is none; flags are those
	// of SPAWN_REPLY (1: link set up, 2: monitor set up).
	SpawnReply(id etf.Ref, to etf.Pid, flags int, result etf.Term)
}

// offline is the Cluster of a node on its own: nothing beyond the node
// can be reached, so links and monitors across fire at once.
type offline struct{ n *Node }

var _ Cluster = offline{}

func (offline) Send(etf.Pid, etf.Pid, etf.Term)                  {}
func (offline) SendName(etf.Pid, etf.Atom, etf.Atom, etf.Term)   {}
func (offline) SendAlias(etf.Pid, etf.Ref, etf.Term)             {}
func (offline) Unlink(uint64, etf.Pid, etf.Pid)                  {}
func (offline) UnlinkAck(uint64, etf.Pid, etf.Pid)               {}
func (offline) Exit(etf.Pid, etf.Pid, etf.Term)                  {}
func (offline) Exit2(etf.Pid, etf.Pid, etf.Term)                 {}
func (offline) Demonitor(etf.Pid, etf.Atom, etf.Term, etf.Ref)   {}
func (offline) MonitorExit(etf.Term, etf.Pid, etf.Ref, etf.Term) {}
func (offline) SpawnReply(etf.Ref, etf.Pid, int, etf.Term)       {}
func (o offline) Link(from, to etf.Pid)                          { o.n.PeerExit(to, from, Noconnection) }
func (o offline) Monitor(from etf.Pid, _ etf.Atom, target etf.Term, ref etf.Ref) {
	o.n.PeerMonitorExit(target, from, ref, Noconnection)
}

// PeerSend delivers msg from a process of another node to the local
// process to (SEND, SEND_SENDER). A message to a process that does not
// exist is dropped.
func (n *Node) PeerSend(from, to etf.Pid, msg etf.Term) {
	if t := n.process(to); t != nil {
		t.deliver(msg)
	}
}

// PeerRegSend delivers msg to the process registered as name (REG_SEND).
// A message to a name nobody holds is dropped.
func (n *Node) PeerRegSend(from etf.Pid, name etf.Atom, msg etf.Term) {
	if t := n.names.lookup(name); t != nil {
		t.deliver(msg)
	}
}

// PeerAliasSend delivers msg to the local process that owns alias
// (ALIAS_SEND); a message to an inactive alias is dropped.
func (n *Node) PeerAliasSend(from etf.Pid, alias etf.Ref, msg etf.Term) {
	n.sendAlias(from, alias, msg)
}

// PeerLink links the process from of another node to the local process
// to (LINK). If to does not exist, from gets an exit signal noproc.
func (n *Node) PeerLink(from, to etf.Pid) {
	t := n.process(to)
	if t == nil || !t.addLink(from) {
		n.cluster.Exit(to, from, Noproc)
		return
	}
	n.peers.track(from.Node, t)
}

// PeerUnlink removes the link between from and the local process to
// unless the local process is unlinking too, and acknowledges the unlink
// (UNLINK_ID).
func (n *Node) PeerUnlink(id uint64, from, to etf.Pid) {
	if t := n.process(to); t != nil {
		t.mu.Lock()
		if unlinking, ok := t.links.get(from); ok && unlinking == 0 {
			t.links.del(from)
		}
		t.mu.Unlock()
	}
	n.cluster.UnlinkAck(id, to, from)
}

// PeerUnlinkAck completes the unlink id of the local process to from the
// process from of another node (UNLINK_ID_ACK).
func (n *Node) PeerUnlinkAck(id uint64, from, to etf.Pid) {
	if t := n.process(to); t != nil {
		t.mu.Lock()
		if unlinking, ok := t.links.get(from); ok && unlinking == id {
			t.links.del(from)
		}
		t.mu.Unlock()
	}
}

// PeerExit delivers the exit signal of the link between the process from
// of another node, which ended with reason, and the local process to
// (EXIT, PAYLOAD_EXIT).
func (n *Node) PeerExit(from, to etf.Pid, reason etf.Term) {
	if t := n.process(to); t != nil {
		t.exitSignal(from, reason, true)
	}
}

// PeerExit2 delivers an exit signal of exit/2 from the process from of
// another node to the local process to (EXIT2, PAYLOAD_EXIT2).
func (n *Node) PeerExit2(from, to etf.Pid, reason etf.Term) {
	if t := n.process(to); t != nil {
		t.exitSignal(from, reason, false)
	}
}

// PeerMonitor makes the process from of another node monitor the local
// process target, a Pid or a registered name (an Atom), with ref
// (MONITOR_P). A target that does not exist is answered at once with a
// monitor exit noproc, naming target as it was given.
func (n *Node) PeerMonitor(from etf.Pid, target etf.Term, ref etf.Ref) {
	t, name := n.peerTarget(target)
	if t == nil || !t.addWatcher(ref, watcher{pid: from, name: name}) {
		n.cluster.MonitorExit(target, from, ref, Noproc)
		return
	}
	n.peers.track(from.Node, t)
}

// PeerDemonitor removes the monitor ref that the process from of another
// node holds on the local process target (DEMONITOR_P).
func (n *Node) PeerDemonitor(from etf.Pid, target etf.Term, ref etf.Ref) {
	if t, _ := n.peerTarget(target); t != nil {
		t.dropWatcher(ref)
	}
}

// peerTarget returns the local process a MONITOR_P names, and its name
// when it names it by name.
func (n *Node) peerTarget(target etf.Term) (*Process, etf.Atom) {
	switch t := target.(type) {
	case etf.Pid:
		return n.process(t), ""
	case etf.Atom:
		return n.names.lookup(t), t
	}
	return nil, ""
}

// PeerMonitorExit fires the monitor ref of the local process to on target,
// a process of another node (MONITOR_P_EXIT, PAYLOAD_MONITOR_P_EXIT).
func (n *Node) PeerMonitorExit(target etf.Term, to etf.Pid, ref etf.Ref, reason etf.Term) {
	if t := n.process(to); t != nil {
		t.monitorDown(ref, reason)
	}
}

// NodeDown reports that the connection to node is lost, or could not be
// made: every link to a process there delivers an exit signal
// noconnection, every monitor of one fires with noconnection, and the
// monitors its processes held on local ones are dropped.
func (n *Node) NodeDown(node etf.Atom) {
	for _, p := range n.peers.take(node) {
		p.nodeDown(node)
	}
}

func (p *Process) nodeDown(node etf.Atom) {
	var links []etf.Pid
	var downs []etf.Ref
	p.mu.Lock()
	for pid, unlinking := range p.links.all() {
		if pid.Node == node && unlinking == 0 {
			links = append(links, pid)
		}
	}
	p.links.deleteIf(func(pid etf.Pid, unlinking uint64) bool { return pid.Node == node && unlinking != 0 })
	for ref, m := range p.monitors.all() {
		if m.node == node {
			downs = append(downs, ref)
		}
	}
	p.watchers.deleteIf(func(_ etf.Ref, w watcher) bool { return w.pid.Node == node })
	p.mu.Unlock()
	for _, pid := range links {
		p.exitSignal(pid, Noconnection, true)
	}
	for _, ref := range downs {
		p.monitorDown(ref, Noconnection)
	}
}

// peerIndex knows which local processes have links or monitors across
// each other node, so that NodeDown visits those and no others.
type peerIndex struct {
	mu    sync.Mutex
	nodes map[etf.Atom]map[*Process]struct{}
	procs map[*Process][]etf.Atom
}

// track records that p has a link or monitor across node. An exited
// process is not recorded: its exit may have run forget already.
func (x *peerIndex) track(node etf.Atom, p *Process) {
	x.mu.Lock()
	defer x.mu.Unlock()
	p.mu.Lock()
	dead := p.status == exited
	p.tracked = !dead
	p.mu.Unlock()
	if dead {
		return
	}
	if x.nodes == nil {
		x.nodes = make(map[etf.Atom]map[*Process]struct{})
		x.procs = make(map[*Process][]etf.Atom)
	}
	set := x.nodes[node]
	if set == nil {
		set = make(map[*Process]struct{})
		x.nodes[node] = set
	}
	if _, ok := set[p]; ok {
		return
	}
	set[p] = struct{}{}
	x.procs[p] = append(x.procs[p], node)
}

// take removes node and returns the processes it held.
func (x *peerIndex) take(node etf.Atom) []*Process {
	x.mu.Lock()
	defer x.mu.Unlock()
	set := x.nodes[node]
	delete(x.nodes, node)
	procs := make([]*Process, 0, len(set))
	for p := range set {
		procs = append(procs, p)
		nodes := slices.DeleteFunc(x.procs[p], func(a etf.Atom) bool { return a == node })
		if len(nodes) == 0 {
			delete(x.procs, p)
		} else {
			x.procs[p] = nodes
		}
	}
	return procs
}

// forget drops an exited process.
func (x *peerIndex) forget(p *Process) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, node := range x.procs[p] {
		delete(x.nodes[node], p)
	}
	delete(x.procs, p)
}
