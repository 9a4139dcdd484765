package abi

import (
	"errors"
	"fmt"

	"github.com/creo-dev/creo/etf"
)

// FaultKind says how a callback failed. Each kind has its own exit reason.
type FaultKind uint8

// The kinds of [Fault], in the order of ABI.md section 7.
const (
	// Trap is a WebAssembly trap, or the guest's call of the trap host
	// function: {wasm_trap, Msg}.
	Trap FaultKind = iota + 1
	// Deadline is a callback that ran past its module's deadline:
	// {wasm_deadline, Ms}.
	Deadline
	// MemoryLimit is a trap after the guest's memory failed to grow past its
	// module's page limit: {wasm_memory_limit, Pages}.
	MemoryLimit
	// BadResult is a result that is not one ETF term inside the guest's
	// memory: {wasm_bad_result, Msg}.
	BadResult
	// BadReturn is a term that is not an allowed result of the callback:
	// {bad_return_value, Result}, as OTP reports it.
	BadReturn
	// Unavailable is a callback that got no instance to run on:
	// {wasm_unavailable, Msg}.
	Unavailable
)

var faultTags = [...]etf.Atom{
	Trap:        "wasm_trap",
	Deadline:    "wasm_deadline",
	MemoryLimit: "wasm_memory_limit",
	BadResult:   "wasm_bad_result",
	BadReturn:   "bad_return_value",
	Unavailable: "wasm_unavailable",
}

// String returns the atom that tags the kind's exit reason.
func (k FaultKind) String() string {
	if int(k) < len(faultTags) && k != 0 {
		return string(faultTags[k])
	}
	return fmt.Sprintf("FaultKind(%d)", uint8(k))
}

// Fault is the error of a callback that ended without a valid result. The
// instance it ran on has been thrown away; the server should exit with
// [Fault.ExitReason].
//
// errors.Is matches a Fault against another Fault of the same Kind, so the
// sentinels [ErrTrap], [ErrDeadline], [ErrMemoryLimit], [ErrBadResult],
// [ErrBadReturn] and [ErrUnavailable] test the kind.
type Fault struct {
	Kind     FaultKind
	Callback Callback
	// Detail is the exit reason's second element: a message (etf.Binary),
	// a number of milliseconds or pages (etf.Int), or the bad result.
	Detail etf.Term
	// Err is the underlying error, with wazero's stack trace, for logs.
	Err error
}

// Sentinels for errors.Is, one per [FaultKind].
var (
	ErrTrap        = &Fault{Kind: Trap}
	ErrDeadline    = &Fault{Kind: Deadline}
	ErrMemoryLimit = &Fault{Kind: MemoryLimit}
	ErrBadResult   = &Fault{Kind: BadResult}
	ErrBadReturn   = &Fault{Kind: BadReturn}
	ErrUnavailable = &Fault{Kind: Unavailable}
)

// ExitReason returns the term the server exits with, such as
// {wasm_trap, <<"wasm error: unreachable">>}.
func (f *Fault) ExitReason() etf.Term {
	return etf.Tuple{faultTags[f.Kind], f.Detail}
}

// Error describes the fault and the callback it ended.
func (f *Fault) Error() string {
	msg := fmt.Sprintf("abi: %s %s", f.Callback, f.Kind)
	switch d := f.Detail.(type) {
	case etf.Binary:
		msg += ": " + string(d)
	case etf.Int:
		msg += fmt.Sprintf(" %d", int64(d))
	}
	return msg
}

// Unwrap returns the underlying error.
func (f *Fault) Unwrap() error { return f.Err }

// Is reports whether target is a Fault of the same kind.
func (f *Fault) Is(target error) bool {
	t, ok := target.(*Fault)
	return ok && t.Kind == f.Kind
}

// Reasoner is an error that stands for an Erlang exit reason. Errors a
// [Process] returns should implement it, so a guest sees the reason OTP
// would give (timeout, noproc, {nodedown, Node}...).
type Reasoner interface {
	error
	ExitReason() etf.Term
}

// ExitReason returns the Erlang term err stands for: its own reason when it
// is a [Reasoner], else its message as a binary.
func ExitReason(err error) etf.Term {
	var r Reasoner
	if errors.As(err, &r) {
		return r.ExitReason()
	}
	return etf.Binary(err.Error())
}
