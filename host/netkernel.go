package host

import "github.com/creo-dev/creo/etf"

// netKernel is the part of OTP's net_kernel that other nodes talk to: it
// answers {is_auth, Node}, the call behind net_adm:ping/1, with yes. The
// other calls OTP's net_kernel serves come from its own node.
type netKernel struct{ systemDefaults }

func (netKernel) Module() etf.Atom { return "net_kernel" }

func (netKernel) HandleCall(p *Process, req etf.Term, from From, state etf.Term) Result {
	if t, ok := decoded(req).(etf.Tuple); ok && len(t) == 2 && t[0] == etf.Atom("is_auth") {
		return Reply(etf.Atom("yes"), state)
	}
	return ignore(p, "call", req, state)
}
