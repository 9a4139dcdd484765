package host

import "github.com/creo-dev/creo/etf"

// serveRPC answers a spawn request from another node as a BEAM node
// whose code is the functions of rpc_funcs.go would: it spawns a process
// at once, sets up the link and the monitor the request asks for, replies
// with the new pid, and only then runs the request on that process, whose
// exit reason tells the requester the result.
//
//   - erpc:execute_call(Ref, M, F, A), what rpc:call, erpc:call and
//     rpc:multicall send, applies M:F(A) and exits with {Ref, return,
//     Value}, {Ref, exit, Reason} or {Ref, error, Reason, Stack}, as
//     erpc's own execute_call does; a function this node does not have
//     is undef, as on a node where its module is not loaded.
//   - erpc:execute_cast(M, F, A), what rpc:cast and erpc:cast send,
//     applies M:F(A) and exits normal; a failure is only logged.
//   - Any other M:F(A), what spawn/4 sends, runs M:F(A) if this node has
//     it, and otherwise exits with {undef, [{M, F, A, []}]}, logged as
//     the BEAM logs a process that died of an error.
//
// It runs on the reader of the requester's connection, so it creates the
// process and returns: the request runs on a goroutine of its own.
func (n *Node) serveRPC(req SpawnRequest) {
	w := n.newProcess(nil)
	flags := 0
	for _, opt := range req.Options {
		switch opt {
		case etf.Atom("link"):
			n.PeerLink(req.From, w.pid)
			flags |= 1
		case etf.Atom("monitor"):
			n.PeerMonitor(req.From, w.pid, req.ReqID)
			flags |= 2
		}
	}
	n.SpawnReply(req.ReqID, req.From, flags, w.pid)
	go func() { w.exit(n.runSpawned(w, req)) }()
}

// runSpawned runs the spawn request req on the process w and returns the
// reason w exits with.
func (n *Node) runSpawned(w *Process, req SpawnRequest) etf.Term {
	switch {
	case req.Module == "erpc" && req.Function == "execute_call" && len(req.Args) == 4:
		res, m, f, args := req.Args[0], req.Args[1], req.Args[2], req.Args[3]
		v, raised := n.apply(w, m, f, args)
		if raised == nil {
			return etf.Tuple{res, etf.Atom("return"), v}
		}
		if raised.class == classError {
			return etf.Tuple{res, classError, raised.reason, raised.stack}
		}
		return etf.Tuple{res, raised.class, raised.reason}
	case req.Module == "erpc" && req.Function == "execute_cast" && len(req.Args) == 3:
		if _, raised := n.apply(w, req.Args[0], req.Args[1], req.Args[2]); raised != nil {
			n.log.Error("host: rpc cast failed", "pid", w.pid, "from", req.From, "reason", raised.term())
		}
		return Normal
	}
	_, raised := n.apply(w, req.Module, req.Function, req.Args)
	if raised == nil {
		return Normal
	}
	reason := raised.exitReason()
	n.log.Error("host: spawned process failed", "pid", w.pid, "from", req.From, "reason", reason)
	return reason
}

// apply runs M:F(Args) as apply/3 does on the process w: the value, or the
// exception it raised.
func (n *Node) apply(w *Process, m, f, args etf.Term) (etf.Term, *rpcRaised) {
	mod, okM := m.(etf.Atom)
	fun, okF := f.(etf.Atom)
	list, okA := args.(etf.List)
	if !okM || !okF || !okA {
		return nil, raiseError(etf.Atom("badarg"), etf.List{
			etf.Tuple{etf.Atom("erlang"), etf.Atom("apply"), etf.List{m, f, args}, etf.List{}},
		})
	}
	call, ok := rpcFuncs[mfa{mod, fun, len(list)}]
	if !ok {
		return nil, undef(mod, fun, list)
	}
	return call(rpcCall{node: n, w: w, mod: mod, fun: fun, args: list})
}

// rpcCall is one application of an rpc function: where it runs and on
// what.
type rpcCall struct {
	node     *Node
	w        *Process // the process that stands for the spawned one
	mod, fun etf.Atom
	args     etf.List
}

// badarg raises what a BIF raises for a bad argument, with the stack the
// BEAM gives, which lets the caller's shell explain the error.
func (c rpcCall) badarg() *rpcRaised {
	errorInfo := etf.Tuple{etf.Atom("error_info"), etf.Map{{Key: etf.Atom("module"), Value: etf.Atom("erl_erts_errors")}}}
	return raiseError(etf.Atom("badarg"), etf.List{etf.Tuple{c.mod, c.fun, c.args, etf.List{errorInfo}}})
}

// mfa names a function: module, function name and arity.
type mfa struct {
	mod, fun etf.Atom
	arity    int
}

// rpcFunc is a function other nodes may apply on this node.
type rpcFunc func(c rpcCall) (etf.Term, *rpcRaised)

// The classes of Erlang exceptions that rpc functions raise; none throws.
const (
	classError etf.Atom = "error"
	classExit  etf.Atom = "exit"
)

// rpcRaised is an exception an rpc function raised: its class, reason,
// and for an error the stack, trimmed to the applied function as erpc
// trims it.
type rpcRaised struct {
	class  etf.Atom
	reason etf.Term
	stack  etf.List
}

func raiseError(reason etf.Term, stack etf.List) *rpcRaised {
	return &rpcRaised{class: classError, reason: reason, stack: stack}
}

func raiseExit(reason etf.Term) *rpcRaised {
	return &rpcRaised{class: classExit, reason: reason}
}

// undef raises what calling a function that does not exist raises.
func undef(mod, fun etf.Atom, args etf.List) *rpcRaised {
	return raiseError(etf.Atom("undef"), etf.List{etf.Tuple{mod, fun, args, etf.List{}}})
}

// exitReason returns the reason a process exits with when it does not
// catch the exception: an error's reason comes with its stack.
func (r *rpcRaised) exitReason() etf.Term {
	if r.class == classError {
		return etf.Tuple{r.reason, r.stack}
	}
	return r.reason
}

// term returns the exception as {Class, Reason}, for logs.
func (r *rpcRaised) term() etf.Term {
	return etf.Tuple{r.class, r.exitReason()}
}

// rpcReply returns what rpc:call returns for a value or an exception,
// which is what rex answers rpc:block_call with: the value, or
// {badrpc, {'EXIT', Reason}}.
func rpcReply(v etf.Term, raised *rpcRaised) etf.Term {
	if raised == nil {
		return v
	}
	return etf.Tuple{etf.Atom("badrpc"), etf.Tuple{etf.Atom("EXIT"), raised.exitReason()}}
}
