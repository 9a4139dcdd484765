package host

import "github.com/creo-dev/creo/etf"

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
// and Reason of an exit.
func classify(m etf.Term) (kind msgKind, a, b etf.Term) {
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
