package host

import "github.com/creo-dev/creo/etf"

// netKernel is the part of OTP's net_kernel that other nodes talk to: it
// answers {is_auth, Node}, the call behind net_adm:ping/1, with yes. The
// other calls OTP's net_kernel serves come from its own node, so other
// requests are logged and left unanswered, never crashing it: a peer
// cannot take the node's system processes down by sending nonsense.
type netKernel struct{ Defaults }

func (netKernel) Init(*Process, etf.Term) Result { return Ok(etf.Atom("net_kernel")) }

func (netKernel) HandleCall(p *Process, req etf.Term, from From, state etf.Term) Result {
	if t, ok := decoded(req).(etf.Tuple); ok && len(t) == 2 && t[0] == etf.Atom("is_auth") {
		return Reply(etf.Atom("yes"), state)
	}
	return ignore(p, "call", req, state)
}

func (netKernel) HandleCast(p *Process, msg, state etf.Term) Result {
	return ignore(p, "cast", msg, state)
}

func (netKernel) HandleInfo(p *Process, msg, state etf.Term) Result {
	return ignore(p, "message", msg, state)
}
