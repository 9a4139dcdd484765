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

// adapter runs a served Server[S] on encoded arguments: run takes a
// callback's arguments, still encoded, and appends its encoded result. It
// decodes only what the server sees: the arguments unless it takes them
// raw (RawArgs), and the state unless S is etf.Raw; a From stays encoded.
//
// newAdapter builds, once, a function for each callback the server has,
// which decodes the state, calls the server and encodes its result: these
// are the only generic code a callback runs, and the dispatch in run is
// not generic. Under wasm a Go guest's generic dispatch (through the
// shape's dictionary, with the state's decoder and encoder called as
// function values, the Result copied through each layer) cost about a
// tenth of a small cast's time in the guest. A callback the server lacks
// is nil: run answers it with Elixir's default.
type adapter struct {
	rawArgs bool
	has     [cbCodeChange + 1]bool // by callback: whether the server has it
	// rawCall and rawCast are the handle_call and handle_cast of a server
	// whose state is an etf.Raw, which run calls itself: such a state
	// needs no decoding or encoding, and the closure, the state's decoder
	// and, for handle_call, its identity conversion for replyInPlace were
	// indirect calls, which under wasm cost a Go guest about a sixth of an
	// echo's callback. call and cast are then nil.
	rawCall    CallHandler[etf.Raw]
	rawCast    CastHandler[etf.Raw]
	init       func(args etf.Term, out []byte) ([]byte, error)
	call       func(req etf.Term, from From, state etf.Raw, out []byte) ([]byte, error)
	cast       msgFunc
	info       msgFunc
	cont       msgFunc
	terminate  func(reason etf.Term, state etf.Raw) error
	codeChange func(oldVsn etf.Term, state etf.Raw, extra etf.Term, out []byte) ([]byte, error)
}

// msgFunc runs handle_cast, handle_info or handle_continue on a message
// and an encoded state, and appends the encoded result to out.
type msgFunc func(msg etf.Term, state etf.Raw, out []byte) ([]byte, error)

func newAdapter[S any](srv Server[S], opts ...Option) *adapter {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	decodeState, encodeState := stateDecoder[S](), stateEncoder[S]()
	a := &adapter{rawArgs: o.rawArgs}
	a.init = func(args etf.Term, out []byte) ([]byte, error) {
		res := srv.Init(args)
		return res.appendTo(out, cbInit, encodeState)
	}
	// A server whose S is etf.Raw is the only one whose HandleCall is a
	// CallHandler[etf.Raw], and HandleCast a CastHandler[etf.Raw]: a type
	// has one method of a name.
	if h, ok := any(srv).(CallHandler[etf.Raw]); ok {
		a.rawCall = h
	} else if h, ok := srv.(CallHandler[S]); ok {
		a.call = func(req etf.Term, from From, raw etf.Raw, out []byte) ([]byte, error) {
			state, err := decodeState(raw)
			if err != nil {
				return out, err
			}
			res := h.HandleCall(req, from, state)
			return res.appendTo(out, cbHandleCall, encodeState)
		}
	}
	if h, ok := any(srv).(CastHandler[etf.Raw]); ok {
		a.rawCast = h
	} else if h, ok := srv.(CastHandler[S]); ok {
		a.cast = newMsgFunc(cbHandleCast, h, decodeState, encodeState)
	}
	if h, ok := srv.(InfoHandler[S]); ok {
		a.info = newMsgFunc(cbHandleInfo, infoHandler[S]{h}, decodeState, encodeState)
	}
	if h, ok := srv.(ContinueHandler[S]); ok {
		a.cont = newMsgFunc(cbHandleContinue, continueHandler[S]{h}, decodeState, encodeState)
	}
	if h, ok := srv.(Terminator[S]); ok {
		a.terminate = func(reason etf.Term, raw etf.Raw) error {
			state, err := decodeState(raw)
			if err != nil {
				return err
			}
			h.Terminate(reason, state)
			return nil
		}
	}
	if h, ok := srv.(CodeChanger[S]); ok {
		a.codeChange = func(oldVsn etf.Term, raw etf.Raw, extra etf.Term, out []byte) ([]byte, error) {
			state, err := decodeState(raw)
			if err != nil {
				return out, err
			}
			res := h.CodeChange(oldVsn, state, extra)
			return res.appendTo(out, cbCodeChange, encodeState)
		}
	}
	a.has = [...]bool{
		cbInit: true, cbHandleCall: a.call != nil || a.rawCall != nil, cbHandleCast: a.cast != nil || a.rawCast != nil, cbHandleInfo: a.info != nil,
		cbHandleContinue: a.cont != nil, cbTerminate: a.terminate != nil, cbCodeChange: a.codeChange != nil,
	}
	return a
}

