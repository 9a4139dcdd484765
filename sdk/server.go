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

// From is the caller of a handle_call, OTP's {Pid, Tag}, kept as the host
// sent it. Reply to it later with [ReplyTo]; to reply in a later callback,
// keep it in the state: it converts to and from its term.
//
// A From that comes with a callback stays encoded (raw) until it is used:
// most servers reply by returning, and never look at it. One taken back
// from a state holds its term by pointer: at 32 bytes a From is copied and
// zeroed a word at a time, where under wasm Go copies a larger struct with
// memory.copy and zeroes it with memory.fill, which wazero runs as calls.
type From struct {
	raw  etf.Raw
	term *etf.Term
}

// Term returns the From's term, {Pid, Tag}.
func (f From) Term() etf.Term {
	switch {
	case f.raw != nil:
		return f.raw
	case f.term != nil:
		return *f.term
	}
	return nil
}

// Pid returns the caller's pid.
func (f From) Pid() (etf.Pid, bool) {
	var t etf.Term
	switch {
	case f.raw != nil:
		var err error
		if t, err = decode(f.raw); err != nil {
			return etf.Pid{}, false
		}
	case f.term != nil:
		t = *f.term
	}
	if tup, ok := t.(etf.Tuple); ok && len(tup) == 2 {
		pid, ok := tup[0].(etf.Pid)
		return pid, ok
	}
	return etf.Pid{}, false
}

// MarshalTerm returns the From's term, so a From can be kept in a state.
func (f From) MarshalTerm() (etf.Term, error) { return f.Term(), nil }

// UnmarshalTerm takes back a From kept in a state.
func (f *From) UnmarshalTerm(t etf.Term) error {
	*f = From{term: &t}
	return nil
}

// Serve makes s the module's server. Call it from the guest's init
// function; a later call replaces the server.
func Serve[S any](s Server[S], opts ...Option) { served = newAdapter(s, opts...) }

// Option changes how [Serve] runs a server.
type Option func(*options)

type options struct {
	rawArgs bool
}

// RawArgs passes every callback argument other than the state to the
// server as it came, encoded, as an etf.Raw: init's args, requests, casts,
// messages, continues, terminate's reason, code_change's OldVsn and Extra.
// A server that passes terms on without looking into them, or looks at
// few, then never pays for decoding them, which is most of a small
// callback's cost under wasm: [Match] reads a Raw's tag without decoding
// it, and a Raw in a Result is written back as it is. Decode what the
// server needs with etf.DecodeTerm.
func RawArgs() Option { return func(o *options) { o.rawArgs = true } }

// served is the module's server, set by the guest's package init, which
// runs in every instance before any callback.
var served *adapter
