package host

import (
	"io"
	"log/slog"
	"sync/atomic"

	"github.com/creo-dev/creo/etf"
)

// Config configures a [Node].
type Config struct {
	// Name is the node's name, name@host. Empty means nonode@nohost, a
	// node that is not distributed.
	Name etf.Atom
	// Creation tells this incarnation of the node from earlier ones with
	// the same name; EPMD hands it out when the node registers. Every pid
	// and reference the node makes carries it.
	Creation uint32
	// Cluster carries signals to processes of other nodes. Nil leaves the
	// node on its own: messages to other nodes are dropped, and links and
	// monitors to them fire at once with noconnection.
	Cluster Cluster
	// Logger receives crash reports and supervisor reports. Nil discards
	// them.
	Logger *slog.Logger
}

// Node is a creo node: its processes, their names, links, monitors and
// timers, and the supervision tree they run under. Its methods are safe
// for concurrent use. Its rules are OTP's, so that an Elixir developer's
// habits hold; where it departs from OTP is listed last.
//
// # Processes
//
// A [Process] has a pid (its slot in the node's process table and the
// slot's generation, as on the BEAM), a mailbox that is unbounded and
// keeps arrival order, links, monitors, aliases and a registered name.
// Every process runs a gen_server: a [Behaviour] whose callbacks take and
// return terms, with a state the runtime keeps and never looks into, so
// that a Wasm module can keep its state encoded ([etf.Raw]). Messages that
// arrive encoded stay encoded: only the outer tuple of gen_server's own
// messages is read.
//
// An idle process has no goroutine. The first message to arrive marks it
// running and hands it to a runner, a goroutine from a pool shared by all
// nodes; the runner handles messages in arrival order until the mailbox is
// empty (letting others run every 64 messages) and then parks, waiting
// for the next process to run. At most one runner holds a process, so the
// messages between two processes keep their order. A callback may block —
// in a call to another server, say — and only holds its runner meanwhile;
// Init runs on the goroutine that starts the server, which waits for it
// anyway, so a start creates no goroutine.
//
// A message from another node that finds its process idle runs it on the
// connection's reader instead (dist.Conn.RunInline), as a BEAM scheduler
// serves a message on the thread that polled it: the reader handles the
// call and writes the reply, and no other thread is woken. Handing the
// process to a runner woke one on every call (runtime.wakep, a futex and
// a second thread spinning, trying to steal it); from an Elixir caller,
// one call at a time, that took creo's node from 1.07 to 0.30 futex calls
// and 2.8 to 1.9 context switches a call, and the round trip from 64 to
// 56 µs (medians of 4 alternating runs, perf stat). A callback that waits
// hands reading over to a new goroutine first, and one that runs past a
// millisecond has it taken over, so other processes' messages still flow.
//
// That choice was measured (BenchmarkIdleMemory, BenchmarkSpawn, on a
// shared 2-core machine, Go 1.26, medians): an idle process costs 464
// bytes, where a parked goroutine alone, the cost a goroutine per process
// would add to it, costs 1.6 to 4.2 KB (Go sizes new stacks after the
// ones it has seen), 3.5 to 9 times more; 1,000,000 idle processes take
// 464 MB and half a second to spawn. A server starts with its Init in
// 0.55 µs (1.8 million a second), with one allocation. Parked runners are
// reused rather than new goroutines started because a new goroutine's
// stack grows on every activation: reuse halved the cost of a call, to
// 1.0 µs and one allocation, 1.85 times a round trip over two Go channels
// in the same run (BenchmarkCall); a message costs 0.13 µs and no
// allocation, 2.1 times a send on a buffered channel (BenchmarkSend).
//
// # Signals
//
// Links, monitors and exit signals act when they are delivered, under the
// receiving process's lock, rather than through a second queue: a trapped
// exit becomes an {'EXIT', From, Reason} message in order with the
// sender's other messages, a fatal one marks the process to end, and a
// link or monitor to a process that is dead or unknown fails at once
// (noproc). A process ends at its next safe point: between callbacks, or
// in a wait ([Process.Call], a supervisor's shutdown), which an exit
// signal interrupts. A callback cannot be cut short: when one that was
// killed returns, its result is dropped and terminate does not run, as if
// the process had died at once; one that never returns keeps its process
// (the Wasm adapter bounds callbacks with a deadline).
//
// The exit rules are OTP's: a link's signal with reason normal is ignored
// unless the process traps exits; kill sent with exit/2 ends any process
// with reason killed, but kill as a link's reason is an ordinary reason;
// exit(self(), normal) ends the process; trapped signals become messages.
// Links to other nodes follow the new link protocol: an unlink leaves the
// link inactive until the peer acknowledges it (UNLINK_ID, UNLINK_ID_ACK).
//
// # Calls
//
// A call monitors the server with a reference that is also the caller's
// alias, and sends {'$gen_call', {Pid, [alias | Ref]}, Request}, as
// gen:call does since OTP 24: a missing server gives noproc at once, a
// lost node {nodedown, Node}, and the reply is taken from the alias, or
// from a message to the caller's pid with the same tag (net_kernel replies
// that way). The caller's other messages wait in its mailbox meanwhile.
// Calls between processes of one node skip building the wire tuples.
//
// # The rest of the cluster
//
// Every signal for a process of another node goes through one [Cluster],
// which the distribution glue implements with one control message per
// method; signals that arrive from peers come in through the Node's Peer
// methods, and [Node.NodeDown] fires the links and monitors across a lost
// connection with noconnection. A node without a Cluster is on its own:
// links and monitors to other nodes fire at once with noconnection.
//
// # Where creo departs from OTP
//
//   - A callback that panics ends its process with {panic, Message}, the
//     stack going to the log; [Exit] ends it with a reason of its own, as
//     exit/1 does.
//   - When the Init of a linked start fails, the link is removed before
//     the start returns the reason, so the starter gets an error and never
//     also an exit signal (as proc_lib does since OTP 26 for trapping
//     starters).
//   - :sys.replace_state with an Erlang fun cannot run the fun: the reply
//     is the error OTP gives for a fun that failed,
//     {callback_failed, {gen_server, system_replace_state}, {error, notsup}}.
//     [Node.ReplaceState] takes a Go function.
//   - A supervisor answers calls it does not know with
//     {error, {unknown_call, Request}} where OTP's would crash, and a
//     start_child with a child spec from another node (which names Erlang
//     code) with {error, notsup}.
//   - Hibernate releases the mailbox's buffer; there is no heap to shrink.
//   - sys debugging (trace, log, statistics) is not kept: its reads answer
//     as on a server that never turned it on.
type Node struct {
	name     etf.Atom
	creation uint32
	cluster  Cluster
	log      *slog.Logger

	procs  table
	names  registry
	refs   atomic.Uint64
	timers timers
	peers  peerIndex
	done   chan struct{} // closed when the root supervisor ends

	spawnHandler atomic.Pointer[func(SpawnRequest)]
}

