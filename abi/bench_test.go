package abi

import (
	"context"
	"crypto/sha256"
	"log/slog"
	goruntime "runtime"
	"testing"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/abiname"
	"github.com/creo-dev/creo/internal/cputime"
)

// Benchmarks of the abi-level costs. Compare trusted and untrusted runs of
// one benchmark within one `go test -bench` run:
//
//	go test -run '^$' -bench . -benchtime 2s -count 5 ./abi

// The arguments are terms already, as the host holds them: boxing them
// in the benchmark's loop would count allocations the host does not make.
var (
	benchReq   etf.Term = etf.Raw{119, 4, 'p', 'i', 'n', 'g'} // ping
	benchFrom  etf.Term = mustEncode(etf.Tuple{etf.Pid{Node: "elixir@127.0.0.1", ID: 90, Creation: 3}, etf.Ref{Node: "elixir@127.0.0.1", Creation: 3, Len: 3, ID: [5]uint32{1, 2, 3}}})
	benchState etf.Term = etf.Raw{97, 7} // 7
)

func mustEncode(t etf.Term) etf.Raw {
	b, err := etf.AppendTerm(nil, t)
	if err != nil {
		panic(err)
	}
	return b
}

// benchModes are the ways a module runs, fastest first: trusted (no
// deadline), untrusted with interrupt checks at loop heads (the default),
// and untrusted guarded by wazero (modules that cannot be instrumented).
var benchModes = []struct {
	name    string
	trusted bool
	guarded bool
}{
	{"trusted", true, false},
	{"interrupt", false, false},
	{"guarded", false, true},
}

// byteGuest finishes a test guest for a benchmark mode: a guarded one gets a
// SIMD function, which the instrumentation refuses.
func byteGuest(g *guest, guarded bool) []byte {
	if guarded {
		g.funcs = append(g.funcs, simdFunc)
	}
	return g.bytes()
}

// noopGuest answers every call with a constant {reply, ok, 7}: the
// callback costs only the ABI's own work.
func noopGuest() *guest {
	g := okGuest(etf.Int(0))
	return g.callback(abiname.HandleCall, g.returns(etf.Tuple{etf.Atom("reply"), etf.Atom("ok"), etf.Int(7)}))
}

// loopGuest counts to n in a loop before it replies: the cost of guest
// code under the deadline's loop instrumentation.
func loopGuest(n int32) *guest {
	g := okGuest(etf.Int(0))
	body := cat([]byte{opLoop, blockVoid, opLocalGet, 2}, i32c(1), []byte{opI32Add, 0x22, 2}, // local.tee 2
		i32c(n), []byte{opI32Ne, 0x0d, 0, opEnd}, // br_if 0
		g.returns(etf.Tuple{etf.Atom("reply"), etf.Atom("ok"), etf.Int(7)}))
	return g.callback(abiname.HandleCall, body, wI32)
}

func benchCalls(b *testing.B, m Module) { benchCallsOf(b, context.Background(), m, benchReq) }

// benchCallsOf makes handle_call round trips through m with request req,
// under ctx.
func benchCallsOf(b *testing.B, ctx context.Context, m Module, req etf.Term) {
	p := newFakeProcess()
	b.ReportAllocs()
	defer cputime.Report(b, cputime.Used())
	for b.Loop() {
		r, err := m.HandleCall(ctx, p, req, benchFrom, benchState)
		if err != nil {
			b.Fatal(err)
		}
		if r.Release != nil { // as the host does once the reply is written
			r.Release()
		}
	}
}

// BenchmarkCallback is one handle_call round trip through the pool:
// borrow, write the argument, call, split the result, give back.
func BenchmarkCallback(b *testing.B) {
	for _, mode := range benchModes {
		b.Run("noop/"+mode.name, func(b *testing.B) {
			benchCalls(b, load(b, byteGuest(noopGuest(), mode.guarded), ModuleConfig{Trusted: mode.trusted}))
		})
	}
	for _, mode := range benchModes[:2] { // Go guests are instrumented
		b.Run("go-echo/"+mode.name, func(b *testing.B) {
			benchCalls(b, loadGo(b, "../guests/echo", ModuleConfig{Trusted: mode.trusted}))
		})
	}
}

// benchRequests are the requests of the calls benchmark (go run ./bench
// -only calls), as the host hands them to abi: encoded, undecoded.
var benchRequests = []struct {
	name string
	req  etf.Term
}{
	{"small", mustEncode(etf.Tuple{etf.Atom("ping"), etf.Int(1)})},
	{"1KB", mustEncode(etf.Binary(make([]byte, 1<<10)))},
	{"100KB", mustEncode(etf.Binary(make([]byte, 100<<10)))},
	{"map1k", mustEncode(benchMap(1000))},
}

