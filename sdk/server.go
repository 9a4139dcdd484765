package sdk

import (
	"github.com/creo-dev/creo/etf"
)

// Server is a gen_server whose state is of type S. Init is the only
// callback every server has; the others are the optional interfaces below.
type Server[S any] interface {
	// Init is init/1: args is the term the server was started with.
	Init(args etf.Term) Result[S]
}

// CallHandler is a Server that answers calls: handle_call/3.
type CallHandler[S any] interface {
	HandleCall(req etf.Term, from From, state S) Result[S]
}

// CastHandler is a Server that takes casts: handle_cast/2.
type CastHandler[S any] interface {
	HandleCast(msg etf.Term, state S) Result[S]
}

// InfoHandler is a Server that takes plain messages: handle_info/2.
type InfoHandler[S any] interface {
	HandleInfo(msg etf.Term, state S) Result[S]
}

// ContinueHandler is a Server that returns {continue, Cont}:
// handle_continue/2.
type ContinueHandler[S any] interface {
	HandleContinue(cont etf.Term, state S) Result[S]
}

// Terminator is a Server that cleans up when it stops: terminate/2.
type Terminator[S any] interface {
	Terminate(reason etf.Term, state S)
}

// CodeChanger is a Server that converts the state of an older version when
// the host reloads it: code_change/3. oldVsn is the old module's vsn.
type CodeChanger[S any] interface {
	CodeChange(oldVsn etf.Term, state S, extra etf.Term) Result[S]
}

// From is the caller of a handle_call, OTP's {Pid, Tag}. Keep it to reply
// later with [ReplyTo].
type From struct {
	Pid etf.Pid
	Tag etf.Term
}

func (f From) term() etf.Term { return etf.Tuple{f.Pid, f.Tag} }

// Serve makes s the module's server. Call it from the guest's init
// function; a later call replaces the server.
func Serve[S any](s Server[S]) { served = adapter[S]{s} }

// served is the module's server, set by the guest's package init, which
// runs in every instance before any callback.
var served callbacks
