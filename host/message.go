package host

import (
	"encoding/binary"

	"github.com/creo-dev/creo/dist"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/etfwire"
)

// msgKind is what a message means to gen_server.
type msgKind uint8

const (
	msgInfo   msgKind = iota
	msgCall           // {'$gen_call', From, Request}
	msgCast           // {'$gen_cast', Msg}
	msgSystem         // {system, From, Request}
	msgExit           // {'EXIT', Pid, Reason}
)

// Atoms that head gen_server's messages.
const (
	atomGenCall etf.Atom = "$gen_call"
	atomGenCast etf.Atom = "$gen_cast"
	atomSystem  etf.Atom = "system"
	atomExit    etf.Atom = "EXIT"
)

// classify tells gen_server's own messages from the rest, looking no
// deeper than their outer tuple, and returns the elements that follow the
// tag: From and Request of a call or system message, Msg of a cast, Pid
// and Reason of an exit. An etf.Raw message stays encoded: only its tag
// and a call's From are decoded, and Request or Msg come back as
// etf.Raw, so a Wasm server gets them as they came off the wire.
func classify(m etf.Term) (kind msgKind, a, b etf.Term) {
	if r, ok := m.(etf.Raw); ok {
		return classifyRaw(r)
	}
	t, ok := m.(etf.Tuple)
	if !ok || len(t) < 2 || len(t) > 3 {
		return msgInfo, nil, nil
	}
	tag, _ := t[0].(etf.Atom)
	switch {
	case len(t) == 3 && tag == atomGenCall:
		return msgCall, t[1], t[2]
	case len(t) == 2 && tag == atomGenCast:
		return msgCast, t[1], nil
	case len(t) == 3 && tag == atomSystem:
		return msgSystem, t[1], t[2]
	case len(t) == 3 && tag == atomExit:
		if _, ok := t[1].(etf.Pid); ok {
			return msgExit, t[1], t[2]
		}
	}
	return msgInfo, nil, nil
}

func classifyRaw(r etf.Raw) (kind msgKind, a, b etf.Term) {
	head, arity, pos, ok := rawHead(r)
	if !ok {
		return msgInfo, nil, nil
	}
	tag, _ := head.(etf.Atom)
	switch {
	case arity == 3 && (tag == atomGenCall || tag == atomSystem):
		from, n, err := etf.DecodeTerm(r[pos:], nil)
		if err != nil {
			break
		}
		kind = msgCall
		if tag == atomSystem {
			kind = msgSystem
		}
		return kind, from, etf.Raw(r[pos+n:])
	case arity == 2 && tag == atomGenCast:
		return msgCast, etf.Raw(r[pos:]), nil
	case arity == 3 && tag == atomExit:
		if t, ok := decoded(r).(etf.Tuple); ok {
			return classify(t)
		}
	}
	return msgInfo, nil, nil
}

// rawCall reads a call, {'$gen_call', From, Request}, from its encoding,
// as classify and FromTerm do, for the message every call from a peer
// brings: its From is read by rawFrom, without the tuple and tag around
// the pid and ref that decoding it whole builds (6 allocations into 2,
// 667 into 353 ns, of a call tagged [alias | Ref]). ok is false for any other
// message, and for a From rawFrom does not read: classify takes those.
func rawCall(r etf.Raw) (from From, req etf.Raw, ok bool) {
	head, arity, pos, ok := rawHead(r)
	if !ok || arity != 3 || head != atomGenCall {
		return From{}, nil, false
	}
	from, n, ok := rawFrom(r[pos:])
	if !ok {
		return From{}, nil, false
	}
	return from, etf.Raw(r[pos+n:]), true
}

// rawFrom reads a From, {Pid, Tag}, that b starts with, and returns its
// encoded size: the pid is decoded alone, and a tag [alias | Ref] is read
// as its Ref.
func rawFrom(b []byte) (From, int, bool) {
	if len(b) < 2 || b[0] != smallTupleExt || b[1] != 2 {
		return From{}, 0, false
	}
	t, n, err := etf.DecodeTerm(b[2:], nil)
	pid, ok := t.(etf.Pid)
	if err != nil || !ok {
		return From{}, 0, false
	}
	pos := 2 + n
	if ref, n, ok := rawAliasTag(b[pos:]); ok {
		return From{pid: pid, alias: ref}, pos + n, true
	}
	tag, n, err := etf.DecodeTerm(b[pos:], nil)
	if err != nil {
		return From{}, 0, false
	}
	return newFrom(pid, tag), pos + n, true
}

// rawAliasTag reads a tag [alias | Ref] that b starts with: a LIST_EXT of
// one element, the atom alias, whose tail is the Ref.
func rawAliasTag(b []byte) (etf.Ref, int, bool) {
	if len(b) < 5 || b[0] != etfwire.List || binary.BigEndian.Uint32(b[1:]) != 1 {
		return etf.Ref{}, 0, false
	}
	name, n, _, ok := etfwire.ReadAtom(b[5:])
	if !ok || string(name) != "alias" {
		return etf.Ref{}, 0, false
	}
	t, m, err := etf.DecodeTerm(b[5+n:], nil)
	ref, ok := t.(etf.Ref)
	if err != nil || !ok {
		return etf.Ref{}, 0, false
	}
	return ref, 5 + n + m, true
}

