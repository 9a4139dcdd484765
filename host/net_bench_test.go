package host

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/cputime"
	"github.com/creo-dev/creo/internal/erltest"
)

// BenchmarkCallFromElixir measures GenServer.call from an Elixir node to a
// creo echo server, beside the same call to an Elixir echo server on
// another Elixir node: both over loopback distribution, in one run, so the
// ratio of the two ns/call is what to read. ns/call is measured on the
// calling node, the time of all calls over their number: with one caller
// a round trip, with 64 callers at once the inverse of the throughput.
// The requests are an atom, a 1 KB binary and a 100 KB binary, which
// arrives in fragments.
// creo serves them with a native Go echo and with guests/echo, a Wasm
// module.
func BenchmarkCallFromElixir(b *testing.B) {
	epmdAddr := erltest.Epmd(b)
	creo := startNet(b, epmdAddr)
	if _, err := creo.Start(echo(), nil, Options{Name: "echo"}); err != nil {
		b.Fatal(err)
	}
	wasmEcho := loadGuest(b, testWasm(b, creo), "echo", abi.ModuleConfig{})
	if _, err := creo.Start(wasmEcho, etf.List{}, Options{Name: "wasm_echo"}); err != nil {
		b.Fatal(err)
	}
	server := startElixir(b, epmdAddr, erltest.NodeConfig{})
	server.Eval(b, "defmodule Echo do use GenServer; def init(s), do: {:ok, s}; def handle_call(m, _from, s), do: {:reply, m, s} end")
	server.Eval(b, "{:ok, _} = GenServer.start(Echo, nil, name: :echo)")
	caller := startElixir(b, epmdAddr, erltest.NodeConfig{})
	caller.Eval(b, "defmodule Calls do "+
		"def run(_to, _req, 0), do: :ok; "+
		"def run(to, req, n) do ^req = GenServer.call(to, req); run(to, req, n - 1) end; "+
		"def par(to, req, callers, n), do: Enum.map(1..callers, fn _ -> Task.async(fn -> run(to, req, n) end) end) |> Enum.each(&Task.await(&1, :infinity)) end")
	for _, req := range []struct {
		name string
		code string // an Elixir expression
	}{
		{name: "atom", code: ":ping"},
		{name: "1KB", code: ":binary.copy(<<7>>, 1_000)"},
		{name: "100KB", code: ":binary.copy(<<7>>, 100_000)"},
	} {
		for _, target := range []struct {
			name   string
			server string // its registered name
			node   etf.Atom
		}{
			{name: "creo", server: "echo", node: creo.Name()},
			{name: "creo-wasm", server: "wasm_echo", node: creo.Name()},
			{name: "elixir", server: "echo", node: etf.Atom(server.Name)},
		} {
			to := fmt.Sprintf("{:%s, :%q}", target.server, string(target.node))
			caller.Eval(b, fmt.Sprintf("Calls.run(%s, %s, 1000)", to, req.code)) // connect, and warm up
			for _, callers := range []int{1, 64} {
				b.Run(fmt.Sprintf("%s/%d/%s", req.name, callers, target.name), func(b *testing.B) {
					b.ReportAllocs()
					each := max(1, b.N/callers)
					code := fmt.Sprintf("req = %s; {t, :ok} = :timer.tc(fn -> Calls.par(%s, req, %d, %d) end); t", req.code, to, callers, each)
					b.ResetTimer()
					start := cputime.Used()
					us, err := strconv.ParseFloat(caller.Eval(b, code), 64)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(us*1000/float64(callers*each), "ns/call")
					b.ReportMetric(float64(cputime.Used()-start)/float64(callers*each), "cpu-ns/call")
				})
			}
		}
	}
}

// BenchmarkCallBetweenNodes measures a call round trip from one creo node
// to an echo server on another over loopback: the glue and dist alone,
// with no BEAM in the path.
func BenchmarkCallBetweenNodes(b *testing.B) {
	addr := testEPMD(b)
	a, server := startNet(b, addr), startNet(b, addr)
	if _, err := server.Start(echo(), nil, Options{Name: "echo"}); err != nil {
		b.Fatal(err)
	}
	to := etf.Tuple{etf.Atom("echo"), server.Name()}
	req := etf.Atom("ping")
	bg := context.Background()
	if _, err := a.Call(bg, to, req, Infinity); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Call(bg, to, req, Infinity); err != nil {
			b.Fatal(err)
		}
	}
}
