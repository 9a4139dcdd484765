package host

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/creo-dev/creo/etf"
)

// Global is a node's part in Erlang's global name registry: kernel's
// global_name_server, with its locker and registrar, speaking version 8 of
// global's protocol, the version of OTP 25 to 28. It lets :global.sync()
// complete on the BEAM nodes of a cluster with creo in it, names
// registered anywhere in the cluster resolve on creo, and creo processes
// be registered globally, from Go or by any node.
//
// A visible node runs it among its system processes, and [Node.Global]
// returns it; a hidden node does not, and the BEAM talks no global to
// hidden nodes. The name server follows the node's visible connections
// with [Node.MonitorNodes].
//
// # Decisions
//
// creo is a full participant, as reference/erlang-global.md §7 describes:
// it locks partitions, exchanges names, resolves conflicts, tells the
// nodes it learns of that it is in sync with them, and honours
// prevent_overlapping_partitions. It never originates lost_connection:
// creo keeps its connections up and never drops one of its own will, so
// it has nothing to report. It relays the lost_connection reports of
// others and acts on them as OTP does: it asks the node reported lost to
// drop its connection to creo.
//
// creo cannot run Erlang funs, so it resolves a name conflict it must
// resolve by the method's name: fun global:random_notify_name/3 and fun
// global:notify_all_name/3 do what OTP's do, and every other method,
// fun global:random_exit_name/3 and the local funs Elixir sends among
// them, is taken as random_exit_name, global's default: the pid on the
// smaller node keeps the name and the other is killed.
//
// Names registered by C nodes through another node (register_ext) are
// kept as ordinary names: creo does not link them to the registering
// node. creo's own exchanges carry no such names.
//
// gen_server:multi_call's middleman-free form is mirrored by calling the
// nodes one after the other from the calling process, so that every lock
// is held by the pid OTP would see: the locker's or the registrar's.
//
// Concurrency: the server is the only writer of the tables; the Go API
// reads them under mu, as global's readers read its ETS tables.
type Global struct {
	n   *Node
	net globalNet

	server, locker, registrar etf.Pid
	tags                      atomic.Int64 // the last sync session tag handed out
	// lockerPause is how long the locker waits before it tries to lock
	// for a session, when this node knows known others.
	lockerPause func(known int) time.Duration

	mu     sync.RWMutex
	tables globalTables
	known  map[etf.Atom]int // the nodes known to global, with their protocol version
}

// globalNet is what global needs of the node's networking: a
// distributed [Node] itself, or a test's stand-in.
type globalNet interface {
	// Connect connects to node unless it is connected, and returns once
	// the connection is up or could not be made.
	Connect(ctx context.Context, node etf.Atom) error
	// Disconnect closes the connection to node; its nodedown follows.
	Disconnect(node etf.Atom) bool
}

// Protocol constants of global (kernel's global.erl).
const (
	// globalVsn is the protocol version creo speaks: OTP 25 to 28's.
	globalVsn = 8
	// globalServerName is the registered name of the name server on every
	// visible node; all of global's traffic between nodes goes to it.
	globalServerName etf.Atom = "global_name_server"
	// globalResource is the resource global's own lock is set on, when
	// partitions connect and while a name is registered (?GLOBAL_RID).
	globalResource etf.Atom = "global"
)

// defaultMethod is the resolve method of names registered from Go:
// global's default, which every BEAM node accepts from another node.
var defaultMethod = etf.Export{Module: "global", Function: "random_exit_name", Arity: 3}

// Global returns the node's part in global, or nil when the node is
// hidden or not distributed.
func (n *Node) Global() *Global {
	if nw := n.network(); nw != nil {
		return nw.global
	}
	return nil
}

// newGlobal returns the global of n, whose name server is yet to start
// from [Global.behaviour].
func newGlobal(n *Node, net globalNet) *Global {
	g := &Global{n: n, net: net, known: make(map[etf.Atom]int), lockerPause: lockerPause}
	g.tables.init()
	return g
}

// behaviour returns the name server's Behaviour, to start registered as
// global_name_server. Each start begins afresh.
func (g *Global) behaviour() Behaviour { return &globalServer{g: g} }

// Server returns the pid of global_name_server.
func (g *Global) Server() etf.Pid {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.server
}

// WhereisName returns the pid registered globally as name, as
// global:whereis_name/1 does, from this node's copy of the names: a
// local pid that has exited is not returned.
func (g *Global) WhereisName(name etf.Term) (etf.Pid, bool) {
	g.mu.RLock()
	n := g.tables.name(name)
	g.mu.RUnlock()
	if n == nil || g.n.isLocal(n.pid.Node) && g.n.process(n.pid) == nil {
		return etf.Pid{}, false
	}
	return n.pid, true
}

// RegisteredNames returns every globally registered name, as
// global:registered_names/0 does.
func (g *Global) RegisteredNames() []etf.Term {
	g.mu.RLock()
	defer g.mu.RUnlock()
	names := make([]etf.Term, 0, len(g.tables.names))
	for _, n := range g.tables.names {
		names = append(names, n.name)
	}
	return names
}

// RegisterName registers pid globally as name on every node known to
// global, as global:register_name/2 does, and reports whether it did: it
// does not when the name is taken or pid has a global name already. It
// returns once every node has the name.
func (g *Global) RegisterName(ctx context.Context, name etf.Term, pid etf.Pid) (bool, error) {
	reply, err := g.n.Call(ctx, g.registrarPid(), etf.Tuple{atomRegister, name, pid, defaultMethod}, Infinity)
	if err != nil {
		return false, err
	}
	return reply == atomYes, nil
}

// UnregisterName removes the global name on every node known to global,
// as global:unregister_name/1 does. A name nobody holds is no error.
func (g *Global) UnregisterName(ctx context.Context, name etf.Term) error {
	if _, ok := g.WhereisName(name); !ok {
		return nil
	}
	_, err := g.n.Call(ctx, g.registrarPid(), etf.Tuple{atomUnregister, name}, Infinity)
	return err
}

// Send sends msg to the process registered globally as name, as
// global:send/2 does, and returns its pid. It fails with
// {badarg, {Name, Msg}} when the name is not registered.
func (g *Global) Send(name, msg etf.Term) (etf.Pid, error) {
	pid, ok := g.WhereisName(name)
	if !ok {
		return etf.Pid{}, &ExitError{Reason: etf.Tuple{etf.Atom("badarg"), etf.Tuple{name, msg}}}
	}
	return pid, g.n.Send(pid, msg)
}

// Sync returns once global on this node is in sync with every visible
// node connected now, or that node went down, as global:sync/0 does.
func (g *Global) Sync(ctx context.Context) error {
	_, err := g.n.Call(ctx, g.Server(), atomSync, Infinity)
	return err
}

func (g *Global) registrarPid() etf.Pid {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.registrar
}

// knownNodes returns the nodes known to global.
func (g *Global) knownNodes() []etf.Atom {
	g.mu.RLock()
	defer g.mu.RUnlock()
	nodes := make([]etf.Atom, 0, len(g.known))
	for node := range g.known {
		nodes = append(nodes, node)
	}
	return nodes
}

// isKnown reports whether node is known to global.
func (g *Global) isKnown(node etf.Atom) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	_, ok := g.known[node]
	return ok
}

// canSetLock reports whether this node's server would grant the lock id,
// {ResourceId, LockRequesterId}.
func (g *Global) canSetLock(id etf.Tuple) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.tables.canSetLock(id[0], id[1])
}

// globalLockSet reports whether global's own lock is set on this node.
func (g *Global) globalLockSet() bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.tables.lock(globalResource) != nil
}
