package host

import (
	"iter"

	"github.com/creo-dev/creo/etf"
)

// ProcessInfo describes a process, for introspection and metrics.
type ProcessInfo struct {
	Pid  etf.Pid
	Name etf.Atom // its registered name, if any
	// Behaviour is the module of the gen_server it runs (see [Moduler]);
	// empty for a client, a goroutine acting as a process for a call.
	Behaviour       etf.Atom
	Status          Status
	MessageQueueLen int
	Links           int
	Monitors        int // the monitors it holds on other processes
	TrapExit        bool
	Restarts        int // how many times its supervisor restarted it
}

// Status is what a process is doing, as process_info(Pid, status) says.
type Status uint8

// The statuses of a process.
const (
	// Waiting processes wait for a message; they have no goroutine.
	Waiting Status = iota
	// Running processes have a goroutine that runs a callback, or waits
	// for a reply within one.
	Running
	// Suspended processes answer only sys requests until resumed.
	Suspended
	// Exiting processes are ending.
	Exiting
)

// String returns the status's atom.
func (s Status) String() string {
	return [...]string{"waiting", "running", "suspended", "exiting"}[s]
}

// info returns the process's description.
func (p *Process) info() ProcessInfo {
	p.mu.Lock()
	i := ProcessInfo{
		Pid:             p.pid,
		Name:            p.name,
		MessageQueueLen: p.mail.len(),
		Links:           p.links.len(),
		Monitors:        p.monitors.len(),
		TrapExit:        p.trapExit,
		Restarts:        p.restarts,
	}
	b := p.behaviour
	switch {
	case p.status == exited:
		i.Status = Exiting
	case p.suspended:
		i.Status = Suspended
	case p.status == running:
		i.Status = Running
	}
	p.mu.Unlock()
	if b != nil {
		i.Behaviour = moduleName(b)
	}
	return i
}

// Processes yields a description of every living process. It takes no
// lock of the node's: processes that start or end meanwhile may or may not
// be seen.
func (n *Node) Processes() iter.Seq[ProcessInfo] {
	return func(yield func(ProcessInfo) bool) {
		n.procs.each(func(p *Process) bool { return yield(p.info()) })
	}
}

// ProcessInfo describes the living local process pid.
func (n *Node) ProcessInfo(pid etf.Pid) (ProcessInfo, bool) {
	p := n.process(pid)
	if p == nil {
		return ProcessInfo{}, false
	}
	return p.info(), true
}

// ProcessCount returns the number of living processes.
func (n *Node) ProcessCount() int {
	return int(n.procs.live.Load())
}
