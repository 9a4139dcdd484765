package host

import (
	"context"
	"runtime"

	"github.com/creo-dev/creo/etf"
)

// rpcFuncs are the functions other nodes may apply on this node with rpc
// and spawn: the BIFs of erlang that make sense on creo, and creo's
// management API. Any other function is undef, as on a BEAM node that does
// not have its module.
var rpcFuncs = map[mfa]rpcFunc{
	{"erlang", "node", 0}:             rpcNode,
	{"erlang", "nodes", 0}:            rpcNodes,
	{"erlang", "whereis", 1}:          rpcWhereis,
	{"erlang", "is_process_alive", 1}: rpcIsProcessAlive,
	{"erlang", "system_info", 1}:      rpcSystemInfo,
	{"global", "resolve_it", 4}:       rpcResolveIt,
}

func init() {
	for _, f := range managerFuncs {
		rpcFuncs[mfa{ManagerName, f.name, f.arity}] = rpcManager
	}
}

func rpcNode(c rpcCall) (etf.Term, *rpcRaised) { return c.node.name, nil }

func rpcNodes(c rpcCall) (etf.Term, *rpcRaised) {
	nodes := c.node.Nodes()
	l := make(etf.List, len(nodes))
	for i, node := range nodes {
		l[i] = node
	}
	return l, nil
}

func rpcWhereis(c rpcCall) (etf.Term, *rpcRaised) {
	name, ok := c.args[0].(etf.Atom)
	if !ok {
		return nil, c.badarg()
	}
	if pid, ok := c.node.Whereis(name); ok {
		return pid, nil
	}
	return etf.Undefined, nil
}

// rpcIsProcessAlive is erlang:is_process_alive/1, which takes only pids of
// this node: one of an earlier incarnation of it is dead, and one of
// another node is badarg.
func rpcIsProcessAlive(c rpcCall) (etf.Term, *rpcRaised) {
	pid, ok := c.args[0].(etf.Pid)
	if !ok || pid.Node != c.node.name {
		return nil, c.badarg()
	}
	_, alive := c.node.ProcessInfo(pid)
	return boolAtom(alive && pid.Creation == c.node.creation), nil
}

// rpcSystemInfo is erlang:system_info/1 for the items that describe creo
// as they describe a BEAM node: counts, processors, word size, creation,
// and creo's version where the BEAM gives its own. Items that only mean
// something on the BEAM are badarg, as unknown items are there.
func rpcSystemInfo(c rpcCall) (etf.Term, *rpcRaised) {
	item, _ := c.args[0].(etf.Atom)
	switch item {
	case "process_count":
		return etf.Int(c.node.ProcessCount()), nil
	case "schedulers", "schedulers_online":
		return etf.Int(runtime.GOMAXPROCS(0)), nil
	case "logical_processors", "logical_processors_available", "logical_processors_online":
		return etf.Int(runtime.NumCPU()), nil
	case "wordsize":
		return etf.Int(8), nil
	case "creation":
		return etf.Int(c.node.creation), nil
	case "system_architecture":
		return charlist(runtime.GOARCH + "-" + runtime.GOOS), nil
	case "system_version":
		return charlist("creo (" + runtime.Version() + ") [" + runtime.GOARCH + "-" + runtime.GOOS + "]\n"), nil
	}
	return nil, c.badarg()
}

// rpcManager is creo:F(Args...), a call to the node's creo server with the
// request {F, Args...}, or F alone for a function of no arguments, as an
// Erlang module of call wrappers would make it: a missing server exits as
// gen_server:call does.
func rpcManager(c rpcCall) (etf.Term, *rpcRaised) {
	req := etf.Term(c.fun)
	if len(c.args) > 0 {
		req = append(etf.Tuple{c.fun}, c.args...)
	}
	reply, err := c.w.Call(context.Background(), ManagerName, req, Infinity)
	if err != nil {
		call := etf.Tuple{etf.Atom("gen_server"), etf.Atom("call"), etf.List{ManagerName, req, etf.Atom("infinity")}}
		return nil, raiseExit(etf.Tuple{ExitReason(err), call})
	}
	return reply, nil
}

// rpcResolveIt is global:resolve_it(Method, Name, Pid1, Pid2), which the
// BEAM node that resolves a clash of global names calls on the node of the
// pid that holds the name in its partition: it applies the method, as
// creo's own global resolves a clash (see [Global]), and returns the pid
// that keeps the name, or none. A hidden node runs no global: undef.
func rpcResolveIt(c rpcCall) (etf.Term, *rpcRaised) {
	if c.node.Global() == nil {
		return nil, undef(c.mod, c.fun, c.args)
	}
	name := c.args[1]
	his, okHis := c.args[2].(etf.Pid)
	mine, okMine := c.args[3].(etf.Pid)
	if !okHis || !okMine {
		return nil, c.badarg()
	}
	winner := resolveConflict(c.w, name, his, mine, c.args[0])
	if winner == (etf.Pid{}) {
		return etf.Atom("none"), nil
	}
	return winner, nil
}
