package host

import (
	"context"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/cputime"
)

// Benchmarks of Wasm servers, each beside the native Go server doing the
// same work (sleeper, which replies with the request) in the same run, so
// the ratio holds however loaded the shared machine is:
//
//	go test -run '^$' -bench Wasm -count 5 ./host

// benchWasm returns a node and the echo guests loaded in its Wasm, for
// servers started with Node.Start: guests/echo, built with the Go SDK,
// and testdata/wasm_echo.wat, the same server written by hand. The
// benchmarks' own CPU goes to callbacks: no logging.
func benchWasm(b *testing.B) (n *Node, goEcho, watEcho *WasmModule) {
	b.Helper()
	n = NewNode(Config{})
	w, err := NewWasm(n, WasmConfig{CacheDir: wasmTestCache()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { w.Close(context.Background()) })
	if goEcho, err = w.Load(context.Background(), wasmGuest(b, "echo"), abi.ModuleConfig{}); err != nil {
		b.Fatal(err)
	}
	if watEcho, err = w.Load(context.Background(), watEchoWasm(b), abi.ModuleConfig{}); err != nil {
		b.Fatal(err)
	}
	return n, goEcho, watEcho
}

// nativeEcho is guests/echo in Go: calls are answered with the request,
// casts are dropped.
type nativeEcho struct{ sleeper }

func (nativeEcho) HandleCast(_ *Process, _, state etf.Term) Result { return NoReply(state) }

// echoServer is one of the servers the benchmarks compare.
type echoServer struct {
	name string
	b    Behaviour
}

// echoServers are the servers the benchmarks compare: native, the Go
// guest and the hand-written one.
func echoServers(goEcho, watEcho *WasmModule) []echoServer {
	return []echoServer{{"native", nativeEcho{}}, {"go-guest", goEcho}, {"wat-guest", watEcho}}
}

var benchRequest = etf.Term(etf.Tuple{etf.Atom("ping"), etf.Int(1)})

// BenchmarkWasmCall makes gen_server calls to echo servers from processes
// of the same node and waits for each reply: from one caller, and from as
// many callers at once as there are cores, each with a server of its own.
// Its calls/s is callbacks a second into the servers. The abi case calls
// the module's handle_call directly, without the process runtime.
func BenchmarkWasmCall(b *testing.B) {
	n, goEcho, watEcho := benchWasm(b)
	for _, s := range echoServers(goEcho, watEcho) {
		b.Run(s.name+"/1", func(b *testing.B) {
			pid, err := n.Start(s.b, etf.Atom("state"), Options{})
			if err != nil {
				b.Fatal(err)
			}
			caller := n.newProcess(nil)
			benchLoop(b, "calls/s", func() error {
				_, err := caller.Call(context.Background(), pid, benchRequest, Infinity)
				return err
			})
		})
		b.Run(s.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			start := cputime.Used()
			b.RunParallel(func(pb *testing.PB) {
				pid, err := n.Start(s.b, etf.Atom("state"), Options{})
				if err != nil {
					b.Error(err)
					return
				}
				caller := n.newProcess(nil)
				ctx := context.Background()
				for pb.Next() {
					if _, err := caller.Call(ctx, pid, benchRequest, Infinity); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportRate(b, "calls/s", start)
		})
	}
	for _, m := range []struct {
		name string
		m    *WasmModule
	}{{"go-guest", goEcho}, {"wat-guest", watEcho}} {
		b.Run("abi/"+m.name, func(b *testing.B) {
			p := n.newProcess(nil)
			from := From{pid: p.pid, alias: n.MakeRef()}.Term()
			state := etf.Raw{119, 5, 's', 't', 'a', 't', 'e'}
			benchLoop(b, "calls/s", func() error {
				_, err := m.m.mod.HandleCall(context.Background(), (*wasmProcess)(p), benchRequest, from, state)
				return err
			})
		})
	}
}

// BenchmarkWasmCast casts to echo servers from outside any process, and a
// call at the end waits until each server has handled every cast: the
// callbacks a second a server handles when nobody waits for a reply.
func BenchmarkWasmCast(b *testing.B) {
	n, goEcho, watEcho := benchWasm(b)
	for _, s := range echoServers(goEcho, watEcho) {
		b.Run(s.name, func(b *testing.B) {
			pids := make([]etf.Pid, runtime.GOMAXPROCS(0))
			for i := range pids {
				pid, err := n.Start(s.b, etf.Atom("state"), Options{})
				if err != nil {
					b.Fatal(err)
				}
				pids[i] = pid
			}
			msg := etf.Term(etf.Atom("poke"))
			b.ReportAllocs()
			b.ResetTimer()
			start := cputime.Used()
			// Not b.Loop: the timer must run until the servers have
			// handled the casts, not only until they are sent.
			for i := range b.N {
				n.Cast(pids[i%len(pids)], msg)
			}
			for _, pid := range pids {
				if _, err := n.Call(context.Background(), pid, msg, Infinity); err != nil {
					b.Fatal(err)
				}
			}
			reportRate(b, "casts/s", start)
		})
	}
}

// BenchmarkWasmSpawn starts servers whose init runs, and leaves them idle.
func BenchmarkWasmSpawn(b *testing.B) {
	n, goEcho, watEcho := benchWasm(b)
	for _, s := range echoServers(goEcho, watEcho) {
		b.Run(s.name, func(b *testing.B) {
			benchLoop(b, "spawns/s", func() error {
				_, err := n.Start(s.b, etf.Atom("state"), Options{})
				return err
			})
		})
	}
}

// BenchmarkWasmIdleMemory measures what an idle server costs: the heap and
// stack in use after starting count servers, divided by count. A Wasm
// server's state is the few bytes of its encoded term, a native one's the
// atom, so the difference is the cost of the adapter.
func BenchmarkWasmIdleMemory(b *testing.B) {
	_, goEcho, watEcho := benchWasm(b)
	for _, count := range []int{10_000, 100_000} {
		for _, s := range echoServers(goEcho, watEcho) {
			b.Run(s.name+"/"+strconv.Itoa(count), func(b *testing.B) {
				for b.Loop() {
					n := NewNode(Config{})
					perServer := memoryOf(func() {
						for range count {
							if _, err := n.Start(s.b, etf.Atom("state"), Options{}); err != nil {
								b.Fatal(err)
							}
						}
					}, count)
					b.ReportMetric(perServer, "bytes/server")
					runtime.KeepAlive(n)
				}
				if m, ok := s.b.(*WasmModule); ok {
					stats := m.Stats()
					b.ReportMetric(float64(stats.Idle+stats.Busy), "instances")
				}
			})
		}
	}
}

// benchLoop runs op b.N times and reports its rate in unit.
func benchLoop(b *testing.B, unit string, op func() error) {
	b.ReportAllocs()
	start := cputime.Used()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, unit, start)
}

// reportRate reports operations a second, from the benchmark's wall time,
// and the CPU time the process spent per operation since start (see
// [cputime.Report]).
func reportRate(b *testing.B, unit string, start time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
	cputime.Report(b, start)
}
