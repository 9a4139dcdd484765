package sdk

import (
	"time"

	"github.com/creo-dev/creo/etf"
)

// Result is what a callback returns, with the server's new state of type S.
// Build it with [Ok], [Reply], [NoReply], [Stop], [StopReply], [Ignore] or
// [Error], and add an action with [Result.Timeout], [Result.Hibernate] or
// [Result.Continue].
type Result[S any] struct {
	tag    resultTag
	state  S
	reply  any
	reason any
	action etf.Term
}

// resultTag is a result's first element; the zero value is no result.
type resultTag uint8

const (
	tagNone resultTag = iota
	tagOK
	tagIgnore
	tagReply
	tagNoReply
	tagStop
	tagError
)

// tagAtoms holds each tag encoded (SMALL_ATOM_UTF8_EXT), so results append
// it with no encoding work.
var tagAtoms = [...][]byte{
	tagOK:      []byte("\x77\x02ok"),
	tagIgnore:  []byte("\x77\x06ignore"),
	tagReply:   []byte("\x77\x05reply"),
	tagNoReply: []byte("\x77\x07noreply"),
	tagStop:    []byte("\x77\x04stop"),
	tagError:   []byte("\x77\x05error"),
}

// Ok is {ok, State}, the result of init and code_change.
func Ok[S any](state S) Result[S] { return Result[S]{tag: tagOK, state: state} }

// Ignore is ignore, the result of an init that starts no server.
func Ignore[S any]() Result[S] { return Result[S]{tag: tagIgnore} }

// Reply is {reply, Reply, State}: handle_call answers reply now.
func Reply[S any](reply any, state S) Result[S] {
	return Result[S]{tag: tagReply, reply: reply, state: state}
}

// NoReply is {noreply, State}. From handle_call it defers the reply; send
// it later with [ReplyTo].
func NoReply[S any](state S) Result[S] { return Result[S]{tag: tagNoReply, state: state} }

// Stop stops the server with reason. From init it is {stop, Reason} and
// state is not used.
func Stop[S any](reason any, state S) Result[S] {
	return Result[S]{tag: tagStop, reason: reason, state: state}
}

// StopReply is handle_call's {stop, Reason, Reply, State}.
func StopReply[S any](reason, reply any, state S) Result[S] {
	return Result[S]{tag: tagStop, reason: reason, reply: reply, state: state}
}

// Error is code_change's {error, Reason}: the server keeps its old code.
func Error[S any](reason any) Result[S] { return Result[S]{tag: tagError, reason: reason} }

// Timeout adds a timeout: if no message comes within d, handle_info gets
// timeout.
func (r Result[S]) Timeout(d time.Duration) Result[S] {
	r.action = etf.Int(d.Milliseconds())
	return r
}

// Hibernate adds hibernate.
func (r Result[S]) Hibernate() Result[S] {
	r.action = etf.Atom("hibernate")
	return r
}

// Continue adds {continue, Cont}: handle_continue runs next with cont.
func (r Result[S]) Continue(cont any) Result[S] {
	c, err := toTerm(cont)
	if err != nil {
		panic(err)
	}
	r.action = etf.Tuple{etf.Atom("continue"), c}
	return r
}

// appendTo appends the result for callback cb, encoded with its version
// byte, to out, the state by encodeState. It writes the tuple's parts one
// by one rather than build an etf.Tuple, which saves an allocation a part.
func (r *Result[S]) appendTo(out []byte, cb callback, encodeState func([]byte, S) ([]byte, error)) ([]byte, error) {
	if r.tag == tagNoReply && r.action == nil {
		// The commonest result, written without the general case's work,
		// which costs a Go guest under wasm as much as the rest of a cast.
		return encodeState(append(out, 131, 104, 2, 0x77, 7, 'n', 'o', 'r', 'e', 'p', 'l', 'y'), r.state)
	}
	var first, second any // the parts before the state, if any
	n, withState := 0, true
	switch {
	case r.tag == tagNone:
		return out, errNoResult
	case r.tag == tagIgnore:
		return append(append(out, 131), tagAtoms[tagIgnore]...), nil
	case r.tag == tagError || (r.tag == tagStop && cb == cbInit):
		first, n, withState = r.reason, 1, false
	case r.tag == tagStop && r.reply != nil:
		first, second, n = r.reason, r.reply, 2
	case r.tag == tagStop:
		first, n = r.reason, 1
	case r.tag == tagReply:
		first, n = r.reply, 1
	}
	size := 1 + n
	if withState {
		size++
	}
	if r.action != nil {
		size++
	}
	out = append(append(out, 131, 104, byte(size)), tagAtoms[r.tag]...)
	var err error
	if n > 0 {
		if out, err = appendPart(out, first); err != nil {
			return out, err
		}
	}
	if n > 1 {
		if out, err = appendPart(out, second); err != nil {
			return out, err
		}
	}
	if withState {
		if out, err = encodeState(out, r.state); err != nil {
			return out, err
		}
	}
	if r.action != nil {
		out, err = etf.AppendTerm(out, r.action)
	}
	return out, err
}

// appendPart appends a reply or a reason, encoded. An etf.Raw, such as a
// request a server replies with as it came (RawArgs), is appended as it
// is, with no conversion, and a plain Go scalar with no reflection (see
// appendScalar).
func appendPart(out []byte, v any) ([]byte, error) {
	if raw, ok := v.(etf.Raw); ok {
		return append(out, raw...), nil
	}
	if b, ok := appendScalar(out, v); ok {
		return b, nil
	}
	t, err := toTerm(v)
	if err != nil {
		return out, err
	}
	return etf.AppendTerm(out, t)
}

// toTerm converts a Go value to a term by etf's Go mapping; a term is kept.
func toTerm(v any) (etf.Term, error) {
	if t, ok := v.(etf.Term); ok {
		return t, nil
	}
	return etf.ToTerm(v)
}
