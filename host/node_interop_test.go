package host

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/erltest"
)

// Interop tests: a creo node and real Elixir and erl nodes on 127.0.0.1,
// registered with a private epmd. The Elixir side runs one line of code
// per step; $C in it stands for the creo node's name.

// elixirPeer starts a creo node and an Elixir node (cfg says how), both
// registered with a private epmd.
func elixirPeer(t *testing.T, cfg erltest.NodeConfig, modify ...func(*NetConfig)) (*Node, *erltest.Node, string) {
	t.Helper()
	epmdAddr := erltest.Epmd(t)
	creo := startNet(t, epmdAddr, modify...)
	ex := startElixir(t, epmdAddr, cfg)
	return creo, ex, epmdAddr
}

// startElixir starts an Elixir node registered with the epmd at epmdAddr
// and waits until it runs.
func startElixir(t testing.TB, epmdAddr string, cfg erltest.NodeConfig) *erltest.Node {
	t.Helper()
	cfg.Epmd, cfg.Elixir = epmdAddr, true
	if cfg.Cookie == "" {
		cfg.Cookie = testCookie
	}
	ex := erltest.StartNode(t, cfg)
	ex.WaitUp(t)
	return ex
}

// evalOn runs code on n with $C replaced by the creo node's name, and
// fails the test unless it prints want (where $C is replaced too).
func evalOn(t *testing.T, n *erltest.Node, creo *Node, code, want string) {
	t.Helper()
	node := fmt.Sprintf(":%q", string(creo.Name()))
	code, want = strings.ReplaceAll(code, "$C", node), strings.ReplaceAll(want, "$C", node)
	if got := n.Eval(t, code); got != want {
		t.Fatalf("%s\n got %s\nwant %s", code, got, want)
	}
}

func TestElixirConnects(t *testing.T) {
	var log logRecorder
	creo, ex, epmdAddr := elixirPeer(t, erltest.NodeConfig{}, func(c *NetConfig) { c.Logger = log.logger() })
	t.Run("creo dials", func(t *testing.T) {
		ex.Eval(t, "Process.register(self(), :inbox)")
		if err := creo.Send(etf.Tuple{etf.Atom("inbox"), etf.Atom(ex.Name)}, etf.Atom("hello")); err != nil {
			t.Fatal(err)
		}
		evalOn(t, ex, creo, "receive do :hello -> Node.list() after 10000 -> :none end", "[$C]")
		if got := creo.Nodes(); !slices.Equal(got, []etf.Atom{etf.Atom(ex.Name)}) {
			t.Fatalf("creo.Nodes() = %v", got)
		}
	})
	t.Run("erl dials", func(t *testing.T) {
		erl := erltest.StartNode(t, erltest.NodeConfig{Cookie: testCookie, Epmd: epmdAddr})
		node := fmt.Sprint(creo.Name()) // quoted, as Erlang writes it
		if got := erl.Eval(t, "{net_adm:ping("+node+"), lists:member("+node+", nodes())}."); got != "{pong,true}" {
			t.Fatalf("ping from erl = %s", got)
		}
	})
	t.Run("wrong cookie", func(t *testing.T) {
		log.Reset()
		bad := startElixir(t, epmdAddr, erltest.NodeConfig{Cookie: "not" + testCookie})
		evalOn(t, bad, creo, "Node.connect($C)", "false")
		log.await(t, "wrong cookie")
		evalOn(t, ex, creo, ":net_adm.ping($C)", ":pong")
	})
}

// TestElixirHiddenNode: a hidden creo node is connected but listed only
// among the hidden nodes.
func TestElixirHiddenNode(t *testing.T) {
	creo, ex, _ := elixirPeer(t, erltest.NodeConfig{}, func(c *NetConfig) { c.Hidden = true })
	evalOn(t, ex, creo, "{Node.connect($C), Node.list(), Node.list(:hidden), :net_adm.ping($C)}", "{true, [], [$C], :pong}")
	if got := creo.Nodes(); len(got) != 0 {
		t.Fatalf("creo.Nodes() = %v over a hidden connection", got)
	}
}

