package abi

import (
	"sync"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/bufpool"
	"github.com/creo-dev/creo/internal/etfwire"
)

// Result is a callback's return value split into its parts, each still
// encoded, so the host can keep the state and pass the reply on without
// decoding them. Which parts are set depends on Tag, as in gen_server:
//
//	ok       State [Action]          (init, code_change)
//	ignore                           (init)
//	reply    Reply State [Action]    (handle_call)
//	noreply  State [Action]          (handle_call, handle_cast, handle_info, handle_continue)
//	stop     Reason [Reply] State    (init: Reason only)
//	error    Reason                  (code_change)
//
// terminate's result is ignored: its Result is empty. Parts that are absent
// are nil.
type Result struct {
	Tag    etf.Atom
	Reply  etf.Raw
	State  etf.Raw
	Reason etf.Raw
	// Action is the optional last element: a timeout, infinity, hibernate
	// or {continue, Continue}.
	Action etf.Raw
	// Release, when not nil, gives back the memory a large result was
	// copied into, for the next one, or the instance whose memory a lent
	// reply lies in (see WithLentReply), when nothing refers to any of the
	// parts any more; calls after the first do nothing. A Result never
	// released is left to the collector, with the instance of a lent reply.
	Release func()
}

// The tags of results.
const (
	TagOK      etf.Atom = "ok"
	TagIgnore  etf.Atom = "ignore"
	TagReply   etf.Atom = "reply"
	TagNoReply etf.Atom = "noreply"
	TagStop    etf.Atom = "stop"
	TagError   etf.Atom = "error"
)

// part says where a result's element goes.
type part uint8

const (
	partReply part = iota
	partState
	partReason
	partAction
)

// shape is one allowed result: its tag and the parts after the tag.
type shape struct {
	tag   etf.Atom
	parts []part
}

var (
	castShapes = []shape{
		{TagNoReply, []part{partState}},
		{TagNoReply, []part{partState, partAction}},
		{TagStop, []part{partReason, partState}},
	}
	// shapes lists each callback's allowed results (ABI.md section 6).
	shapes = [numCallbacks][]shape{
		Init: {
			{TagOK, []part{partState}},
			{TagOK, []part{partState, partAction}},
			{TagStop, []part{partReason}},
			{TagIgnore, nil},
		},
		HandleCall: {
			{TagReply, []part{partReply, partState}},
			{TagReply, []part{partReply, partState, partAction}},
			{TagNoReply, []part{partState}},
			{TagNoReply, []part{partState, partAction}},
			{TagStop, []part{partReason, partReply, partState}},
			{TagStop, []part{partReason, partState}},
		},
		HandleCast:     castShapes,
		HandleInfo:     castShapes,
		HandleContinue: castShapes,
		CodeChange: {
			{TagOK, []part{partState}},
			{TagError, []part{partReason}},
		},
	}
)

// copyResult copies a callback's result out of guest memory, which the
// next callback reuses. A large result is copied into a buffer of
// bufpool, which parseCopy's Release gives back.
func copyResult(res []byte) []byte {
	return append(resultBuffer(len(res)), res...)
}

// resultBuffer returns an empty buffer for n bytes of a result: from
// bufpool when they are many (see putBack).
func resultBuffer(n int) []byte {
	if n < bufpool.MinSize {
		return make([]byte, 0, n)
	}
	return bufpool.Get(n)
}

// putBack is the Release of a result copied into buf, a buffer of
// resultBuffer: nil for a small one, left to the collector, else a
// function that gives a pooled one back once however often it is called,
// since a buffer put twice would go to two users.
func putBack(buf []byte) func() {
	if cap(buf) < bufpool.MinSize {
		return nil
	}
	return sync.OnceFunc(func() { bufpool.Put(buf) })
}

// parseCopy is parseResult for a result copied by copyResult: an allowed
// one in a pooled buffer can give it back with Release.
func parseCopy(cb Callback, res []byte, args []etf.Term) (Result, error) {
	r, err := parseResult(cb, res, args)
	if err == nil {
		r.Release = putBack(res)
	}
	return r, err
}

// copyParts copies the parts of r, an allowed result parsed where it lies
// in guest memory, out of it, into one buffer that Release gives back.
func copyParts(r Result) Result {
	parts := [...]*etf.Raw{&r.Reply, &r.State, &r.Reason, &r.Action}
	n := 0
	for _, p := range parts {
		n += len(*p)
	}
	buf := resultBuffer(n)
	for _, p := range parts {
		if *p != nil {
			start := len(buf)
			buf = append(buf, *p...)
			*p = etf.Raw(buf[start:len(buf):len(buf)])
		}
	}
	r.Release = putBack(buf)
	return r
}

// parseResult checks a callback's result, with its version byte, against
// the callback's allowed results and splits it; args are the callback's
// arguments, whose etf.Raw parts an element of the result may repeat (see
// splitTuple). The Result's parts alias res. An allowed result is read
// once, as it is split; anything else is checked whole to tell a bad
// result from a bad return value.
func parseResult(cb Callback, res []byte, args []etf.Term) (Result, error) {
	if cb != Terminate && len(res) > 0 && res[0] == etfwire.VersionByte {
		var elems [maxResultArity - 1]etf.Raw
		if tag, n, end, ok := splitTuple(res[1:], &elems, args); ok && end == len(res)-1 {
			for _, s := range shapes[cb] {
				if len(s.parts) != n || string(s.tag) != string(tag) {
					continue
				}
				r := Result{Tag: s.tag}
				for i, p := range s.parts {
					*r.field(p) = elems[i]
				}
				return r, nil
			}
		}
	}
	if err := checkTerm(res); err != nil {
		return Result{}, &Fault{Kind: BadResult, Callback: cb, Detail: etf.Binary(err.Error()), Err: err}
	}
	if cb == Terminate {
		return Result{}, nil
	}
	return Result{}, &Fault{Kind: BadReturn, Callback: cb, Detail: etf.Raw(res[1:])}
}

func (r *Result) field(p part) *etf.Raw {
	switch p {
	case partReply:
		return &r.Reply
	case partState:
		return &r.State
	case partReason:
		return &r.Reason
	default:
		return &r.Action
	}
}