// newMsgFunc returns the msgFunc of callback cb, whose handler is h. It
// takes h as an interface rather than a method value, which would add a
// call to every callback.
func newMsgFunc[S any](cb callback, h CastHandler[S],
	decodeState func(etf.Raw) (S, error), encodeState func([]byte, S) ([]byte, error)) msgFunc {
	return func(msg etf.Term, raw etf.Raw, out []byte) ([]byte, error) {
		state, err := decodeState(raw)
		if err != nil {
			return out, err
		}
		res := h.HandleCast(msg, state)
		return res.appendTo(out, cb, encodeState)
	}
}

// infoHandler and continueHandler present an InfoHandler and a
// ContinueHandler as a CastHandler, the shape newMsgFunc takes: the three
// callbacks take a message and the state and return alike.
type (
	infoHandler[S any]     struct{ h InfoHandler[S] }
	continueHandler[S any] struct{ h ContinueHandler[S] }
)

func (i infoHandler[S]) HandleCast(msg etf.Term, s S) Result[S] { return i.h.HandleInfo(msg, s) }

func (c continueHandler[S]) HandleCast(cont etf.Term, s S) Result[S] {
	return c.h.HandleContinue(cont, s)
}

// run runs callback cb on its arguments args, and appends its result to
// out or writes it in area, where args lie (see replyInPlace).
func (a *adapter) run(cb callback, args []etf.Raw, out, area []byte) ([]byte, error) {
	if cb == cbInit {
		t, err := a.decodeArg(args[0])
		if err != nil {
			return out, err
		}
		return a.init(t, out)
	}
	var err error
	rawMsg, rawState := args[0], args[len(args)-1]
	if cb == cbCodeChange {
		rawState = args[1]
	}
	if !a.has[cb] {
		return appendDefault(out, cb, rawMsg, rawState), nil
	}
	var msg etf.Term
	if a.rawArgs { // decodeArg, without a call for the commonest case
		msg = boxRaw(rawMsg)
	} else if msg, err = decode(rawMsg); err != nil {
		return out, err
	}
	switch cb {
	case cbHandleCall:
		if a.rawCall != nil {
			res := a.rawCall.HandleCall(msg, From{raw: args[1]}, rawState)
			return appendRawReply(&res, out, area, args[0])
		}
		return a.call(msg, From{raw: args[1]}, rawState, out)
	case cbHandleCast:
		if a.rawCast != nil {
			res := a.rawCast.HandleCast(msg, rawState)
			return res.appendTo(out, cbHandleCast, appendRawState)
		}
		return a.cast(msg, rawState, out)
	case cbHandleInfo:
		return a.info(msg, rawState, out)
	case cbHandleContinue:
		return a.cont(msg, rawState, out)
	case cbTerminate:
		if err := a.terminate(msg, rawState); err != nil {
			return out, err
		}
		return append(append(out, 131), tagAtoms[tagOK]...), nil
	}
	extra, err := a.decodeArg(args[2]) // code_change
	if err != nil {
		return out, err
	}
	return a.codeChange(msg, rawState, extra, out)
}

// decodeArg returns an argument other than the state as the server takes
// it: decoded, or as it came for RawArgs.
func (a *adapter) decodeArg(raw etf.Raw) (etf.Term, error) {
	if a.rawArgs {
		return boxRaw(raw), nil
	}
	return decode(raw)
}

