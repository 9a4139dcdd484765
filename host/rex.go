package host

import "github.com/creo-dev/creo/etf"

// rex is the rpc server's registered process. Since OTP 23, rpc and erpc
// reach a node with SPAWN_REQUEST instead; what still comes to rex is the
// features_request OTP's rex sends when a visible node comes up, answered
// as OTP does, and rpc:block_call, {block_call, M, F, A, GroupLeader}.
// On a node that runs creo's manager, which serves rpc, rex applies it
// itself, as OTP's does, with the functions spawn requests may apply
// (rpc_funcs.go); elsewhere it answers {badrpc, notsup}, as spawn requests
// are answered there.
type rex struct{ systemDefaults }

func (rex) Module() etf.Atom { return "rpc" }

func (rex) HandleCall(p *Process, req etf.Term, _ From, state etf.Term) Result {
	t, ok := decoded(req).(etf.Tuple)
	if _, served := p.node.Whereis(ManagerName); served && ok && len(t) == 5 && t[0] == etf.Atom("block_call") {
		return Reply(rpcReply(p.node.apply(p, t[1], t[2], t[3])), state)
	}
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
