package host

import (
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/creo-dev/creo/dist"
	"github.com/creo-dev/creo/etf"
)

// throughput is how many messages a process handles before it lets other
// goroutines run.
const throughput = 64

type status uint8

const (
	// idle: no goroutine runs the process; a message arriving starts one.
	idle status = iota
	// running: one goroutine owns the process: it runs callbacks, waits in
	// a call, runs init for a starter, or drives a client.
	running
	// exited: the process is dead; signals to it are dropped.
	exited
)

// Process is a process of a [Node]: a pid, a mailbox, links and monitors,
// and the gen_server that runs in it. Callbacks get their process as the
// handle through which they act: Self, Send, Call, Reply, timers, links
// and monitors.
//
// A process has no goroutine while it is idle. When a message arrives a
// runner, a goroutine of a pool all nodes share, takes the process and
// handles messages in arrival order until the mailbox is empty; at most
// one runner holds a process at a time (see [Node]). The methods
// documented as callback-only must be called from the process's own
// callbacks; the others are safe from any goroutine.
type Process struct {
	node *Node
	pid  etf.Pid

	mu       sync.Mutex
	status   status
	trapExit bool
	// doomed is set with pending, so that the check after each callback
	// (fatal) takes the mutex only when there is an exit signal.
	doomed atomic.Bool
	// pending is an exit signal received while the process ran; it ends
	// the process at the next safe point (between callbacks, or in a wait).
	pending  etf.Term
	mail     mailbox
	links    smallMap[etf.Pid, uint64]  // linked pid → id of an unlink in progress, 0 if active
	monitors smallMap[etf.Ref, monitor] // the processes this one monitors
	watchers smallMap[etf.Ref, watcher] // the processes that monitor this one
	aliases  smallMap[etf.Ref, struct{}]
	name     etf.Atom
	wait     *waiter // set while the process's goroutine awaits replies
	restarts int     // how many times its supervisor restarted it
	tracked  bool    // it is in the node's peer index
	life     *life   // its Context, once asked for
	// onReader is p.runOnReader, bound once, by the goroutine that first
	// runs the process on a connection's reader, while it owns the process:
	// a method value made for each message cost an allocation a call.
	onReader func(dist.InlineRun)

	// server is owned by the goroutine that runs the process; its
	// behaviour changes under mu, for introspection.
	server
}

// Self returns the process's pid.
func (p *Process) Self() etf.Pid { return p.pid }

// Node returns the node the process runs on.
func (p *Process) Node() *Node { return p.node }

// Logger returns the node's logger with the process's pid.
func (p *Process) Logger() *slog.Logger { return p.node.log.With("pid", p.pid) }

// newProcess puts a new process running b in the table, owned by the
// calling goroutine until it is released or exits. A process with no
// behaviour is a client: a goroutine outside the node acting as a process.
func (n *Node) newProcess(b Behaviour) *Process {
	p := &Process{node: n, status: running}
	p.behaviour = b
	id, serial := n.procs.insert(p)
	p.pid = etf.Pid{Node: n.name, ID: id, Serial: serial, Creation: n.creation}
	n.procs.publish(id, p)
	return p
}

// deliver appends x to the mailbox and starts the process if it is idle.
// It reports false when the process has exited.
func (p *Process) deliver(x any) bool {
	start, ok := p.enqueue(x)
	if start {
		activate(p)
	}
	return ok
}

// deliverOnReader delivers x, which c's reader just read, and runs the
// process on that reader when it was idle (dist.Conn.RunInline): the
// message is handled on the thread that read it, without waking another.
// Only c's Handler may call it.
func (p *Process) deliverOnReader(c *dist.Conn, x any) {
	if start, _ := p.enqueue(x); start {
		if p.onReader == nil {
			p.onReader = p.runOnReader
		}
		c.RunInline(p.onReader)
	}
}