// smallTupleExt is the tag of SMALL_TUPLE_EXT (erl_ext_dist.md), the
// encoding of every tuple gen_server sends.
const smallTupleExt = 104

// maxHead bounds the first element rawHead decodes: gen_server's tags and
// a reply's [alias | Ref] are far smaller, and a large first element is
// user data, which stays encoded.
const maxHead = 256

// rawHead returns the first element of r, decoded, when r encodes a tuple
// of 2 or 3 elements whose first element is small, with the tuple's arity
// and the offset of its second element.
func rawHead(r etf.Raw) (head etf.Term, arity, next int, ok bool) {
	if len(r) < 3 || r[0] != smallTupleExt || r[1] < 2 || r[1] > 3 {
		return nil, 0, 0, false
	}
	n, err := etf.SkipTerm(r[2:])
	if err != nil || n > maxHead {
		return nil, 0, 0, false
	}
	head, _, err = etf.DecodeTerm(r[2:2+n], nil)
	if err != nil {
		return nil, 0, 0, false
	}
	return head, int(r[1]), 2 + n, true
}

// decoded returns t, or the term it encodes when t is an etf.Raw, so that
// exit reasons from a Wasm server compare as atoms.
func decoded(t etf.Term) etf.Term {
	if r, ok := t.(etf.Raw); ok {
		if d, n, err := etf.DecodeTerm(r, nil); err == nil && n == len(r) {
			return d
		}
	}
	return t
}

// isSystem reports whether a suspended server handles x: a system message,
// a Go request run inside the server, or its parent's exit signal.
func (p *Process) isSystem(x any) bool {
	switch m := x.(type) {
	case *request:
		return m.kind == reqSystem || m.kind == reqExec
	case etf.Term:
		kind, a, _ := classify(m)
		return kind == msgSystem || kind == msgExit && a == p.parent
	}
	return false
}

// lentMessage is a call or a cast from a peer that came in fragments and
// lies in a buffer its connection lent (see [dist.Buffer]). It waits in
// the mailbox as such, so that the process that handles it can give the
// buffer back for the next large message, when the process's behaviour
// keeps nothing of what it is given. Only calls and casts are lent: the
// runtime's own receives (replies, exit and system messages) look for
// plain terms.
type lentMessage struct {
	msg etf.Raw
	buf *dist.Buffer
}

// messageCopier is a Behaviour whose callbacks copy the request of a call
// and the message of a cast and keep nothing of them once they return, as
// a Wasm module does: they go into guest memory. Nothing a callback
// returns may share their memory either (a Wasm result is copied out of
// guest memory): a lent request's buffer goes back, to be read into
// again, as soon as the callback returns.
type messageCopier interface {
	Behaviour
	copiesMessages()
}

// fromPeer returns the mailbox item of msg, which came from a peer: a
// lentMessage when it is a call or a cast lying in buf, else msg itself,
// whose buffer, if any, is left to the collector.
func fromPeer(msg etf.Term, buf *dist.Buffer) any {
	if raw, ok := msg.(etf.Raw); ok && buf != nil && isCallOrCast(raw) {
		return &lentMessage{msg: raw, buf: buf}
	}
	return msg
}

// isCallOrCast reports whether r is {'$gen_call', From, Request} or
// {'$gen_cast', Msg}, from its tag alone.
func isCallOrCast(r etf.Raw) bool {
	head, arity, _, ok := rawHead(r)
	return ok && (arity == 3 && head == atomGenCall || arity == 2 && head == atomGenCast)
}

// handleLent handles a lent call or cast. Its buffer goes back as soon as
// a copier's callback has returned (see giveBack), before the reply is
// sent, so that the caller's next request can be read into it.
func (p *Process) handleLent(m *lentMessage) bool {
	p.lent = m
	alive := p.handleMessage(m.msg)
	p.lent = nil
	return alive
}

// giveBack releases the buffer of the lent message being handled once
// callback cb has returned from arg, if arg is the message's request (or
// cast message) and the behaviour copied it: nothing refers to the
// message then. The message was delivered to this process alone; the
// From its handling decodes is a copy; and the request of a call, as the
// message of a cast, ends the message's tuple, which is how arg is known
// to be this message's.
func (p *Process) giveBack(cb callback, arg etf.Term) {
	m := p.lent
	if m == nil || cb != cbCall && cb != cbCast {
		return
	}
	raw, ok := arg.(etf.Raw)
	if !ok || len(raw) == 0 || &raw[len(raw)-1] != &m.msg[len(m.msg)-1] {
		return
	}
	if _, ok := p.behaviour.(messageCopier); ok {
		m.buf.Release()
		p.lent = nil
	}
}
