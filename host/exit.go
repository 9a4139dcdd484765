package host

import (
	"errors"
	"fmt"

	"github.com/creo-dev/creo/etf"
)

// Exit reasons with a meaning of their own in OTP.
const (
	// Normal ends a process without error; links do not propagate it.
	Normal etf.Atom = "normal"
	// Shutdown is the reason a supervisor asks a child to stop with.
	Shutdown etf.Atom = "shutdown"
	// Kill, sent with exit/2, ends a process even when it traps exits.
	Kill etf.Atom = "kill"
	// Killed is the reason of a process that Kill ended.
	Killed etf.Atom = "killed"
	// Noproc reports a link, monitor or call to a process that does not exist.
	Noproc etf.Atom = "noproc"
	// Noconnection reports that the node of a linked or monitored process went down.
	Noconnection etf.Atom = "noconnection"
	// Timeout is the reason a call fails with when no reply came in time.
	Timeout etf.Atom = "timeout"
)

// Errors for the common exit reasons. Compare with [errors.Is].
var (
	ErrNormal       = &ExitError{Reason: Normal}
	ErrShutdown     = &ExitError{Reason: Shutdown}
	ErrKilled       = &ExitError{Reason: Killed}
	ErrNoproc       = &ExitError{Reason: Noproc}
	ErrNoconnection = &ExitError{Reason: Noconnection}
	ErrTimeout      = &ExitError{Reason: Timeout}
	// ErrBadarg is what OTP raises for a send to a name nobody registered,
	// or to something that is not a process.
	ErrBadarg = &ExitError{Reason: etf.Atom("badarg")}
	// ErrIgnored is what a start returns when init answered ignore: no
	// process was started, and that is not a failure.
	ErrIgnored = errors.New("host: init returned ignore")
)

// ExitError is an exit reason as a Go error: why a process ended, or why a
// call, link or start failed, as the Erlang term OTP would give.
type ExitError struct {
	Reason etf.Term
}

// Error returns the reason in Go syntax after a "host: exit" prefix.
func (e *ExitError) Error() string {
	return fmt.Sprintf("host: exit %v", e.Reason)
}

// ExitReason returns the Erlang term e stands for.
func (e *ExitError) ExitReason() etf.Term { return e.Reason }

// Is reports whether target is an *ExitError with an equal reason, so that
// errors.Is(err, host.ErrNoproc) holds for any noproc exit.
func (e *ExitError) Is(target error) bool {
	t, ok := target.(*ExitError)
	return ok && etf.Equal(e.Reason, t.Reason)
}

// ExitReason returns the exit reason err stands for: the reason of an
// *ExitError in its chain, or else err's message as a binary.
func ExitReason(err error) etf.Term {
	var e *ExitError
	if errors.As(err, &e) {
		return e.Reason
	}
	return etf.Binary(err.Error())
}

// ShutdownWith returns {shutdown, Detail}, a shutdown that carries a detail.
func ShutdownWith(detail etf.Term) etf.Term {
	return etf.Tuple{Shutdown, detail}
}

// IsShutdown reports whether reason is shutdown or {shutdown, _}, decoded
// or an etf.Raw.
func IsShutdown(reason etf.Term) bool {
	reason = decoded(reason)
	if reason == Shutdown {
		return true
	}
	t, ok := reason.(etf.Tuple)
	return ok && len(t) == 2 && t[0] == Shutdown
}

// IsClean reports whether reason ends a process without error in OTP's
// eyes: normal, shutdown or {shutdown, _}. A transient child that exits
// cleanly is not restarted, and a clean exit is not logged as a crash.
func IsClean(reason etf.Term) bool {
	return decoded(reason) == Normal || IsShutdown(reason)
}

// nodedown returns {nodedown, Node}, the reason a call fails with when the
// connection to the server's node is lost.
func nodedown(node etf.Atom) etf.Term {
	return etf.Tuple{etf.Atom("nodedown"), node}
}

// exitPanic is what Exit panics with, so that the process recovering it
// tells a deliberate exit from a crash.
type exitPanic struct{ reason etf.Term }

// Exit ends the running callback as erlang:exit/1 does in a gen_server: the
// process terminates with reason, and terminate runs with the state the
// callback was given. It does not return.
func Exit(reason etf.Term) {
	panic(exitPanic{reason})
}
