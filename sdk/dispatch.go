package sdk

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/etfwire"
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
// arguments unless it takes them raw (RawArgs), and the state unless S is
// etf.Raw; a From stays encoded.
//
// The optional callbacks are looked up once, here, not per callback: each
// is nil when the server lacks it, and has says which it has.
type adapter[S any] struct {
	srv         Server[S]
	call        CallHandler[S]
	cast        CastHandler[S]
	info        InfoHandler[S]
	cont        ContinueHandler[S]
	terminate   Terminator[S]
	codeChange  CodeChanger[S]
	has         [cbCodeChange + 1]bool // by callback: whether srv has it
	decodeArg   func(etf.Raw) (etf.Term, error)
	decodeState func(etf.Raw) (S, error)
	encodeState func([]byte, S) ([]byte, error)
}

func newAdapter[S any](srv Server[S], opts ...Option) *adapter[S] {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	a := &adapter[S]{srv: srv, decodeArg: decode, decodeState: stateDecoder[S](), encodeState: stateEncoder[S]()}
	if o.rawArgs {
		a.decodeArg = func(raw etf.Raw) (etf.Term, error) { return boxRaw(raw), nil }
	}
	a.call, _ = srv.(CallHandler[S])
	a.cast, _ = srv.(CastHandler[S])
	a.info, _ = srv.(InfoHandler[S])
	a.cont, _ = srv.(ContinueHandler[S])
	a.terminate, _ = srv.(Terminator[S])
	a.codeChange, _ = srv.(CodeChanger[S])
	a.has = [...]bool{
		cbInit: true, cbHandleCall: a.call != nil, cbHandleCast: a.cast != nil, cbHandleInfo: a.info != nil,
		cbHandleContinue: a.cont != nil, cbTerminate: a.terminate != nil, cbCodeChange: a.codeChange != nil,
	}
	return a
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

func (a *adapter[S]) run(cb callback, args []etf.Raw, out []byte) ([]byte, error) {
	if cb == cbInit {
		t, err := a.decodeArg(args[0])
		if err != nil {
			return out, err
		}
		res := a.srv.Init(t)
		return res.appendTo(out, cb, a.encodeState)
	}
	rawMsg, rawState := args[0], args[len(args)-1]
	if cb == cbCodeChange {
		rawState = args[1]
	}
	if !a.has[cb] {
		return etf.AppendTerm(append(out, 131), defaultResult(cb, rawMsg, rawState))
	}
	msg, err := a.decodeArg(rawMsg)
	if err != nil {
		return out, err
	}
	state, err := a.decodeState(rawState)
	if err != nil {
		return out, err
	}
	var res Result[S]
	switch cb {
	case cbHandleCall:
		res = a.call.HandleCall(msg, From{raw: args[1]}, state)
	case cbHandleCast:
		res = a.cast.HandleCast(msg, state)
	case cbHandleInfo:
		res = a.info.HandleInfo(msg, state)
	case cbHandleContinue:
		res = a.cont.HandleContinue(msg, state)
	case cbTerminate:
		a.terminate.Terminate(msg, state)
		return append(append(out, 131), tagAtoms[tagOK]...), nil
	case cbCodeChange:
		extra, err := a.decodeArg(args[2])
		if err != nil {
			return out, err
		}
		res = a.codeChange.CodeChange(msg, state, extra)
	}
	return res.appendTo(out, cb, a.encodeState)
}

// defaultResult is the result of callback cb for a server that lacks it,
// Elixir's GenServer default, built with no decoding.
func defaultResult(cb callback, msg, state etf.Raw) etf.Term {
	stop := func(tag etf.Atom) etf.Term {
		return etf.Tuple{etf.Atom("stop"), etf.Tuple{tag, msg}, state}
	}
	switch cb {
	case cbHandleCall:
		return stop("bad_call")
	case cbHandleCast:
		return stop("bad_cast")
	case cbHandleInfo:
		return etf.Tuple{etf.Atom("noreply"), state}
	case cbHandleContinue:
		return stop("bad_continue")
	case cbTerminate:
		return etf.Atom("ok")
	}
	return etf.Tuple{etf.Atom("ok"), state} // code_change
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
// version byte), given the ends of its elements as the host wrote them
// after it, and appends its encoded result, with the version byte, to out.
func handle(cb callback, arg, ends, out []byte) ([]byte, error) {
	if served == nil {
		return out, errNoServer
	}
	args, err := splitArgs(arg, ends, argElems[:arity[cb]])
	if err != nil {
		return out, err
	}
	return served.run(cb, args, out)
}

// splitArgs splits an argument, {A1, ..., An} with its version byte, into
// its n elements, each still encoded, at ends: one little-endian u32 an
// element, the offset in arg where it ends (ABI.md section 4). The
// elements alias arg.
//
// The host wrote the argument and knows where its elements end, so the
// guest reads none of them to split it: scanning a large request under
// wasm to find the From and state after it cost more than the rest of
// the callback.
func splitArgs(arg, ends []byte, elems []etf.Raw) ([]etf.Raw, error) {
	if len(arg) < 3 || arg[0] != etfwire.VersionByte || arg[1] != etfwire.SmallTuple || int(arg[2]) != len(elems) {
		return nil, fmt.Errorf("sdk: argument is not a tuple of %d", len(elems))
	}
	if len(ends) != 4*len(elems) {
		return nil, fmt.Errorf("sdk: argument: %d bytes of element ends, want %d", len(ends), 4*len(elems))
	}
	start := 3
	for i := range elems {
		end := int(binary.LittleEndian.Uint32(ends[4*i:]))
		if end <= start || end > len(arg) {
			return nil, fmt.Errorf("sdk: argument: element %d ends at %d, not within %d to %d", i+1, end, start+1, len(arg))
		}
		elems[i], start = etf.Raw(arg[start:end]), end
	}
	if start != len(arg) {
		return nil, fmt.Errorf("sdk: argument: %d bytes after its last element", len(arg)-start)
	}
	return elems, nil
}