// appendDefault appends the result of callback cb for a server that
// lacks it, Elixir's GenServer default, with its version byte: written
// around the encoded message and state, with nothing encoded. Building
// it as a term to encode cost a Go guest under wasm as much as the rest
// of a code_change, which a reload runs on every server.
func appendDefault(out []byte, cb callback, msg, state etf.Raw) []byte {
	out = append(out, 131)
	switch cb {
	case cbHandleCall, cbHandleCast, cbHandleContinue: // {stop, {bad_call, Msg}, State}
		out = append(append(out, 104, 3), tagAtoms[tagStop]...)
		out = append(append(out, 104, 2), badTags[cb]...)
		return append(append(out, msg...), state...)
	case cbHandleInfo: // {noreply, State}
		return append(append(append(out, 104, 2), tagAtoms[tagNoReply]...), state...)
	case cbTerminate: // ok
		return append(out, tagAtoms[tagOK]...)
	}
	return append(append(append(out, 104, 2), tagAtoms[tagOK]...), state...) // code_change: {ok, State}
}

// badTags holds, encoded, the tag of the reason a server stops with when
// it lacks a callback that stops it by default.
var badTags = [...][]byte{
	cbHandleCall:     []byte("\x77\x08bad_call"),
	cbHandleCast:     []byte("\x77\x08bad_cast"),
	cbHandleContinue: []byte("\x77\x0cbad_continue"),
}

// argElems holds the split argument of the callback running: a guest runs
// one callback at a time, and keeping it here saves an allocation each.
var argElems [3]etf.Raw

// handle runs the served server on a callback's argument, with its
// version byte: n bytes in area after argHeadroom bytes, followed by the
// ends of its elements as the host wrote them. It appends the encoded
// result, with its version byte, to out, or returns it written in area
// around the request (see replyInPlace).
func handle(cb callback, area []byte, n int, out []byte) ([]byte, error) {
	if served == nil {
		return out, errNoServer
	}
	arg := area[argHeadroom : argHeadroom+n]
	ends := area[argHeadroom+n : min(len(area), argHeadroom+n+4*arity[cb])]
	args := argElems[:arity[cb]]
	if !splitArgs(arg, ends, args) {
		return out, argError(arg, ends, len(args))
	}
	return served.run(cb, args, out, area)
}

// splitArgs splits an argument, {A1, ..., An} with its version byte, into
// its n elements, each still encoded, at ends: one little-endian u32 an
// element, the offset in arg where it ends (ABI.md section 4). The
// elements alias arg. It reports whether arg is such a tuple; argError
// says why not.
//
// The host wrote the argument and knows where its elements end, so the
// guest reads none of them to split it: scanning a large request under
// wasm to find the From and state after it cost more than the rest of
// the callback. The errors are made apart, by argError: with them,
// splitArgs cost a Go guest under wasm 26 ns more a callback.
func splitArgs(arg, ends []byte, elems []etf.Raw) bool {
	if !isTupleHead(arg, len(elems)) || len(ends) != 4*len(elems) {
		return false
	}
	start := 3
	for i := range elems {
		end := elemEnd(ends, i)
		if end <= start || end > len(arg) {
			return false
		}
		elems[i], start = etf.Raw(arg[start:end]), end
	}
	return start == len(arg)
}

// isTupleHead reports whether arg starts as a tuple of n elements, with
// its version byte.
func isTupleHead(arg []byte, n int) bool {
	return len(arg) >= 3 && arg[0] == etfwire.VersionByte && arg[1] == etfwire.SmallTuple && int(arg[2]) == n
}

// elemEnd returns the end of element i from ends.
func elemEnd(ends []byte, i int) int { return int(binary.LittleEndian.Uint32(ends[4*i:])) }

// argError says why splitArgs refused arg, a tuple of n elements: it runs
// once, before the instance is thrown away.
func argError(arg, ends []byte, n int) error {
	if !isTupleHead(arg, n) {
		return fmt.Errorf("sdk: argument is not a tuple of %d", n)
	}
	if len(ends) != 4*n {
		return fmt.Errorf("sdk: argument: %d bytes of element ends, want %d", len(ends), 4*n)
	}
	start := 3
	for i := range n {
		end := elemEnd(ends, i)
		if end <= start || end > len(arg) {
			return fmt.Errorf("sdk: argument: element %d ends at %d, not within %d to %d", i+1, end, start+1, len(arg))
		}
		start = end
	}
	return fmt.Errorf("sdk: argument: %d bytes after its last element", len(arg)-start)
}
