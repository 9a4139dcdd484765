package sdk

import (
	"errors"
	"fmt"

	"github.com/creo-dev/creo/etf"
)

// callback names the export being run.
type callback uint8

const (
	cbInit callback = iota
	cbHandleCall
	cbHandleCast
	cbHandleInfo
	cbHandleContinue
	cbTerminate
	cbCodeChange
)

// arity is the size of each callback's argument tuple.
var arity = [...]int{
	cbInit: 1, cbHandleCall: 3, cbHandleCast: 2, cbHandleInfo: 2,
	cbHandleContinue: 2, cbTerminate: 2, cbCodeChange: 3,
}

var (
	errNoServer = errors.New("sdk: no server: call sdk.Serve in the guest's init function")
	errNoResult = errors.New("sdk: a callback returned the zero Result")
)

// callbacks is a server seen through terms: each method takes a callback's
// arguments and returns its result term.
type callbacks interface {
	run(cb callback, args etf.Tuple) (etf.Term, error)
}

// adapter runs a Server[S], converting states with etf's Go mapping.
type adapter[S any] struct{ srv Server[S] }

func (a adapter[S]) run(cb callback, args etf.Tuple) (etf.Term, error) {
	if cb == cbInit {
		return a.srv.Init(args[0]).term(cb)
	}
	last := len(args) - 1
	if cb == cbCodeChange {
		last = 1
	}
	state, err := fromTerm[S](args[last])
	if err != nil {
		return nil, err
	}
	var res Result[S]
	switch cb {
	case cbHandleCall:
		h, ok := a.srv.(CallHandler[S])
		if !ok {
			return stopTerm("bad_call", args[0], args[2]), nil
		}
		from, err := fromFrom(args[1])
		if err != nil {
			return nil, err
		}
		res = h.HandleCall(args[0], from, state)
	case cbHandleCast:
		h, ok := a.srv.(CastHandler[S])
		if !ok {
			return stopTerm("bad_cast", args[0], args[1]), nil
		}
		res = h.HandleCast(args[0], state)
	case cbHandleInfo:
		h, ok := a.srv.(InfoHandler[S])
		if !ok {
			return etf.Tuple{etf.Atom("noreply"), args[1]}, nil
		}
		res = h.HandleInfo(args[0], state)
	case cbHandleContinue:
		h, ok := a.srv.(ContinueHandler[S])
		if !ok {
			return stopTerm("bad_continue", args[0], args[1]), nil
		}
		res = h.HandleContinue(args[0], state)
	case cbTerminate:
		if h, ok := a.srv.(Terminator[S]); ok {
			h.Terminate(args[0], state)
		}
		return etf.Atom("ok"), nil
	case cbCodeChange:
		h, ok := a.srv.(CodeChanger[S])
		if !ok {
			return etf.Tuple{etf.Atom("ok"), args[1]}, nil
		}
		res = h.CodeChange(args[0], state, args[2])
	}
	return res.term(cb)
}

// stopTerm is {stop, {Tag, Msg}, State}, Elixir's default for a callback
// a server lacks.
func stopTerm(tag etf.Atom, msg, state etf.Term) etf.Term {
	return etf.Tuple{etf.Atom("stop"), etf.Tuple{tag, msg}, state}
}

// fromTerm converts a state term to S; a state of type etf.Term is kept.
func fromTerm[S any](t etf.Term) (S, error) {
	var s S
	if p, ok := any(&s).(*etf.Term); ok {
		*p = t
		return s, nil
	}
	if err := etf.FromTerm(t, &s); err != nil {
		return s, fmt.Errorf("sdk: state %v does not fit %T: %w", t, s, err)
	}
	return s, nil
}

func fromFrom(t etf.Term) (From, error) {
	if tup, ok := t.(etf.Tuple); ok && len(tup) == 2 {
		if pid, ok := tup[0].(etf.Pid); ok {
			return From{Pid: pid, Tag: tup[1]}, nil
		}
	}
	return From{}, fmt.Errorf("sdk: From %v is not {Pid, Tag}", t)
}

// handle decodes a callback's argument, runs the served server and appends
// its encoded result, with the version byte, to out.
func handle(cb callback, arg, out []byte) ([]byte, error) {
	if served == nil {
		return out, errNoServer
	}
	t, err := etf.Decode(arg)
	if err != nil {
		return out, fmt.Errorf("sdk: argument: %w", err)
	}
	args, ok := t.(etf.Tuple)
	if !ok || len(args) != arity[cb] {
		return out, fmt.Errorf("sdk: argument %v is not a tuple of %d", t, arity[cb])
	}
	res, err := served.run(cb, args)
	if err != nil {
		return out, err
	}
	return etf.AppendTerm(append(out, 131), res)
}
