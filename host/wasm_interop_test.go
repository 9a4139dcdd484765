package host

import (
	"testing"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/erltest"
)

// wasmCorpus is Elixir code for a list of terms of every kind an Elixir
// node sends, each of which must come back from the echo guest === to
// itself.
const wasmCorpus = `[:a, :"ünïcødé", true, nil, 0, -1, 255, 256, -2147483649, 2147483648, Integer.pow(2, 64), -Integer.pow(10, 300), ` +
	`1.5, -0.0, 1.0e300, "", "binary", <<0, 255>>, <<1::3>>, <<255, 7::5>>, [], 'chars', [1, 2, 3], [1 | :tail], [[], [[]]], ` +
	`{}, {:one}, {1, {2, {3, {}}}}, %{}, %{a: 1, b: [2]}, %{{1, 2} => [3], [4] => %{5 => 6}, %{x: 1} => "map key"}, ` +
	`Map.new(1..40, &{&1, &1 * 2}), self(), make_ref(), hd(Port.list()), fn x -> x end, &Enum.map/2, ` +
	`:binary.copy("x", 100_000), Enum.to_list(1..1000), Enum.reduce(1..200, [], &[&2, &1]), ` +
	`{:ok, %{list: [1.5, "s", :a, {self()}], bits: <<1::1>>}}]`

// TestWasmFromElixir calls Wasm servers from a real Elixir node: echo of a
// corpus of terms, state kept across calls, each of the guest's failures
// ending only its own server with a reason Elixir reads, and a supervisor
// restarting a crashed server under the same name.
func TestWasmFromElixir(t *testing.T) {
	creo, ex, _ := elixirPeer(t, erltest.NodeConfig{})
	w := testWasm(t, creo)
	const deadline, pages = 300 * time.Millisecond, 128
	echo := loadGuest(t, w, "echo", abi.ModuleConfig{})
	watEcho, err := w.Load(ctx(t), watEchoWasm(t), abi.ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	counter := loadGuest(t, w, "counter", abi.ModuleConfig{})
	crasher := loadGuest(t, w, "crasher", abi.ModuleConfig{Deadline: deadline, MemoryPages: pages})
	// The memory bomb runs under a deadline it cannot reach first, however
	// loaded the machine.
	hoarder := loadGuest(t, w, "crasher", abi.ModuleConfig{Deadline: time.Hour, MemoryPages: pages})
	for _, spec := range []WasmServerSpec{
		{Name: "echo", Module: echo},
		{Name: "wat_echo", Module: watEcho},
		{Name: "counter", Module: counter, Args: etf.Int(10)},
		{Name: "bystander", Module: crasher},
		{Name: "crasher", Module: crasher, Intensity: 10, Period: time.Minute},
		{Name: "hoarder", Module: hoarder},
	} {
		if _, err := w.StartServer(ctx(t), spec); err != nil {
			t.Fatal(err)
		}
	}
	evalOn(t, ex, creo, "Node.connect($C)", "true")
	// Others.answer checks that the servers the failure must not touch
	// still answer.
	ex.Eval(t, `defmodule Others do def answer(c), do: {GenServer.call({:bystander, c}, :ping), GenServer.call({:echo, c}, {:still, :here})} end`)
	// Crash.call calls server s with req and returns the reason its call
	// exited with, the pid it called, and the reason of the DOWN of a
	// monitor on it.
	ex.Eval(t, `defmodule Crash do def call(c, s, req) do pid = GenServer.call({s, c}, :self); ref = Process.monitor(pid); `+
		`r = try do GenServer.call(pid, req, 30_000) catch :exit, {r, _} -> r end; `+
		`d = receive do {:DOWN, ^ref, :process, _, d} -> d after 30_000 -> :no_down end; {pid, r, d} end end`)
	// Restarted.call waits until the supervisor has registered the
	// restarted server s, and calls it.
	ex.Eval(t, `defmodule Restarted do def call(c, s, old, req), do: Enum.find_value(1..3000, fn _ -> `+
		`try do (if GenServer.call({s, c}, :self) != old, do: GenServer.call({s, c}, req), else: (Process.sleep(10); nil)) `+
		`catch :exit, {:noproc, _} -> Process.sleep(10); nil end end) end`)

	evalOn(t, ex, creo, `corpus = `+wasmCorpus+`; length(corpus)`, "41")
	// echo decodes each request and encodes it again; wat_echo skips it
	// byte by byte.
	for _, server := range []string{"echo", "wat_echo"} {
		t.Run(server+" ===", func(t *testing.T) {
			s := `{:` + server + `, $C}`
			evalOn(t, ex, creo, `Enum.reject(corpus, fn x -> GenServer.call(`+s+`, x) === x end)`, "[]")
			// Within the default 256 pages (16 MiB) of memory: the Go guest
			// holds the argument, its decoded request and the result at once.
			evalOn(t, ex, creo, `big = :crypto.strong_rand_bytes(1_000_000); try do GenServer.call(`+s+`, {big, [big]}, 60_000) === {big, [big]} catch :exit, {r, _} -> r end`, "true")
		})
	}
	t.Run("state kept across calls", func(t *testing.T) {
		c := `{:counter, $C}`
		evalOn(t, ex, creo, `[GenServer.call(`+c+`, :get), GenServer.call(`+c+`, :inc), GenServer.call(`+c+`, {:add, 5}), GenServer.cast(`+c+`, :inc), GenServer.call(`+c+`, :get)]`,
			"[10, 11, 16, :ok, 17]")
		// A plain message goes to handle_info, which counter leaves to
		// the SDK's default: ignored.
		evalOn(t, ex, creo, `send(`+c+`, {:plain, self()}); GenServer.call(`+c+`, :get)`, "17")
		// The state the host keeps encoded is the guest's term.
		evalOn(t, ex, creo, `:sys.get_state(`+c+`)`, "17")
	})
	for _, tt := range []struct {
		name, server, req, reason string
	}{
		{"trap", ":crasher", ":crash", `{:wasm_trap, "crasher: crash requested"}`},
		{"endless loop", ":crasher", ":loop", "{:wasm_deadline, 300}"},
		{"memory bomb", ":hoarder", ":alloc", "{:wasm_memory_limit, 128}"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			evalOn(t, ex, creo, `{pid, r, d} = Crash.call($C, `+tt.server+`, `+tt.req+`); {r, d}`, "{"+tt.reason+", "+tt.reason+"}")
			evalOn(t, ex, creo, `Others.answer($C)`, "{:pong, {:still, :here}}")
			// The supervisor restarts the server under its name.
			evalOn(t, ex, creo, `Restarted.call($C, `+tt.server+`, pid, :ping)`, ":pong")
		})
	}
}