// NewNode returns a node with no processes.
func NewNode(cfg Config) *Node {
	n := &Node{
		name:     cfg.Name,
		creation: cfg.Creation,
		cluster:  cfg.Cluster,
		log:      cfg.Logger,
	}
	if n.name == "" {
		n.name = "nonode@nohost"
	}
	if n.cluster == nil {
		n.cluster = offline{n}
	}
	if n.log == nil {
		n.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return n
}

// Name returns the node's name.
func (n *Node) Name() etf.Atom { return n.name }

// Creation returns the node's creation.
func (n *Node) Creation() uint32 { return n.creation }

// makeRef returns a new reference. When owner is not nil the reference
// names it, so that a message to the reference used as an alias finds its
// process without a global table: word 1 holds the owner's table slot plus
// one. Words 0 and 2 hold a 64-bit counter, which alone keeps references
// unique.
func (n *Node) makeRef(owner *Process) etf.Ref {
	c := n.refs.Add(1)
	ref := etf.Ref{Node: n.name, Creation: n.creation, Len: 3}
	ref.ID[0] = uint32(c)
	ref.ID[2] = uint32(c >> 32)
	if owner != nil {
		ref.ID[1] = owner.pid.ID + 1
	}
	return ref
}

// MakeRef returns a new reference, as make_ref/0 does.
func (n *Node) MakeRef() etf.Ref { return n.makeRef(nil) }

// isLocal reports whether pid names a process of this node, living or not.
func (n *Node) isLocal(node etf.Atom) bool { return node == n.name }

// process returns the living local process pid names, or nil. A pid of an
// earlier incarnation of this node names no living process.
func (n *Node) process(pid etf.Pid) *Process {
	if pid.Creation != n.creation {
		return nil
	}
	return n.procs.lookup(pid.ID, pid.Serial)
}

// refOwner returns the process in the table slot a local reference made by
// makeRef names, or nil. The slot may hold a later process than the one
// that made the reference: callers check that the process knows it.
func (n *Node) refOwner(ref etf.Ref) *Process {
	if ref.Creation != n.creation || ref.Len != 3 || ref.ID[1] == 0 {
		return nil
	}
	return n.procs.at(ref.ID[1] - 1)
}
