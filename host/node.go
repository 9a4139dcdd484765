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
// for concurrent use.
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