// enqueue appends x to the mailbox, or hands it to the goroutine awaiting
// it as a reply. It reports whether the process was idle, so the caller
// must start it, and false when the process has exited.
func (p *Process) enqueue(x any) (start, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status == exited {
		return false, false
	}
	if p.wait != nil && p.wait.claimReply(x) {
		return false, true
	}
	p.mail.push(x)
	return p.schedule(), true
}

// schedule marks an idle process running and reports whether the caller
// must start its goroutine. p.mu must be held.
func (p *Process) schedule() bool {
	if p.status != idle {
		return false
	}
	p.status = running
	return true
}

// interrupt makes the owner of the process look at a pending exit or an
// arrival: it wakes a waiting goroutine or starts an idle process. p.mu
// must be held; the caller starts the goroutine when it returns true.
func (p *Process) interrupt() bool {
	if p.wait != nil {
		p.wait.signal()
	}
	return p.schedule()
}

// release hands the process back after its starter ran init: it goes idle,
// or gets its own goroutine if it has work already.
func (p *Process) release() {
	p.mu.Lock()
	start := p.pending != nil || p.mail.len() > 0 || p.cont != nil
	if !start {
		p.status = idle
	}
	p.mu.Unlock()
	if start {
		activate(p)
	}
}

// run handles messages until the mailbox is empty or the process exits.
func (p *Process) run() {
	if p.cont != nil && !p.runContinue() {
		return
	}
	for n := 1; ; n++ {
		x, ok := p.next()
		if !ok || !p.handle(x) {
			return
		}
		if n%throughput == 0 {
			runtime.Gosched()
		}
	}
}

// next takes the message to handle next. It returns false when the process
// went idle, or exited on a pending exit signal.
func (p *Process) next() (any, bool) {
	p.mu.Lock()
	if reason := p.pending; reason != nil {
		p.mu.Unlock()
		p.exit(reason)
		return nil, false
	}
	i := 0
	if p.suspended {
		i = p.mail.find(p.isSystem)
	} else if p.mail.len() == 0 {
		i = -1
	}
	if i < 0 {
		p.status = idle
		p.reader = dist.InlineRun{}
		p.mu.Unlock()
		return nil, false
	}
	x := p.mail.removeAt(i)
	p.mu.Unlock()
	return x, true
}

// exit ends the process with reason: it unregisters its name, sends exit
// signals to its links and DOWN to its monitors, and frees its pid. It
// runs on the goroutine that owns the process.
func (p *Process) exit(reason etf.Term) {
	n := p.node
	reason = decoded(reason)
	p.stopTimeout()
	p.mu.Lock()
	if p.pending != nil {
		// A fatal exit signal came while the process was ending (during
		// terminate): it dies of that, as it would on the BEAM.
		reason = p.pending
	}
	p.status = exited
	p.endLife(reason)
	links, monitors, watchers := p.links.take(), p.monitors.take(), p.watchers.take()
	name, tracked := p.name, p.tracked
	p.aliases = smallMap[etf.Ref, struct{}]{}
	p.mail.clear()
	p.mu.Unlock()

	if name != "" {
		n.names.remove(name, p)
	}
	// Other nodes are told first: once a local process, such as the
	// supervisor stopping this one, learns of the exit, the signals to
	// other nodes are queued on their connections already, so a node
	// closing after its tree has stopped sends them all.
	for _, remote := range [...]bool{true, false} {
		for pid, unlinking := range links.all() {
			if unlinking == 0 && n.isLocal(pid.Node) != remote {
				n.sendExit(p.pid, pid, reason, true)
			}
		}
		for ref, w := range watchers.all() {
			if n.isLocal(w.pid.Node) != remote {
				n.monitorExit(p.pid, w, ref, reason)
			}
		}
	}
	for ref, m := range monitors.all() {
		n.dropMonitor(p.pid, ref, m)
	}
	if tracked {
		n.peers.forget(p)
	}
	n.procs.remove(p.pid.ID)
}
