// Package abiname holds the names and numbers of creo's guest ABI that the
// host side (package abi) and the Go guest SDK (package sdk) must agree on:
// export and import names, status codes and log levels. It is a leaf package
// with no dependencies, so it builds for the host and for GOOS=wasip1.
//
// The meaning of each name is specified in abi/ABI.md.
package abiname

// Version is the newest ABI version: a guest's creo_abi_version export
// returns the version it was built for, from OldestVersion to Version.
// Version 2 adds the ends of the argument's elements after the argument
// (ABI.md section 4).
const (
	Version       = 2
	OldestVersion = 1
	// ArgEndsVersion is the first version whose callbacks get the ends of
	// their argument's elements.
	ArgEndsVersion = 2
)

// Exports a guest module provides.
const (
	Memory     = "memory"
	Alloc      = "creo_alloc"
	ABIVersion = "creo_abi_version"
	Initialize = "_initialize"
	Start      = "_start"

	Init           = "init"
	HandleCall     = "handle_call"
	HandleCast     = "handle_cast"
	HandleInfo     = "handle_info"
	HandleContinue = "handle_continue"
	Terminate      = "terminate"
	CodeChange     = "code_change"
)

// Module is the import module (namespace) of every host function.
const Module = "creo"

// Host functions, imported from [Module].
const (
	Self          = "self"
	Send          = "send"
	Call          = "call"
	Reply         = "reply"
	SendAfter     = "send_after"
	CancelTimer   = "cancel_timer"
	MonotonicTime = "monotonic_time"
	SystemTime    = "system_time"
	RandomBytes   = "random_bytes"
	Log           = "log"
	Result        = "result"
	Trap          = "trap"
)

// Status codes host functions return; every failure is negative.
const (
	// OK reports success for functions that produce no output.
	OK = 0
	// ErrMemory reports a pointer and length that do not lie inside the
	// guest's memory.
	ErrMemory = -1
	// ErrBadTerm reports bytes that are not one ETF term with its version
	// byte, or a term of the wrong kind for the argument.
	ErrBadTerm = -2
	// ErrFailed reports an operation that failed with an Erlang reason,
	// held for the [Result] function.
	ErrFailed = -3
	// ErrNoTimer reports a cancel_timer of a timer that is not active.
	ErrNoTimer = -4
	// ErrNoResult reports a call to [Result] with no result held.
	ErrNoResult = -5
)

// Log levels of the log host function.
const (
	LevelDebug   = 0
	LevelInfo    = 1
	LevelWarning = 2
	LevelError   = 3
)

// Infinity is the timeout argument of call that waits without limit.
const Infinity = -1
