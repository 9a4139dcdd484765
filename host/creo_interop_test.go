package host

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/erltest"
)

// startManagedNet starts a distributed node named name, with a Wasm and
// a manager on dir, as the host command runs one, registered with the
// EPMD at epmdAddr. The node closes when the test ends, or earlier with
// managerNode.close.
func startManagedNet(t *testing.T, epmdAddr string, name etf.Atom, dir string, cfg ManagerConfig) *managerNode {
	t.Helper()
	n, err := StartNode(context.Background(), NetConfig{Name: name, Cookie: testCookie, EPMD: epmdAddr, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	w, err := NewWasm(n, WasmConfig{CacheDir: wasmTestCache(), Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	mn := &managerNode{n: n, w: w}
	t.Cleanup(mn.close)
	cfg.DataDir, cfg.Logger = dir, testLogger(t)
	if mn.m, err = StartManager(ctx(t), n, w, cfg); err != nil {
		t.Fatal(err)
	}
	return mn
}

// guestFiles writes the guests the Elixir side reads to files, and
// returns their paths by name.
func guestFiles(t *testing.T, names ...string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	paths := map[string]string{}
	for _, name := range names {
		paths[name] = filepath.Join(dir, filepath.Base(name)+".wasm")
		if err := os.WriteFile(paths[name], wasmGuest(t, name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// elixirLoad is an Elixir module whose processes cast inc to a counter
// and call get, round after round, each from its own pid, until told the
// counter was reloaded and 200 rounds more; check reads what they saw.
var elixirLoad = strings.Join([]string{
	`defmodule Load do`,
	`def start(c, n) do me = self(); for _ <- 1..n, do: spawn(fn -> loop(c, me, 0, [], 0, false, 200) end) end`,
	`def loop(_c, me, casts, acc, fails, true, 0), do: send(me, {:done, self(), casts, fails, Enum.reverse(acc)})`,
	`def loop(c, me, casts, acc, fails, reloaded, left) do`,
	`GenServer.cast({:counter, c}, :inc)`,
	`{acc, fails} = try do {[GenServer.call({:counter, c}, :get) | acc], fails} catch :exit, _ -> {acc, fails + 1} end`,
	`if casts == 100, do: send(me, {:ready, self()})`,
	`reloaded = reloaded or receive(do: (:reloaded -> true), after: (0 -> false))`,
	`loop(c, me, casts + 1, acc, fails, reloaded, if(reloaded, do: left - 1, else: left))`,
	`end`,
	// check returns {failed calls, replies in order and never back to v1,
	// replies from v1 seen, from v2 seen, casts}.
	`def check(results) do`,
	`vals = for {_, _, replies} <- results, do: Enum.map(replies, fn n when is_integer(n) -> {1, n}; {:v2, n} -> {2, n} end)`,
	`ordered = Enum.all?(vals, fn v -> Enum.chunk_every(v, 2, 1, :discard) |> Enum.all?(fn [{a, x}, {b, y}] -> y > x and b >= a end) end)`,
	`all = List.flatten(vals)`,
	`{Enum.sum(for {_, f, _} <- results, do: f), ordered, Enum.any?(all, &match?({1, _}, &1)), Enum.any?(all, &match?({2, _}, &1)), Enum.sum(for {c, _, _} <- results, do: c)}`,
	`end`,
	`end`,
}, "; ")

// TestManagerFromElixir deploys, calls, reloads under load, refuses and
// restores servers from a real Elixir node, through GenServer.call to
// creo and through rpc.
func TestManagerFromElixir(t *testing.T) {
	epmdAddr := erltest.Epmd(t)
	name, dir := uniqueName("creo"), t.TempDir()
	const limit = 8 << 20 // twice a Go guest
	mn := startManagedNet(t, epmdAddr, name, dir, ManagerConfig{MaxModuleSize: limit})
	ex := startElixir(t, epmdAddr, erltest.NodeConfig{})
	files := guestFiles(t, "counter", "counter_v2", "echo", refuserGuest)
	creo := mn.n
	path := func(guest string) string { return `"` + files[guest] + `"` }
	vsn := func(guest string) string { return `"` + moduleVsn(wasmGuest(t, guest)) + `"` }
	evalOn(t, ex, creo, "Node.connect($C)", "true")
	ex.Eval(t, elixirLoad)

	t.Run("deploy and call", func(t *testing.T) {
		evalOn(t, ex, creo, `{:ok, pid} = GenServer.call({:creo, $C}, {:deploy, :counter, File.read!(`+path("counter")+`), 10}); {node(pid), GenServer.call({:counter, $C}, :get)}`,
			"{$C, 10}")
		evalOn(t, ex, creo, `[{:counter, p, vsn}] = GenServer.call({:creo, $C}, :which_servers); {p == pid, vsn}`, "{true, "+vsn("counter")+"}")
	})
	t.Run("reload under load", func(t *testing.T) {
		evalOn(t, ex, creo, `pids = Load.start($C, 4); for p <- pids, do: (receive do {:ready, ^p} -> :ok after 60_000 -> :timeout end)`, "[:ok, :ok, :ok, :ok]")
		evalOn(t, ex, creo, `GenServer.call({:creo, $C}, {:reload, :counter, File.read!(`+path("counter_v2")+`)})`, ":ok")
		evalOn(t, ex, creo, `for p <- pids, do: send(p, :reloaded); results = for p <- pids, do: (receive do {:done, ^p, c, f, r} -> {c, f, r} after 60_000 -> :timeout end); `+
			`{fails, ordered, v1, v2, casts} = Load.check(results); {fails, ordered, v1, v2, GenServer.call({:counter, $C}, :get) == {:v2, 10 + casts}}`,
			"{0, true, true, true, true}")
		evalOn(t, ex, creo, `[{:counter, ^pid, vsn}] = GenServer.call({:creo, $C}, :which_servers); vsn`, vsn("counter_v2"))
	})
	t.Run("refusals", func(t *testing.T) {
		// Each reply must match an Elixir pattern; a mismatch prints it.
		for _, tt := range []struct{ name, req, pattern string }{
			{"name not an atom", `{:deploy, "x", File.read!(` + path("counter") + `)}`, `{:error, {:bad_name, "x"}}`},
			{"garbage", `{:deploy, :x, "not wasm at all"}`, `{:error, {:invalid_module, "compile: interrupt: not a wasm module"}}`},
			{"truncated", `{:deploy, :x, binary_part(File.read!(` + path("counter") + `), 0, 1000)}`, `{:error, {:invalid_module, m}} when is_binary(m)`},
			{"missing exports", `{:deploy, :x, <<0, "asm", 1, 0, 0, 0>>}`, `{:error, {:invalid_module, "module " <> _}}`},
			{"too large", `{:deploy, :x, :binary.copy(<<0>>, ` + strconv.Itoa(limit+1) + `)}`, `{:error, {:module_too_large, ` + strconv.Itoa(limit+1) + `, ` + strconv.Itoa(limit) + `}}`},
			{"name taken", `{:deploy, :counter, File.read!(` + path("echo") + `)}`, `{:error, {:already_started, ^pid}}`},
			{"init fails", `{:deploy, :x, File.read!(` + path(refuserGuest) + `), :fail}`, `{:error, {:init_failed, :init_refused}}`},
			{"reload unknown", `{:reload, :nobody, File.read!(` + path("counter_v2") + `)}`, `{:error, :not_found}`},
			{"reload garbage", `{:reload, :counter, "garbage"}`, `{:error, {:invalid_module, m}} when is_binary(m)`},
			{"code_change fails", `{:reload, :counter, File.read!(` + path(refuserGuest) + `)}`, `{:error, {:code_change_failed, {:refused, ` + vsn("counter_v2") + `}}}`},
			{"stop unknown", `{:stop, :nobody}`, `{:error, :not_found}`},
		} {
			t.Run(tt.name, func(t *testing.T) {
				evalOn(t, ex, creo, `case GenServer.call({:creo, $C}, `+tt.req+`, 60_000) do `+tt.pattern+` -> :matched; other -> other end`, ":matched")
			})
		}
		// Nothing changed: the counter runs v2, in the same process, with
		// its state, and is the only server.
		evalOn(t, ex, creo, `{:erpc.call($C, :erlang, :whereis, [:counter]) == pid, GenServer.call({:counter, $C}, :get) == {:v2, 10 + casts}}`, "{true, true}")
		evalOn(t, ex, creo, `Enum.map(GenServer.call({:creo, $C}, :which_servers), &elem(&1, 0))`, "[:counter]")
	})
	t.Run("rpc", func(t *testing.T) {
		for _, tt := range []struct{ name, code, want string }{
			{"rpc node", `:rpc.call($C, :erlang, :node, [])`, "$C"},
			{"erpc node", `:erpc.call($C, :erlang, :node, [])`, "$C"},
			{"block_call", `:rpc.block_call($C, :erlang, :node, [])`, "$C"},
			{"multicall", `:rpc.multicall([$C, node()], :erlang, :node, [])`, "{[$C, :\"" + ex.Name + "\"], []}"},
			{"nodes", `:rpc.call($C, :erlang, :nodes, [])`, "[:\"" + ex.Name + "\"]"},
			{"whereis", `:rpc.call($C, :erlang, :whereis, [:counter]) == pid`, "true"},
			{"is_process_alive", `:rpc.call($C, :erlang, :is_process_alive, [pid])`, "true"},
			{"system_info", `:rpc.call($C, :erlang, :system_info, [:wordsize])`, "8"},
			{"rpc undef", `:rpc.call($C, :foo, :bar, [1])`, "{:badrpc, {:EXIT, {:undef, [{:foo, :bar, [1], []}]}}}"},
			{"erpc undef", `try do :erpc.call($C, :foo, :bar, [1]) catch k, r -> {k, r} end`, "{:error, {:exception, :undef, [{:foo, :bar, [1], []}]}}"},
			{"creo which_servers", `[{:counter, p, _}] = :erpc.call($C, :creo, :which_servers, []); p == pid`, "true"},
			{"creo deploy", `{:ok, p} = :erpc.call($C, :creo, :deploy, [:by_rpc, File.read!(` + path("echo") + `)]); GenServer.call(p, :hello)`, ":hello"},
			{"creo info", `{:ok, %{name: :by_rpc, deployed: true, restart: :permanent}} = :rpc.call($C, :creo, :info, [:by_rpc]); :ok`, ":ok"},
			{"creo stop", `:rpc.call($C, :creo, :stop, [:by_rpc])`, ":ok"},
			{"creo bad arity", `:rpc.call($C, :creo, :stop, [])`, "{:badrpc, {:EXIT, {:undef, [{:creo, :stop, [], []}]}}}"},
			{"cast", `:ok = :erpc.cast($C, :creo, :deploy, [:by_cast, File.read!(` + path("echo") + `)]); ` +
				`Enum.find_value(1..3000, fn _ -> (case :rpc.call($C, :erlang, :whereis, [:by_cast]) do :undefined -> Process.sleep(10); nil; p -> is_pid(p) end) end)`, "true"},
			{"stop what a cast deployed", `:rpc.call($C, :creo, :stop, [:by_cast])`, ":ok"},
			{"spawn undef", `{_, ref} = Node.spawn_monitor($C, :foo, :bar, []); receive do {:DOWN, ^ref, :process, _, r} -> r after 30_000 -> :none end`, "{:undef, [{:foo, :bar, [], []}]}"},
		} {
			t.Run(tt.name, func(t *testing.T) { evalOn(t, ex, creo, tt.code, tt.want) })
		}
	})
	t.Run("rpc answers as the BEAM", func(t *testing.T) {
		beam := startElixir(t, epmdAddr, erltest.NodeConfig{})
		// Each call that fails must fail on creo exactly as on a BEAM
		// node: through rpc:call's value and erpc:call's exception.
		evalOn(t, ex, creo, `b = :"`+beam.Name+`"; cases = [{:foo, :bar, [1]}, {:erlang, :node, [1, 2]}, {:erlang, :whereis, [123]}, {:erlang, :system_info, [:nonsense]}, {:erlang, :is_process_alive, [self()]}, {:creo_missing, :f, []}]; `+
			`results = fn n -> for {m, f, a} <- cases, do: {:rpc.call(n, m, f, a), (try do :erpc.call(n, m, f, a) catch k, r -> {k, r} end)} end; `+
			`Enum.zip([cases, results.($C), results.(b)]) |> Enum.reject(fn {_, c, b} -> c == b end)`, "[]")
	})
	t.Run("restart restores", func(t *testing.T) {
		evalOn(t, ex, creo, `{:ok, _} = GenServer.call({:creo, $C}, {:deploy, :echo, File.read!(`+path("echo")+`), [], [restart: :transient]}); :ok`, ":ok")
		before := ex.Eval(t, `GenServer.call({:creo, :"`+string(name)+`"}, :which_servers) |> Enum.map(fn {n, _, v} -> {n, v} end)`)
		mn.close()
		again := startManagedNet(t, epmdAddr, name, dir, ManagerConfig{})
		evalOn(t, ex, again.n, `GenServer.call({:creo, $C}, :which_servers) |> Enum.map(fn {n, _, v} -> {n, v} end)`, before)
		// Back on v2, from its init args: a restart keeps no state.
		evalOn(t, ex, again.n, `GenServer.call({:counter, $C}, :get)`, "{:v2, 10}")
		evalOn(t, ex, again.n, `{:ok, %{restart: r}} = GenServer.call({:creo, $C}, {:info, :echo}); {r, GenServer.call({:echo, $C}, :back)}`, "{:transient, :back}")
	})
}
