package host

import (
	"context"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

// The nodes a global test plays, and processes of theirs. The node under
// test is g@host, so that a@host is smaller and x@host larger than it.
const (
	nodeG etf.Atom = "g@host"
	nodeA etf.Atom = "a@host"
	nodeB etf.Atom = "b@host"
	nodeX etf.Atom = "x@host"
)

var (
	lockerA    = etf.Pid{Node: nodeA, ID: 10, Serial: 1, Creation: 5}
	serverA    = etf.Pid{Node: nodeA, ID: 11, Serial: 1, Creation: 5}
	registrarA = etf.Pid{Node: nodeA, ID: 12, Serial: 1, Creation: 5}
	procA      = etf.Pid{Node: nodeA, ID: 13, Serial: 1, Creation: 5}
	lockerX    = etf.Pid{Node: nodeX, ID: 10, Serial: 1, Creation: 6}
	serverX    = etf.Pid{Node: nodeX, ID: 11, Serial: 1, Creation: 6}
	procX      = etf.Pid{Node: nodeX, ID: 13, Serial: 1, Creation: 6}
	procB      = etf.Pid{Node: nodeB, ID: 13, Serial: 1, Creation: 7}
)

// elixirMethod stands for the resolve method Elixir's register_name
// sends: a local fun of module global, which creo keeps opaque.
var elixirMethod = etf.Fun{Arity: 3, Module: "global", Index: 0, Pid: serverA}

// globalHarness is global on node g@host whose cluster is a wire: the
// test plays the other nodes, sending what their name servers send and
// reading what global sends them.
type globalHarness struct {
	t    testing.TB
	n    *Node
	w    wire
	g    *Global
	net  *fakeNet
	seen []etf.Tuple // signals read from the wire and not yet taken
}

// newGlobalHarness starts global on a node whose locker never tries a
// lock on its own: the other side goes first, as a BEAM node whose
// timer fired first does. pause, if given, sets the locker's pause.
func newGlobalHarness(t testing.TB, pause ...time.Duration) *globalHarness {
	t.Helper()
	w := newWire()
	n := NewNode(Config{Name: nodeG, Creation: 1, Cluster: w})
	fn := &fakeNet{connects: make(chan etf.Atom, 16), disconnects: make(chan etf.Atom, 16)}
	g := newGlobal(n, fn)
	d := time.Hour
	if len(pause) > 0 {
		d = pause[0]
	}
	g.lockerPause = func(int) time.Duration { return d }
	if _, err := n.Start(g.behaviour(), nil, Options{Name: globalServerName}); err != nil {
		t.Fatalf("start global: %v", err)
	}
	return &globalHarness{t: t, n: n, w: w, g: g, net: fn}
}

// fakeNet is a network whose connections always come up, and which
// tells the test what global asked of it.
type fakeNet struct {
	connects, disconnects chan etf.Atom
}

func (f *fakeNet) Connect(_ context.Context, node etf.Atom) error {
	f.connects <- node
	return nil
}

func (f *fakeNet) Disconnect(node etf.Atom) bool {
	f.disconnects <- node
	return true
}

func (h *globalHarness) server() etf.Pid { return h.g.Server() }

func (h *globalHarness) locker() etf.Pid {
	h.g.mu.RLock()
	defer h.g.mu.RUnlock()
	return h.g.locker
}

// nodeUp reports node connected, as the glue's monitor_nodes does.
func (h *globalHarness) nodeUp(node etf.Atom) {
	h.n.PeerSend(etf.Pid{}, h.server(), etf.Tuple{atomNodeup, node})
}

// cast delivers msg from a process of another node as gen_server:cast
// to global_name_server sends it.
func (h *globalHarness) cast(from etf.Pid, msg etf.Term) {
	h.n.PeerRegSend(from, globalServerName, etf.Tuple{atomGenCast, msg})
}

// info delivers msg from a process of another node as a plain message to
// global_name_server.
func (h *globalHarness) info(from etf.Pid, msg etf.Term) {
	h.n.PeerRegSend(from, globalServerName, msg)
}

// call makes a call from a process of another node, with the tag OTP 25's
// gen_server:multi_call gives, and returns the reply global sends back.
func (h *globalHarness) call(from etf.Pid, req etf.Term) etf.Term {
	h.t.Helper()
	tag := etf.Tuple{h.n.MakeRef(), nodeG}
	h.n.PeerRegSend(from, globalServerName, etf.Tuple{atomGenCall, etf.Tuple{from, tag}, req})
	reply := h.find(func(s etf.Tuple) bool {
		m, ok := s[3].(etf.Tuple)
		return s[0] == etf.Atom("send") && s[2] == from && ok && len(m) == 2 && etf.Equal(m[0], tag)
	}, "the reply to %v", req)
	return reply[3].(etf.Tuple)[1]
}

// find returns the first signal match accepts, among those read and not
// taken yet, then those to come. Signals of different processes of
// global interleave as they run; each process's come in order.
func (h *globalHarness) find(match func(etf.Tuple) bool, what string, args ...any) etf.Tuple {
	h.t.Helper()
	for i, s := range h.seen {
		if match(s) {
			h.seen = append(h.seen[:i], h.seen[i+1:]...)
			return s
		}
	}
	deadline := time.After(wait)
	for {
		select {
		case s := <-h.w.ch:
			if match(s) {
				return s
			}
			h.seen = append(h.seen, s)
		case <-deadline:
			h.t.Fatalf("no signal: "+what+"\nsignals seen: %v", append(args, h.seen)...)
			return nil
		}
	}
}

// take checks that global sends the signal want, a tuple as wire records
// it.
func (h *globalHarness) take(want ...etf.Term) {
	h.t.Helper()
	h.find(func(s etf.Tuple) bool { return etf.Equal(s, etf.Tuple(want)) }, "%v", etf.Tuple(want))
}

// takeCast checks that from casts msg to node's name server.
func (h *globalHarness) takeCast(from etf.Pid, node etf.Atom, msg etf.Term) {
	h.t.Helper()
	h.take(etf.Atom("send_name"), from, node, globalServerName, etf.Tuple{atomGenCast, msg})
}

// takeSend checks that from sends msg, plain, to node's name server.
func (h *globalHarness) takeSend(from etf.Pid, node etf.Atom, msg etf.Term) {
	h.t.Helper()
	h.take(etf.Atom("send_name"), from, node, globalServerName, msg)
}

// answer plays node's name server: it waits for from's call req to it and
// replies.
func (h *globalHarness) answer(from etf.Pid, node etf.Atom, req, reply etf.Term) {
	h.t.Helper()
	s := h.find(func(s etf.Tuple) bool {
		if s[0] != etf.Atom("send_name") || s[1] != from || s[2] != node {
			return false
		}
		m, ok := tagged(s[4], atomGenCall, 3)
		return ok && etf.Equal(m[2], req)
	}, "a call %v from %v to %v", req, from, node)
	caller, _ := FromTerm(s[4].(etf.Tuple)[1])
	alias, _ := aliasTagRef(caller.Tag())
	h.n.PeerAliasSend(etf.Pid{Node: node, ID: 1, Serial: 1, Creation: 5}, alias, etf.Tuple{caller.Tag(), reply})
}

// monitorRef returns the reference of the monitor global's server set on
// pid.
func (h *globalHarness) monitorRef(pid etf.Pid) etf.Ref {
	h.t.Helper()
	s := h.find(func(s etf.Tuple) bool {
		return s[0] == etf.Atom("monitor") && s[1] == h.server() && s[3] == pid
	}, "a monitor of %v", pid)
	return s[4].(etf.Ref)
}

// expectNoneFrom checks that the server sent nothing before it handles
// a marker: the next signal from the server is the init_connect a nodeup
// of a new node makes.
func (h *globalHarness) expectNoneFrom(marker etf.Atom) {
	h.t.Helper()
	h.nodeUp(marker)
	s := h.find(func(s etf.Tuple) bool { return s[1] == h.server() }, "anything from the server")
	if s[0] != etf.Atom("send_name") || s[2] != marker {
		h.t.Fatalf("the server sent %v", s)
	}
}

// connected returns the node global asked the network to connect to.
func (h *globalHarness) connected() etf.Atom {
	h.t.Helper()
	select {
	case node := <-h.net.connects:
		return node
	case <-time.After(wait):
		h.t.Fatal("global connected to no node")
		return ""
	}
}

// whereis waits until the global name resolves as want says: to want, or
// to nothing when want is the zero Pid. The server may still be handling
// what changes it.
func (h *globalHarness) whereis(name etf.Term, want etf.Pid) {
	h.t.Helper()
	h.barrier()
	got, ok := h.g.WhereisName(name)
	if got != want || ok != (want != etf.Pid{}) {
		h.t.Fatalf("whereis %v = %v, %v; want %v", name, got, ok, want)
	}
}

// barrier returns once the server has handled everything sent to it
// before.
func (h *globalHarness) barrier() {
	h.t.Helper()
	h.barrierOf(h.server())
}

// barrierOf returns once pid, a process of this node, has handled
// everything sent to it before.
func (h *globalHarness) barrierOf(pid etf.Pid) {
	h.t.Helper()
	if _, err := h.n.exec(ctx(h.t), pid, func(*Process) any { return nil }); err != nil {
		h.t.Fatal(err)
	}
}

// initConnectOf returns the init_connect global sends with tag.
func (h *globalHarness) initConnectOf(tag int) etf.Tuple {
	return etf.Tuple{atomInitConnect, etf.Tuple{etf.Int(globalVsn), etf.Int(tag)}, nodeG,
		etf.Tuple{atomLocker, atomNoLongerAPid, etf.Map{}, h.locker()}}
}

// initConnectFrom returns the init_connect a node sends with its locker
// and tag.
func initConnectFrom(node etf.Atom, locker etf.Pid, tag int) etf.Tuple {
	return etf.Tuple{atomInitConnect, etf.Tuple{etf.Int(globalVsn), etf.Int(tag)}, node,
		etf.Tuple{atomLocker, atomNoLongerAPid, etf.List{}, locker}}
}

// waitSyncers waits until n Sync calls wait at the server.
func (h *globalHarness) waitSyncers(n int) {
	h.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		v, err := h.n.exec(ctx(h.t), h.server(), func(p *Process) any { return len(p.behaviour.(*globalServer).syncers) })
		if err != nil {
			h.t.Fatal(err)
		}
		if v == n {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("%v Sync calls wait, want %d", v, n)
		}
		time.Sleep(time.Millisecond)
	}
}