// TestElixirInterop runs what an Elixir developer does with a creo node
// from one Elixir node: calls, casts, sys, links, monitors and exits both
// ways, large messages, long streams of messages, rpc.
func TestElixirInterop(t *testing.T) {
	creo, ex, _ := elixirPeer(t, erltest.NodeConfig{})
	if _, err := creo.Start(echo(), nil, Options{Name: "echo"}); err != nil {
		t.Fatal(err)
	}
	if _, err := creo.Start(orderCheck{}, nil, Options{Name: "order"}); err != nil {
		t.Fatal(err)
	}
	evalOn(t, ex, creo, "Node.connect($C)", "true")
	// The shell process traps exits, so that links to creo processes
	// bring their exits to it as messages.
	ex.Eval(t, "Process.flag(:trap_exit, true)")
	// Ints.recv(n) checks the shell receives 1..n in order; compiled,
	// since evaluated code receives 20 times slower.
	ex.Eval(t, "defmodule Ints do def recv(n), do: recv(1, n); def recv(i, n) when i > n, do: :in_order; "+
		"def recv(i, n), do: (receive do ^i -> recv(i + 1, n); x when is_integer(x) -> {:out_of_order, i, x} after 10000 -> {:missing, i} end) end")
	for _, tt := range []struct {
		name   string
		agents []etf.Atom // started before the code runs
		code   string
		want   string
	}{{
		name: "call by name",
		code: `GenServer.call({:echo, $C}, {:hello, [1, 2.5, "bin", 'chars', %{a: [b: 1]}, Integer.pow(2, 70)]})`,
		want: `{:hello, [1, 2.5, "bin", 'chars', %{a: [b: 1]}, 1180591620717411303424]}`,
	}, {
		name:   "call by pid",
		agents: []etf.Atom{"a_call"},
		code:   `pid = GenServer.call({:a_call, $C}, :self); {node(pid), GenServer.call(pid, {:x, pid}) == {:x, pid}}`,
		want:   `{$C, true}`,
	}, {
		name: "call to a name nobody registered exits noproc",
		code: `try do GenServer.call({:nosuch, $C}, :hi, :infinity) catch :exit, {r, _} -> r end`,
		want: `:noproc`,
	}, {
		name:   "cast",
		agents: []etf.Atom{"a_cast"},
		code:   `:ok = GenServer.call({:a_cast, $C}, {:report_to, self()}); GenServer.cast({:a_cast, $C}, {:hi, 1}); receive do {:agent, :a_cast, m} -> m after 10000 -> :none end`,
		want:   `{:cast, {:hi, 1}}`,
	}, {
		name:   "sys",
		agents: []etf.Atom{"a_sys"},
		code: `s = {:a_sys, $C}; :ok = :sys.suspend(s); st = :sys.get_state(s); t = try do GenServer.call(s, :ping, 100) catch :exit, {r, _} -> r end; :ok = :sys.resume(s); ` +
			`r = try do :sys.replace_state(s, fn x -> x end) catch :error, r -> elem(r, 0) end; {st, t, r, GenServer.call(s, :ping)}`,
		want: `{:nobody, :timeout, :callback_failed, :ping}`,
	}, {
		name:   "link, then the creo process exits",
		agents: []etf.Atom{"a_link"},
		code:   `pid = GenServer.call({:a_link, $C}, :self); Process.link(pid); :ok = GenServer.call(pid, {:stop, :custom}); receive do {:EXIT, ^pid, r} -> r after 10000 -> :none end`,
		want:   `:custom`,
	}, {
		name:   "monitor by pid",
		agents: []etf.Atom{"a_mon"},
		code:   `pid = GenServer.call({:a_mon, $C}, :self); ref = Process.monitor(pid); GenServer.call(pid, {:stop, :normal}); receive do {:DOWN, ^ref, :process, o, r} -> {o == pid, r} after 10000 -> :none end`,
		want:   `{true, :normal}`,
	}, {
		name:   "monitor by name",
		agents: []etf.Atom{"a_mon2"},
		code:   `ref = Process.monitor({:a_mon2, $C}); GenServer.call({:a_mon2, $C}, {:stop, {:shutdown, :bye}}); receive do {:DOWN, ^ref, :process, o, r} -> {o, r} after 10000 -> :none end`,
		want:   `{{:a_mon2, $C}, {:shutdown, :bye}}`,
	}, {
		name: "monitor of a name nobody registered",
		code: `ref = Process.monitor({:nosuch, $C}); receive do {:DOWN, ^ref, :process, o, r} -> {o, r} after 10000 -> :none end`,
		want: `{{:nosuch, $C}, :noproc}`,
	}, {
		name:   "creo links to and monitors an Elixir process",
		agents: []etf.Atom{"a_watch"},
		code: `ep = spawn(fn -> receive do r -> exit(r) end end); a = {:a_watch, $C}; :ok = GenServer.call(a, {:report_to, self()}); :ok = GenServer.call(a, {:trap_exit, true}); ` +
			`:ok = GenServer.call(a, {:link, ep}); ref = GenServer.call(a, {:monitor, ep}); send(ep, :custom); ` +
			`got = for _ <- 1..2, do: (receive do {:agent, :a_watch, m} -> m after 10000 -> :none end); Enum.sort(got) == Enum.sort([{:EXIT, ep, :custom}, {:DOWN, ref, :process, ep, :custom}])`,
		want: `true`,
	}, {
		name:   "exit kill",
		agents: []etf.Atom{"a_kill"},
		code:   `pid = GenServer.call({:a_kill, $C}, :self); ref = Process.monitor(pid); Process.exit(pid, :kill); receive do {:DOWN, ^ref, :process, _, r} -> r after 10000 -> :none end`,
		want:   `:killed`,
	}, {
		name:   "exit with a reason, trapped or not",
		agents: []etf.Atom{"a_exit1", "a_exit2"},
		code: `p1 = GenServer.call({:a_exit1, $C}, :self); r1 = Process.monitor(p1); Process.exit(p1, :custom); d = receive do {:DOWN, ^r1, :process, _, r} -> r after 10000 -> :none end; ` +
			`a2 = {:a_exit2, $C}; :ok = GenServer.call(a2, {:report_to, self()}); :ok = GenServer.call(a2, {:trap_exit, true}); Process.exit(GenServer.call(a2, :self), :custom); ` +
			`m = receive do {:agent, :a_exit2, m} -> m after 10000 -> :none end; {d, m == {:EXIT, self(), :custom}}`,
		want: `{:custom, true}`,
	}, {
		name:   "Elixir unlinks",
		agents: []etf.Atom{"a_unlink"},
		code: `pid = GenServer.call({:a_unlink, $C}, :self); Process.link(pid); Process.unlink(pid); ref = Process.monitor(pid); GenServer.call(pid, {:stop, :custom}); ` +
			`receive do {:DOWN, ^ref, :process, _, _} -> :ok after 10000 -> :none end; receive do {:EXIT, ^pid, _} -> :linked after 0 -> :unlinked end`,
		want: `:unlinked`,
	}, {
		name:   "creo unlinks",
		agents: []etf.Atom{"a_unlink2"},
		code: `ep = spawn(fn -> receive do r -> exit(r) end end); a = {:a_unlink2, $C}; :ok = GenServer.call(a, {:report_to, self()}); :ok = GenServer.call(a, {:trap_exit, true}); ` +
			`:ok = GenServer.call(a, {:link, ep}); :ok = GenServer.call(a, {:unlink, ep}); ref = GenServer.call(a, {:monitor, ep}); {:links, []} = Process.info(ep, :links); send(ep, :custom); ` +
			`receive do {:agent, :a_unlink2, m} -> m == {:DOWN, ref, :process, ep, :custom} after 10000 -> :none end`,
		want: `true`,
	}, {
		name: "messages of megabytes both ways",
		code: `big = :crypto.strong_rand_bytes(3_000_000); GenServer.call({:echo, $C}, {big, [big]}, 60000) == {big, [big]}`,
		want: `true`,
	}, {
		name: "100,000 messages to creo, in order",
		code: `for i <- 1..100_000, do: send({:order, $C}, i); GenServer.call({:order, $C}, :result, 60000)`,
		want: `{100000, :in_order}`,
	}, {
		name:   "100,000 messages from creo, in order",
		agents: []etf.Atom{"a_send"},
		code:   `:ok = GenServer.call({:a_send, $C}, {:send, self(), 100_000}, 60000); Ints.recv(100_000)`,
		want:   `:in_order`,
	}, {
		name:   "creo sends exit/2",
		agents: []etf.Atom{"a_exit3"},
		code:   `ep = spawn(fn -> receive do _ -> :ok end end); ref = Process.monitor(ep); :ok = GenServer.call({:a_exit3, $C}, {:exit, ep, :custom}); receive do {:DOWN, ^ref, :process, _, r} -> r after 10000 -> :none end`,
		want:   `:custom`,
	}, {
		name: "rpc is refused",
		code: `{:rpc.call($C, :erlang, :node, []), :rpc.block_call($C, :erlang, :node, [])}`,
		want: `{{:badrpc, :notsup}, {:badrpc, :notsup}}`,
	}, {
		name: "logger_proxy swallows log events",
		code: `send({:logger_proxy, $C}, {:log, :info, 'hi', [], %{}}); GenServer.call({:echo, $C}, :still_here)`,
		want: `:still_here`,
	}} {
		t.Run(tt.name, func(t *testing.T) {
			for _, name := range tt.agents {
				startAgent(t, creo, name, nil)
			}
			evalOn(t, ex, creo, tt.code, tt.want)
		})
	}
	if _, ok := creo.Whereis("logger_proxy"); !ok {
		t.Error("logger_proxy is gone")
	}
}

