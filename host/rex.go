package host

import "github.com/creo-dev/creo/etf"

// rex is the rpc server's registered process. Since OTP 23, rpc and erpc
// reach a node with SPAWN_REQUEST instead; what still comes to rex is the
// features_request OTP's rex sends when a visible node comes up, answered
// as OTP does, and rpc:block_call, answered {badrpc, notsup} as spawn
// requests are.
type rex struct{ systemDefaults }

func (rex) Module() etf.Atom { return "rpc" }

func (rex) HandleCall(_ *Process, _ etf.Term, _ From, state etf.Term) Result {
	return Reply(etf.Tuple{etf.Atom("badrpc"), etf.Atom("notsup")}, state)
}

// HandleInfo answers {From, features_request} with
// {features_reply, node(), [erpc]}.
func (rex) HandleInfo(p *Process, msg, state etf.Term) Result {
	t, ok := decoded(msg).(etf.Tuple)
	if !ok || len(t) != 2 || t[1] != etf.Atom("features_request") {
		return ignore(p, "message", msg, state)
	}
	if from, ok := t[0].(etf.Pid); ok {
		_ = p.Send(from, etf.Tuple{etf.Atom("features_reply"), p.node.name, etf.List{etf.Atom("erpc")}})
	}
	return NoReply(state)
}
