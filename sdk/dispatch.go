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

// callbacks is a server seen through encoded terms: run takes a callback's
// arguments, still encoded, and appends its encoded result to out.
type callbacks interface {
	run(cb callback, args []etf.Raw, out []byte) ([]byte, error)
}

// adapter runs a Server[S]. It decodes only what the server sees: the
// request, and the state unless S is etf.Raw; a From stays encoded.
type adapter[S any] struct {
	srv         Server[S]
	decodeState func(etf.Raw) (S, error)
	encodeState func([]byte, S) ([]byte, error)
}

func newAdapter[S any](srv Server[S]) adapter[S] {
	return adapter[S]{srv: srv, decodeState: stateDecoder[S](), encodeState: stateEncoder[S]()}
}

// stateDecoder returns how to turn an encoded state into S: an etf.Raw
// state is passed as it is, with no decoding; any other is decoded, then
// mapped to S by etf's Go mapping unless S is etf.Term. The choice is made
// once, so the usual cases allocate nothing per callback.
func stateDecoder[S any]() func(etf.Raw) (S, error) {
	if f, ok := any(func(raw etf.Raw) (etf.Raw, error) { return raw, nil }).(func(etf.Raw) (S, error)); ok {
		return f
	}
	if f, ok := any(decode).(func(etf.Raw) (S, error)); ok {
		return f
	}
	return func(raw etf.Raw) (S, error) {
		var s S
		t, err := decode(raw)
		if err != nil {
			return s, err
		}
		if err := etf.FromTerm(t, &s); err != nil {
			return s, fmt.Errorf("sdk: state %v does not fit %T: %w", t, s, err)
		}
		return s, nil
	}
}

// stateEncoder returns how to append a state S, encoded, the inverse of
// stateDecoder.
func stateEncoder[S any]() func([]byte, S) ([]byte, error) {
	if f, ok := any(func(dst []byte, raw etf.Raw) ([]byte, error) { return append(dst, raw...), nil }).(func([]byte, S) ([]byte, error)); ok {
		return f
	}
	if f, ok := any(etf.AppendTerm).(func([]byte, S) ([]byte, error)); ok {
		return f
	}
	return func(dst []byte, s S) ([]byte, error) {
		t, err := etf.ToTerm(s)
		if err != nil {
			return dst, fmt.Errorf("sdk: state %T: %w", s, err)
		}
		return etf.AppendTerm(dst, t)
	}
}

func (a adapter[S]) run(cb callback, args []etf.Raw, out []byte) ([]byte, error) {
	if cb == cbInit {
		t, err := decode(args[0])
		if err != nil {
			return out, err
		}
		return a.srv.Init(t).appendTo(out, cb, a.encodeState)
	}
	msg, rawState := args[0], args[len(args)-1]
	if cb == cbCodeChange {
		rawState = args[1]
	}
	// Defaults for the callbacks a server lacks need no decoding.
	var res Result[S]
	switch cb {
	case cbHandleCall:
		h, ok := a.srv.(CallHandler[S])
		if !ok {
			return appendStop(out, "bad_call", msg, rawState)
		}
		req, state, err := a.decodeBoth(msg, rawState)
		if err != nil {
			return out, err
		}
		res = h.HandleCall(req, From{raw: args[1]}, state)
	case cbHandleCast:
		h, ok := a.srv.(CastHandler[S])
		if !ok {
			return appendStop(out, "bad_cast", msg, rawState)
		}
		m, state, err := a.decodeBoth(msg, rawState)
		if err != nil {
			return out, err
		}
		res = h.HandleCast(m, state)
	case cbHandleInfo:
		h, ok := a.srv.(InfoHandler[S])
		if !ok {
			return etf.AppendTerm(append(out, 131), etf.Tuple{etf.Atom("noreply"), rawState})
		}
		m, state, err := a.decodeBoth(msg, rawState)
		if err != nil {
			return out, err
		}
		res = h.HandleInfo(m, state)
	case cbHandleContinue:
		h, ok := a.srv.(ContinueHandler[S])
		if !ok {
			return appendStop(out, "bad_continue", msg, rawState)
		}
		c, state, err := a.decodeBoth(msg, rawState)
		if err != nil {
			return out, err
		}
		res = h.HandleContinue(c, state)
	case cbTerminate:
		if h, ok := a.srv.(Terminator[S]); ok {
			reason, state, err := a.decodeBoth(msg, rawState)
			if err != nil {
				return out, err
			}
			h.Terminate(reason, state)
		}
		return etf.AppendTerm(append(out, 131), etf.Atom("ok"))
	case cbCodeChange:
		h, ok := a.srv.(CodeChanger[S])
		if !ok {
			return etf.AppendTerm(append(out, 131), etf.Tuple{etf.Atom("ok"), rawState})
		}
		old, state, err := a.decodeBoth(msg, rawState)
		if err != nil {
			return out, err
		}
		extra, err := decode(args[2])
		if err != nil {
			return out, err
		}
		res = h.CodeChange(old, state, extra)
	}
	return res.appendTo(out, cb, a.encodeState)
}

// appendStop appends {stop, {Tag, Msg}, State}, Elixir's default for a
// callback a server lacks.
func appendStop(out []byte, tag etf.Atom, msg, state etf.Raw) ([]byte, error) {
	return etf.AppendTerm(append(out, 131), etf.Tuple{etf.Atom("stop"), etf.Tuple{tag, msg}, state})
}

// decodeBoth decodes a callback's message and its state.
func (a adapter[S]) decodeBoth(msg, state etf.Raw) (etf.Term, S, error) {
	m, err := decode(msg)
	if err != nil {
		var s S
		return nil, s, err
	}
	s, err := a.decodeState(state)
	return m, s, err
}

// decode decodes one encoded term (without version byte).
func decode(raw etf.Raw) (etf.Term, error) {
	t, _, err := etf.DecodeTerm(raw, nil)
	if err != nil {
		return nil, fmt.Errorf("sdk: argument: %w", err)
	}
	return t, nil
}

// argElems holds the split argument of the callback running: a guest runs
// one callback at a time, and keeping it here saves an allocation each.
var argElems [3]etf.Raw

// handle runs the served server on a callback's argument (with its
// version byte) and appends its encoded result, with the version byte, to
// out. The argument tuple is split without decoding its elements.
func handle(cb callback, arg, out []byte) ([]byte, error) {
	if served == nil {
		return out, errNoServer
	}
	args, err := splitArgs(arg, argElems[:arity[cb]])
	if err != nil {
		return out, err
	}
	return served.run(cb, args, out)
}

// splitArgs splits an argument, {A1, ..., An} with its version byte, into
// its n elements, each still encoded. They alias arg.
func splitArgs(arg []byte, elems []etf.Raw) ([]etf.Raw, error) {
	if len(arg) < 3 || arg[0] != 131 || arg[1] != 104 || int(arg[2]) != len(elems) {
		return nil, fmt.Errorf("sdk: argument is not a tuple of %d", len(elems))
	}
	rest := arg[3:]
	for i := range elems {
		n, err := etf.SkipTerm(rest)
		if err != nil {
			return nil, fmt.Errorf("sdk: argument: %w", err)
		}
		elems[i], rest = etf.Raw(rest[:n]), rest[n:]
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("sdk: argument: %d bytes after the tuple", len(rest))
	}
	return elems, nil
}
