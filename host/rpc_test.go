package host

import (
	"testing"

	"github.com/creo-dev/creo/etf"
)

// The stack frame that BIFs add to badarg, as the BEAM gives it.
var errorInfo = etf.List{etf.Tuple{etf.Atom("error_info"), etf.Map{{Key: etf.Atom("module"), Value: etf.Atom("erl_erts_errors")}}}}

// TestRPCExecuteCall answers erpc:execute_call/4 spawn requests, what
// rpc:call and erpc:call send, and checks the exit reason each reports,
// which the BEAM's erpc turns into the result.
func TestRPCExecuteCall(t *testing.T) {
	n, w := clusterNode(t)
	res := etf.Ref{Node: "b@host", Creation: 9, Len: 3, ID: [5]uint32{7, 7, 7}}
	local := etf.Pid{Node: "a@host", ID: 1, Creation: 1} // no process has this slot yet
	oldIncarnation := etf.Pid{Node: "a@host", ID: 1, Creation: 2}
	errorReason := func(reason etf.Term, stack etf.List) etf.Term {
		return etf.Tuple{res, etf.Atom("error"), reason, stack}
	}
	badarg := func(mod, fun etf.Atom, args ...etf.Term) etf.Term {
		return errorReason(etf.Atom("badarg"), etf.List{etf.Tuple{mod, fun, etf.List(args), errorInfo}})
	}
	returned := func(v etf.Term) etf.Term { return etf.Tuple{res, etf.Atom("return"), v} }
	tests := []struct {
		name    string
		m, f, a etf.Term
		want    etf.Term
	}{
		{name: "node", m: etf.Atom("erlang"), f: etf.Atom("node"), a: etf.List{}, want: returned(etf.Atom("a@host"))},
		{name: "nodes", m: etf.Atom("erlang"), f: etf.Atom("nodes"), a: etf.List{}, want: returned(etf.List{})},
		{name: "whereis unknown", m: etf.Atom("erlang"), f: etf.Atom("whereis"), a: etf.List{etf.Atom("nobody")}, want: returned(etf.Undefined)},
		{name: "whereis not an atom", m: etf.Atom("erlang"), f: etf.Atom("whereis"), a: etf.List{etf.Int(123)}, want: badarg("erlang", "whereis", etf.Int(123))},
		{name: "is_process_alive dead", m: etf.Atom("erlang"), f: etf.Atom("is_process_alive"), a: etf.List{local}, want: returned(etf.False)},
		{name: "is_process_alive earlier incarnation", m: etf.Atom("erlang"), f: etf.Atom("is_process_alive"), a: etf.List{oldIncarnation}, want: returned(etf.False)},
		{name: "is_process_alive other node", m: etf.Atom("erlang"), f: etf.Atom("is_process_alive"), a: etf.List{remotePid}, want: badarg("erlang", "is_process_alive", remotePid)},
		{name: "system_info wordsize", m: etf.Atom("erlang"), f: etf.Atom("system_info"), a: etf.List{etf.Atom("wordsize")}, want: returned(etf.Int(8))},
		{name: "system_info creation", m: etf.Atom("erlang"), f: etf.Atom("system_info"), a: etf.List{etf.Atom("creation")}, want: returned(etf.Int(1))},
		{name: "system_info unknown", m: etf.Atom("erlang"), f: etf.Atom("system_info"), a: etf.List{etf.Atom("nonsense")}, want: badarg("erlang", "system_info", etf.Atom("nonsense"))},
		{name: "undefined module", m: etf.Atom("foo"), f: etf.Atom("bar"), a: etf.List{etf.Int(1)}, want: errorReason(etf.Atom("undef"), etf.List{etf.Tuple{etf.Atom("foo"), etf.Atom("bar"), etf.List{etf.Int(1)}, etf.List{}}})},
		{name: "wrong arity", m: etf.Atom("erlang"), f: etf.Atom("node"), a: etf.List{etf.Int(1), etf.Int(2)}, want: errorReason(etf.Atom("undef"), etf.List{etf.Tuple{etf.Atom("erlang"), etf.Atom("node"), etf.List{etf.Int(1), etf.Int(2)}, etf.List{}}})},
		{name: "resolve_it on a node without global", m: etf.Atom("global"), f: etf.Atom("resolve_it"), a: etf.List{etf.Atom("m"), etf.Atom("n"), remotePid, remotePid}, want: errorReason(etf.Atom("undef"), etf.List{etf.Tuple{etf.Atom("global"), etf.Atom("resolve_it"), etf.List{etf.Atom("m"), etf.Atom("n"), remotePid, remotePid}, etf.List{}}})},
		{name: "module not an atom", m: etf.Int(1), f: etf.Atom("f"), a: etf.List{}, want: errorReason(etf.Atom("badarg"), etf.List{etf.Tuple{etf.Atom("erlang"), etf.Atom("apply"), etf.List{etf.Int(1), etf.Atom("f"), etf.List{}}, etf.List{}}})},
		{name: "creo without its server", m: ManagerName, f: etf.Atom("which_servers"), a: etf.List{}, want: etf.Tuple{res, etf.Atom("exit"), etf.Tuple{Noproc, etf.Tuple{etf.Atom("gen_server"), etf.Atom("call"), etf.List{ManagerName, etf.Atom("which_servers"), etf.Atom("infinity")}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := SpawnRequest{
				ReqID: n.MakeRef(), From: remotePid, Module: "erpc", Function: "execute_call",
				Options: etf.List{etf.Atom("monitor")}, Args: etf.List{res, tt.m, tt.f, tt.a},
			}
			n.serveRPC(req)
			reply := w.next(t)
			pid, _ := reply[4].(etf.Pid)
			if !etf.Equal(reply, etf.Tuple{etf.Atom("spawn_reply"), req.ReqID, remotePid, etf.Int(2), pid}) || pid.Node != n.Name() {
				t.Fatalf("spawn reply %v, want flags 2 (monitor) and a pid of a@host", reply)
			}
			w.expect(t, etf.Atom("monitor_exit"), pid, remotePid, req.ReqID, tt.want)
		})
	}
}

// TestRPCSpawn answers the spawn requests of erpc:execute_cast/3 and of
// spawn/4, with the link and monitor each asks for.
func TestRPCSpawn(t *testing.T) {
	n, w := clusterNode(t)
	undefFoo := etf.Tuple{etf.Atom("undef"), etf.List{etf.Tuple{etf.Atom("foo"), etf.Atom("bar"), etf.List{}, etf.List{}}}}
	tests := []struct {
		name      string
		mod, fun  etf.Atom
		args      etf.List
		opts      etf.List
		wantFlags int
		// want are the signals after the reply, with the spawned pid
		// standing for pidMark.
		want []etf.Tuple
	}{
		{name: "cast", mod: "erpc", fun: "execute_cast", args: etf.List{etf.Atom("erlang"), etf.Atom("node"), etf.List{}}},
		{name: "spawn an undefined function, linked", mod: "foo", fun: "bar", opts: etf.List{etf.Atom("link")}, wantFlags: 1,
			want: []etf.Tuple{{etf.Atom("exit"), pidMark, remotePid, undefFoo}}},
		{name: "spawn a function, linked and monitored", mod: "erlang", fun: "node", opts: etf.List{etf.Atom("link"), etf.Atom("monitor")}, wantFlags: 3,
			want: []etf.Tuple{{etf.Atom("exit"), pidMark, remotePid, Normal}, {etf.Atom("monitor_exit"), pidMark, remotePid, refMark, Normal}}},
		{name: "unknown options ignored", mod: "foo", fun: "bar", opts: etf.List{etf.Tuple{etf.Atom("priority"), etf.Atom("high")}, etf.Atom("monitor")}, wantFlags: 2,
			want: []etf.Tuple{{etf.Atom("monitor_exit"), pidMark, remotePid, refMark, undefFoo}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := SpawnRequest{ReqID: n.MakeRef(), From: remotePid, Module: tt.mod, Function: tt.fun, Options: tt.opts, Args: tt.args}
			n.serveRPC(req)
			reply := w.next(t)
			pid, _ := reply[4].(etf.Pid)
			if !etf.Equal(reply, etf.Tuple{etf.Atom("spawn_reply"), req.ReqID, remotePid, etf.Int(tt.wantFlags), pid}) {
				t.Fatalf("spawn reply %v, want flags %d and a pid", reply, tt.wantFlags)
			}
			for _, want := range tt.want {
				for i, x := range want {
					switch x {
					case pidMark:
						want[i] = pid
					case refMark:
						want[i] = req.ReqID
					}
				}
				w.expect(t, want...)
			}
			eventually(t, "the spawned process ends", func() bool { _, alive := n.ProcessInfo(pid); return !alive })
			select {
			case s := <-w.ch:
				t.Errorf("unexpected signal %v", s)
			default:
			}
		})
	}
}

// Marks in the signals TestRPCSpawn wants, for the pid and the request's
// reference it learns only when it runs.
const (
	pidMark etf.Atom = "$pid"
	refMark etf.Atom = "$ref"
)

// TestRPCReply checks what rex answers rpc:block_call with: what
// rpc:call returns.
func TestRPCReply(t *testing.T) {
	stack := etf.List{etf.Tuple{etf.Atom("foo"), etf.Atom("bar"), etf.List{}, etf.List{}}}
	tests := []struct {
		name   string
		v      etf.Term
		raised *rpcRaised
		want   etf.Term
	}{
		{name: "value", v: etf.Int(1), want: etf.Int(1)},
		{name: "error", raised: raiseError(etf.Atom("undef"), stack), want: etf.Tuple{etf.Atom("badrpc"), etf.Tuple{etf.Atom("EXIT"), etf.Tuple{etf.Atom("undef"), stack}}}},
		{name: "exit", raised: raiseExit(etf.Atom("x")), want: etf.Tuple{etf.Atom("badrpc"), etf.Tuple{etf.Atom("EXIT"), etf.Atom("x")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rpcReply(tt.v, tt.raised); !etf.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRPCResolveIt applies global:resolve_it/4, which a BEAM node calls on
// the node of the pid that holds a clashing global name, with each of
// global's methods: His is the other partition's pid, Mine the one here.
func TestRPCResolveIt(t *testing.T) {
	n := startNet(t, testEPMD(t))
	clash := etf.Atom("clash")
	method := func(f etf.Atom) etf.Term { return etf.Export{Module: "global", Function: f, Arity: 3} }
	tests := []struct {
		name   string
		method etf.Term
		// want returns the winner and checks what his and mine got.
		want func(t *testing.T, his, mine *probe) etf.Term
	}{
		{name: "random_exit_name", method: method("random_exit_name"), want: func(t *testing.T, his, mine *probe) etf.Term {
			eventually(t, "his is killed", func() bool { return !alive(n, his.pid) })
			return mine.pid
		}},
		{name: "a fun, taken for random_exit_name", method: etf.Fun{Arity: 3, Module: "elixir_fun"}, want: func(t *testing.T, his, mine *probe) etf.Term {
			eventually(t, "his is killed", func() bool { return !alive(n, his.pid) })
			return mine.pid
		}},
		{name: "random_notify_name", method: method("random_notify_name"), want: func(t *testing.T, his, mine *probe) etf.Term {
			his.expect(t, etf.Tuple{etf.Atom("global_name_conflict"), clash})
			return mine.pid
		}},
		{name: "notify_all_name", method: method("notify_all_name"), want: func(t *testing.T, his, mine *probe) etf.Term {
			his.expect(t, etf.Tuple{etf.Atom("global_name_conflict"), clash, mine.pid})
			mine.expect(t, etf.Tuple{etf.Atom("global_name_conflict"), clash, his.pid})
			return etf.Atom("none")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			his, mine := startProbe(t, n, nil), startProbe(t, n, nil)
			w := n.newProcess(nil)
			defer w.exit(Normal)
			got, raised := n.apply(w, etf.Atom("global"), etf.Atom("resolve_it"), etf.List{tt.method, clash, his.pid, mine.pid})
			if raised != nil {
				t.Fatalf("raised %v", raised.term())
			}
			if want := tt.want(t, his, mine); !etf.Equal(got, want) {
				t.Errorf("resolve_it = %v, want %v", got, want)
			}
			if !alive(n, mine.pid) {
				t.Error("mine was killed")
			}
		})
	}
}
