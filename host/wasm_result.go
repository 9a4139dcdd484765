package host

import (
	"bytes"
	"context"
	"math"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
)

// maxSharedReply is the longest reply whose bytes a server's state may
// keep alive: a result's parts share one buffer, so a state that aliases it
// holds the reply too until the next callback, however long the server
// then stays idle. A state that comes with a longer reply is copied.
const maxSharedReply = 256

// maxTimeout is the largest timeout an action may give, in milliseconds:
// the most a receive's after clause takes on the BEAM.
const maxTimeout = math.MaxUint32

// lentReplyCtx is the context of a handle_call whose reply is written to
// the caller's node and given back once written (see replyThen): abi may
// then lend a large reply from its instance's memory rather than copy it
// out (abi.WithLentReply).
var lentReplyCtx = abi.WithLentReply(callbackCtx)

// callCtx returns the context of p's handle_call from from: lentReplyCtx
// when replyThen will release its reply (releasingTo). A reply kept by a
// caller on this node, or sent without releasing, must not be lent: it
// would cost the instance it lies in.
func (p *Process) callCtx(from From) context.Context {
	if _, ok := p.node.releasingTo(from); ok {
		return lentReplyCtx
	}
	return callbackCtx
}

// wasmResult converts a guest callback's result to the runtime's. The
// state and the reply stay encoded: the runtime keeps the one and sends
// the other without looking inside. The reason and the action are decoded,
// because the runtime acts on them (a normal reason, a timeout). A result
// whose action is not one gen_server allows is OTP's
// {bad_return_value, Result}, returned as the error. old is the state the
// callback was given, nil for init's.
func wasmResult(r abi.Result, old etf.Term) (Result, error) {
	var res Result
	switch r.Tag {
	case abi.TagOK:
		res = Ok(newState(r.State, old, false))
	case abi.TagIgnore:
		return Ignore(), nil
	case abi.TagReply:
		alone := len(r.Reply) > maxSharedReply
		res = Reply(r.Reply, newState(r.State, old, alone))
		if alone {
			// The reply alone refers to the result's memory now, and is
			// only written to the caller.
			res.release = r.Release
		}
	case abi.TagNoReply:
		res = NoReply(newState(r.State, old, false))
	case abi.TagStop:
		// Init's {stop, Reason} has no state, and only handle_call's stop
		// may carry a reply: absent parts stay nil terms.
		res = Result{Kind: KindStop, Reason: decoded(r.Reason), Reply: rawOrNil(r.Reply), State: rawOrNil(r.State)}
	default:
		return Result{}, badReturn(r)
	}
	if r.Action == nil {
		return res, nil
	}
	switch a := decoded(r.Action).(type) {
	case etf.Int:
		if a < 0 || a > maxTimeout {
			return Result{}, badReturn(r)
		}
		return res.WithTimeout(time.Duration(a) * time.Millisecond), nil
	case etf.Atom:
		switch a {
		case "infinity":
			return res, nil
		case "hibernate":
			return res.Hibernate(), nil
		}
	case etf.Tuple:
		if len(a) == 2 && a[0] == etf.Atom("continue") {
			return res.Continue(a[1]), nil
		}
	}
	return Result{}, badReturn(r)
}

// newState returns the state of a result as the server keeps it: the old
// state itself when the guest returned it unchanged, as most callbacks
// do, else the result's, cloned when it must not share the result's
// buffer (see maxSharedReply).
//
// Keeping the old state costs a comparison of bytes, where the result's
// would cost an allocation to box it as a term, and a copy besides after
// a long reply; and the state then holds none of the result's buffer.
func newState(state etf.Raw, old etf.Term, alone bool) etf.Term {
	if o, ok := old.(etf.Raw); ok && bytes.Equal(o, state) {
		return old
	}
	if alone {
		return etf.Raw(bytes.Clone(state))
	}
	return state
}

// rawOrNil returns raw as a term, or nil when the part is absent: a nil
// etf.Raw in a Term would not compare equal to nil.
func rawOrNil(raw etf.Raw) etf.Term {
	if raw == nil {
		return nil
	}
	return raw
}

// badReturn is the error of a result gen_server does not accept:
// {bad_return_value, Result}, Result rebuilt from its parts.
func badReturn(r abi.Result) error {
	t := etf.Tuple{r.Tag}
	for _, part := range []etf.Raw{r.Reason, r.Reply, r.State, r.Action} {
		if part != nil {
			t = append(t, part)
		}
	}
	return &ExitError{Reason: etf.Tuple{etf.Atom("bad_return_value"), t}}
}