func benchMap(n int) etf.Map {
	m := make(etf.Map, n)
	for i := range m {
		m[i] = etf.Pair{Key: etf.Int(i), Value: etf.Int(i)}
	}
	return m
}

// BenchmarkCallbackSize is handle_call of guests/echo through abi for
// requests of the calls benchmark's sizes: what a Wasm echo costs beyond a
// native one, copying the request in and the reply out included.
func BenchmarkCallbackSize(b *testing.B) {
	m := loadGo(b, "../guests/echo", ModuleConfig{})
	for _, r := range benchRequests {
		b.Run(r.name, func(b *testing.B) { benchCallsOf(b, context.Background(), m, r.req) })
	}
}

// BenchmarkCallbackLent is BenchmarkCallbackSize's 100 KB binary with its
// reply copied out of guest memory, and lent there (WithLentReply), each
// released once the call returns.
func BenchmarkCallbackLent(b *testing.B) {
	m := loadGo(b, "../guests/echo", ModuleConfig{})
	req := etf.Binary(make([]byte, 100_000))
	b.Run("copied", func(b *testing.B) { benchCallsOf(b, context.Background(), m, req) })
	b.Run("lent", func(b *testing.B) { benchCallsOf(b, WithLentReply(context.Background()), m, req) })
}

// BenchmarkCallbackParallel runs echo callbacks from as many goroutines as
// GOMAXPROCS, as servers of one module would: its ns/op inverted is the
// module's callbacks per second on this machine.
func BenchmarkCallbackParallel(b *testing.B) {
	for _, mode := range benchModes[:2] {
		b.Run("go-echo/"+mode.name, func(b *testing.B) {
			m := loadGo(b, "../guests/echo", ModuleConfig{Trusted: mode.trusted})
			b.ReportAllocs()
			defer cputime.Report(b, cputime.Used())
			b.RunParallel(func(pb *testing.PB) {
				p := newFakeProcess()
				for pb.Next() {
					if _, err := m.HandleCall(context.Background(), p, benchReq, benchFrom, benchState); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkGuestLoop runs a million iterations of a guest loop per call:
// the price of the deadline's instrumentation of every loop back-edge.
func BenchmarkGuestLoop(b *testing.B) {
	for _, mode := range benchModes {
		b.Run(mode.name, func(b *testing.B) {
			benchCalls(b, load(b, byteGuest(loopGuest(1_000_000), mode.guarded), ModuleConfig{Trusted: mode.trusted}))
		})
	}
}

// BenchmarkInstantiate makes one instance of a Go guest, _initialize
// included, and throws it away.
func BenchmarkInstantiate(b *testing.B) {
	m := loadGo(b, "../guests/echo", ModuleConfig{}).(*module)
	b.ReportAllocs()
	for b.Loop() {
		in, err := m.newInstance()
		if err != nil {
			b.Fatal(err)
		}
		in.close()
	}
}

// BenchmarkInstanceMemory makes 16 instances of a Go guest and reports the
// Go heap each holds (linear memory included) after a GC: the cost of one
// pooled instance, which servers share.
func BenchmarkInstanceMemory(b *testing.B) {
	m := loadGo(b, "../guests/echo", ModuleConfig{}).(*module)
	const n = 16
	var perInstance float64
	for b.Loop() {
		var before, after goruntime.MemStats
		goruntime.GC()
		goruntime.ReadMemStats(&before)
		ins := make([]*instance, n)
		for i := range ins {
			in, err := m.newInstance()
			if err != nil {
				b.Fatal(err)
			}
			ins[i] = in
		}
		goruntime.GC()
		goruntime.ReadMemStats(&after)
		perInstance = float64(after.HeapAlloc-before.HeapAlloc) / n
		for _, in := range ins {
			in.close()
		}
	}
	b.ReportMetric(perInstance, "heap-B/instance")
}

// BenchmarkCompile loads a Go guest in a new runtime: cold with no cache,
// and from a warm file cache as a restarted host would.
func BenchmarkCompile(b *testing.B) {
	wasm := goGuest(b, "../guests/echo")
	cacheDir := b.TempDir()
	for _, bc := range []struct{ name, dir string }{{"cold", ""}, {"file-cache", cacheDir}} {
		b.Run(bc.name, func(b *testing.B) {
			load := func() {
				rt, err := NewRuntime(Config{CacheDir: bc.dir, Logger: slog.New(slog.DiscardHandler)})
				if err != nil {
					b.Fatal(err)
				}
				defer rt.Close(context.Background())
				e, err := rt.(*runtime).engine(context.Background(), plainEngine)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := e.compile(context.Background(), sha256.Sum256(wasm), wasm); err != nil {
					b.Fatal(err)
				}
			}
			if bc.dir != "" {
				load() // warm the cache
			}
			b.ReportAllocs()
			for b.Loop() {
				load()
			}
		})
	}
}
