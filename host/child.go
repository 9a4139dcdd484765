package host

import (
	"time"

	"github.com/creo-dev/creo/etf"
)

// ChildSpec says how a supervisor starts, restarts and stops one child,
// as OTP's child specification does.
type ChildSpec struct {
	// ID names the child within its supervisor. Children of a
	// simple_one_for_one supervisor have no ID: their pid names them.
	ID etf.Term
	// Start starts the child linked to the supervisor.
	Start StartFunc
	// Restart says when the child is restarted; the zero value is
	// Permanent, OTP's default.
	Restart Restart
	// Shutdown is how long the child gets to terminate after the exit
	// signal shutdown before it is killed: BrutalKill kills it at once,
	// and Infinity waits as long as it takes. Zero means OTP's default:
	// 5 s for a worker, Infinity for a supervisor.
	Shutdown time.Duration
	// Type is Worker, the zero value, or Supervisor.
	Type ChildType
	// Modules are the modules which_children lists for the child.
	Modules []etf.Atom
}

// BrutalKill is the Shutdown of a child that is killed without a chance to
// run terminate.
const BrutalKill time.Duration = -2

// defaultShutdown is OTP's shutdown of a worker.
const defaultShutdown = 5 * time.Second

// shutdown returns the child's shutdown with OTP's defaults applied.
func (c ChildSpec) shutdown() time.Duration {
	switch {
	case c.Shutdown != 0:
		return c.Shutdown
	case c.Type == Supervisor:
		return Infinity
	}
	return defaultShutdown
}

// StartFunc starts a child linked to the supervisor sup and returns its
// pid, ErrIgnored when it declined to start, or the error it failed with.
// For a child of a simple_one_for_one supervisor, extra holds the
// arguments given to StartDynamicChild; it is nil for the others.
type StartFunc func(sup *Process, extra etf.List) (etf.Pid, error)

// ServerStart returns a StartFunc that starts a gen_server running b, as
// gen_server:start_link/3,4 does. Init gets args; when extra arguments
// come from StartDynamicChild it gets them appended to args, as OTP
// appends them to the arguments of a child's start function: args (a
// List, or else made the first element of one) followed by extra.
func ServerStart(b Behaviour, args etf.Term, opts Options) StartFunc {
	return func(sup *Process, extra etf.List) (etf.Pid, error) {
		a := args
		if len(extra) > 0 {
			l, ok := args.(etf.List)
			if !ok {
				l = etf.List{args}
			}
			a = append(l[:len(l):len(l)], extra...)
		}
		return sup.StartLink(b, a, opts)
	}
}

// Restart is a child's restart type.
type Restart uint8

// The restart types of OTP.
const (
	// Permanent children are always restarted.
	Permanent Restart = iota
	// Transient children are restarted only after an exit that is not
	// clean (normal, shutdown or {shutdown, _}).
	Transient
	// Temporary children are never restarted.
	Temporary
)

// String returns the restart type's atom.
func (r Restart) String() string {
	switch r {
	case Permanent:
		return "permanent"
	case Transient:
		return "transient"
	case Temporary:
		return "temporary"
	}
	return "invalid"
}

// restarts reports whether a child that exited with reason is restarted.
func (r Restart) restarts(reason etf.Term) bool {
	return r == Permanent || r == Transient && !IsClean(reason)
}

// ChildType says whether a child is a worker or a supervisor.
type ChildType uint8

// The child types of OTP.
const (
	Worker ChildType = iota
	Supervisor
)

// String returns the child type's atom.
func (t ChildType) String() string {
	if t == Supervisor {
		return "supervisor"
	}
	return "worker"
}

// ChildInfo describes one child of a supervisor, as which_children does.
type ChildInfo struct {
	ID etf.Term // nil for a child of a simple_one_for_one supervisor
	// Pid is the child's pid, or the zero Pid when it is not running: it
	// was terminated, its Init returned ignore, or it is Restarting.
	Pid        etf.Pid
	Restarting bool
	Type       ChildType
	Modules    []etf.Atom
	Restarts   int // how many times the supervisor restarted it
}

// ChildCount counts the children of a supervisor, as count_children does.
type ChildCount struct {
	Specs       int // child specifications
	Active      int // running children
	Supervisors int // children of type Supervisor, running or not
	Workers     int // children of type Worker, running or not
}