// TestElixirNodeKilled: the links and monitors a creo process has on the
// processes of a node that dies fire with noconnection.
func TestElixirNodeKilled(t *testing.T) {
	creo, ex, _ := elixirPeer(t, erltest.NodeConfig{})
	pr := startProbe(t, creo, nil)
	startAgent(t, creo, "a_killed", pr.pid)
	evalOn(t, ex, creo, `a = {:a_killed, $C}; :ok = GenServer.call(a, {:trap_exit, true}); :ok = GenServer.call(a, {:link, self()}); is_reference(GenServer.call(a, {:monitor, self()}))`, "true")
	ex.Kill()
	got := map[etf.Atom]etf.Term{}
	for range 2 {
		m := decoded(pr.recv(t)).(etf.Tuple)[2].(etf.Tuple)
		got[m[0].(etf.Atom)] = m[len(m)-1]
	}
	if got["EXIT"] != Noconnection || got["DOWN"] != Noconnection {
		t.Fatalf("after the peer died the agent got %v, want EXIT and DOWN with noconnection", got)
	}
}

// TestCreoGoesAway: Elixir processes linked to and monitoring a creo
// process get its exit reason when the creo node closes: shutdown for a
// server of the node's tree, which the node stops and whose exit signals
// leave before the connection closes, and noconnection for a process
// outside the tree, which lives until the connection goes.
func TestCreoGoesAway(t *testing.T) {
	epmdAddr := erltest.Epmd(t)
	ex := startElixir(t, epmdAddr, erltest.NodeConfig{})
	ex.Eval(t, "Process.flag(:trap_exit, true)")
	for _, tt := range []struct {
		name   string
		start  func(t *testing.T, n *Node)
		reason string
	}{
		{name: "outside the tree", start: func(t *testing.T, n *Node) { startAgent(t, n, "a_away", nil) }, reason: ":noconnection"},
		{name: "in the tree", start: func(t *testing.T, n *Node) {
			spec := ChildSpec{ID: etf.Atom("a_away"), Start: ServerStart(&agent{name: "a_away"}, etf.Atom("nobody"), Options{Name: "a_away"})}
			if _, err := n.StartUserServer(ctx(t), spec, 1, time.Second); err != nil {
				t.Fatal(err)
			}
		}, reason: ":shutdown"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			creo := startNet(t, epmdAddr)
			tt.start(t, creo)
			evalOn(t, ex, creo, `pid = GenServer.call({:a_away, $C}, :self); Process.link(pid); r1 = Process.monitor(pid); r2 = Process.monitor({:a_away, $C}); `+
				`^pid = GenServer.call(pid, :self); :ok`, ":ok") // the call is answered after the link and monitors are set
			creo.Close()
			evalOn(t, ex, creo, `[receive do {:EXIT, ^pid, r} -> r after 10000 -> :none end, receive do {:DOWN, ^r1, :process, ^pid, r} -> r after 10000 -> :none end, `+
				`receive do {:DOWN, ^r2, :process, {:a_away, $C}, r} -> r after 10000 -> :none end]`,
				"["+tt.reason+", "+tt.reason+", "+tt.reason+"]")
		})
	}
}

// TestIdleConnection: a connection with nothing to carry stays up past
// several tick times, both sides ticking.
func TestIdleConnection(t *testing.T) {
	t.Parallel() // it mostly waits
	const tickTime = 2 * time.Second
	creo, ex, _ := elixirPeer(t, erltest.NodeConfig{Args: []string{"-kernel", "net_ticktime", "2"}},
		func(c *NetConfig) { c.TickTime = tickTime })
	nodes := watchNodes(t, creo)
	evalOn(t, ex, creo, ":ok = :net_kernel.monitor_nodes(true); Node.connect($C)", "true")
	nodes.expect(t, etf.Tuple{etf.Atom("nodeup"), etf.Atom(ex.Name)})
	time.Sleep(3 * tickTime)
	evalOn(t, ex, creo, "receive do {:nodedown, n} -> {:down, n} after 0 -> Node.list() end", "[$C]")
	nodes.expectNothingBefore(t, creo)
}
