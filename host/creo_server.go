package host

import (
	"context"

	"github.com/creo-dev/creo/etf"
)

// managerServer is the gen_server registered as creo: it reads requests
// and hands them to its Manager. Requests that take time (a compile, an
// init, a code_change, a disk write, a shutdown) run on a goroutine each,
// which replies when done, so that creo keeps answering meanwhile; the
// Manager orders the requests that concern the same name.
type managerServer struct {
	systemDefaults
	m *Manager
}

func (managerServer) Module() etf.Atom { return ManagerName }

func (s managerServer) HandleCall(p *Process, req etf.Term, from From, state etf.Term) Result {
	req = decoded(req)
	f, args, ok := managerCall(req)
	if !ok {
		return Reply(managerReply(nil, refuse("unknown_call", req)), state)
	}
	if !f.slow {
		return Reply(f.run(s.m, args), state)
	}
	go func() { p.Reply(from, f.run(s.m, args)) }()
	return NoReply(state)
}

// managerFunc is a request of the creo server: {Name, Args...} with arity
// arguments, or the atom Name alone for none.
type managerFunc struct {
	name  etf.Atom
	arity int
	// slow requests run on a goroutine of their own.
	slow bool
	run  func(m *Manager, args []etf.Term) etf.Term
}

// managerFuncs are the requests of the creo server, which rpc also offers
// as the functions of a module creo.
var managerFuncs = []managerFunc{
	{name: "deploy", arity: 2, slow: true, run: (*Manager).deployRequest},
	{name: "deploy", arity: 3, slow: true, run: (*Manager).deployRequest},
	{name: "deploy", arity: 4, slow: true, run: (*Manager).deployRequest},
	{name: "reload", arity: 2, slow: true, run: (*Manager).reloadRequest},
	{name: "stop", arity: 1, slow: true, run: (*Manager).stopRequest},
	{name: "which_servers", arity: 0, run: (*Manager).whichServersRequest},
	{name: "servers", arity: 0, run: (*Manager).serversRequest},
	{name: "info", arity: 1, run: (*Manager).infoRequest},
}

// managerCall finds the request req in managerFuncs, and its arguments.
func managerCall(req etf.Term) (managerFunc, []etf.Term, bool) {
	var name etf.Term = req
	var args []etf.Term
	if t, ok := req.(etf.Tuple); ok && len(t) > 0 {
		name, args = t[0], t[1:]
	}
	for _, f := range managerFuncs {
		if name == f.name && len(args) == f.arity {
			return f, args, true
		}
	}
	return managerFunc{}, nil, false
}

// The requests run without a deadline: the caller has its own timeout,
// and a request it gave up on still completes, or fails, as a whole.
var requestCtx = context.Background()

// deployRequest answers {deploy, Name, Wasm[, InitArgs[, Opts]]}.
func (m *Manager) deployRequest(args []etf.Term) etf.Term {
	name, ok := args[0].(etf.Atom)
	if !ok {
		return managerReply(nil, refuse("bad_name", args[0]))
	}
	wasm, ok := args[1].(etf.Binary)
	if !ok {
		return managerReply(nil, refuse("invalid_module", etf.Binary("the module is not a binary")))
	}
	spec := DeploySpec{Name: name, Wasm: wasm}
	if len(args) > 2 {
		spec.Args = args[2]
	}
	if len(args) > 3 {
		opts, ok := args[3].(etf.List)
		if !ok {
			return managerReply(nil, refuse("bad_option", args[3]))
		}
		for _, opt := range opts {
			t, ok := opt.(etf.Tuple)
			if !ok || len(t) != 2 || t[0] != etf.Atom("restart") {
				return managerReply(nil, refuse("bad_option", opt))
			}
			a, _ := t[1].(etf.Atom)
			if spec.Restart, ok = parseRestart(a); !ok {
				return managerReply(nil, refuse("bad_option", opt))
			}
		}
	}
	pid, err := m.Deploy(requestCtx, spec)
	return managerReply(pid, err)
}

// reloadRequest answers {reload, Name, Wasm} and {reload, [Name], Wasm}.
func (m *Manager) reloadRequest(args []etf.Term) etf.Term {
	wasm, ok := args[1].(etf.Binary)
	if !ok {
		return managerReply(nil, refuse("invalid_module", etf.Binary("the module is not a binary")))
	}
	if list, ok := args[0].(etf.List); ok {
		names := make([]etf.Atom, len(list))
		for i, t := range list {
			if names[i], ok = t.(etf.Atom); !ok {
				return managerReply(nil, refuse("bad_name", t))
			}
		}
		return managerReply(nil, m.ReloadAll(requestCtx, names, wasm))
	}
	name, ok := args[0].(etf.Atom)
	if !ok {
		return managerReply(nil, refuse("bad_name", args[0]))
	}
	return managerReply(nil, m.Reload(requestCtx, name, wasm))
}

// stopRequest answers {stop, Name}.
func (m *Manager) stopRequest(args []etf.Term) etf.Term {
	name, ok := args[0].(etf.Atom)
	if !ok {
		return managerReply(nil, refuse("bad_name", args[0]))
	}
	return managerReply(nil, m.Stop(requestCtx, name))
}

// whichServersRequest answers which_servers.
func (m *Manager) whichServersRequest([]etf.Term) etf.Term {
	return m.serverList(ServerInfo.whichTerm)
}

// serversRequest answers servers.
func (m *Manager) serversRequest([]etf.Term) etf.Term {
	return m.serverList(ServerInfo.infoTerm)
}

// serverList returns the servers, each as term makes it.
func (m *Manager) serverList(term func(ServerInfo) etf.Term) etf.List {
	servers := m.Servers()
	list := make(etf.List, len(servers))
	for i, s := range servers {
		list[i] = term(s)
	}
	return list
}

// infoRequest answers {info, Name}.
func (m *Manager) infoRequest(args []etf.Term) etf.Term {
	name, ok := args[0].(etf.Atom)
	if !ok {
		return managerReply(nil, refuse("bad_name", args[0]))
	}
	s, ok := m.Server(name)
	if !ok {
		return managerReply(nil, ErrNotFound)
	}
	return managerReply(s.infoTerm(), nil)
}
