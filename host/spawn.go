package host

import "github.com/creo-dev/creo/etf"

// SpawnRequest is a request from a process of another node to spawn a
// process on this one (SPAWN_REQUEST): what erlang:spawn_request/5 sends,
// and so what rpc:call and erpc:call send since OTP 23.
type SpawnRequest struct {
	ReqID       etf.Ref // the request's id, which the reply names
	From        etf.Pid
	GroupLeader etf.Pid
	Module      etf.Atom
	Function    etf.Atom
	Options     etf.List // link, monitor and the others of spawn_opt
	Args        etf.List
}

// SetSpawnHandler installs the handler of spawn requests from other nodes,
// the node's rpc handler. It runs on the goroutine that delivers the
// request (a connection's reader), so it must not block: it answers with
// [Node.SpawnReply] when it can.
func (n *Node) SetSpawnHandler(h func(SpawnRequest)) {
	n.spawnHandler.Store(&h)
}

// PeerSpawnRequest hands a spawn request from another node to the spawn
// handler. Without one it is refused with notsup, which rpc:call reports
// as {badrpc, notsup}.
func (n *Node) PeerSpawnRequest(req SpawnRequest) {
	if h := n.spawnHandler.Load(); h != nil {
		(*h)(req)
		return
	}
	n.SpawnReply(req.ReqID, req.From, 0, etf.Atom("notsup"))
}

// SpawnReply answers the spawn request id of the process to on another
// node (SPAWN_REPLY): result is the new pid, or an atom saying why there
// is none; flags say whether the link (1) and the monitor (2) the request
// asked for are set up.
func (n *Node) SpawnReply(id etf.Ref, to etf.Pid, flags int, result etf.Term) {
	n.cluster.SpawnReply(id, to, flags, result)
}
