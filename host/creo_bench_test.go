package host

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime/pprof"
	"sync"
	"testing"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/cputime"
)

// deployMany deploys n counters named c0, c1... in parallel, so that
// their manifest writes go together, and returns their names.
func deployMany(b *testing.B, mn *managerNode, n int) []etf.Atom {
	b.Helper()
	counter := wasmGuest(b, "counter")
	names := make([]etf.Atom, n)
	for i := range names {
		names[i] = etf.Atom(fmt.Sprintf("c%d", i))
	}
	next := make(chan etf.Atom)
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for name := range next {
				if _, err := mn.m.Deploy(context.Background(), DeploySpec{Name: name, Wasm: counter}); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for _, name := range names {
		next <- name
	}
	close(next)
	wg.Wait()
	return names
}

// BenchmarkReload compares reloading every server of a module with
// compiling the module once, in one run so that the figures share the
// machine's load. compile=cold compiles counter_v2 in a runtime with an
// empty compilation cache, as for a module creo never saw; servers=N
// reloads N counters between counter_v2 and counter and back, the module's
// compiled code read from the compilation cache, as for a module creo
// knows. servers=0 is loading the module alone.
func BenchmarkReload(b *testing.B) {
	modules := [][]byte{wasmGuest(b, "counter_v2"), wasmGuest(b, "counter")}
	b.Run("compile=cold", func(b *testing.B) {
		for b.Loop() {
			rt, err := abi.NewRuntime(abi.Config{CacheDir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			m, err := rt.Load(context.Background(), modules[0], abi.ModuleConfig{})
			if err != nil {
				b.Fatal(err)
			}
			m.Close(context.Background())
			rt.Close(context.Background())
		}
	})
	for _, n := range []int{0, 1000, 10000} {
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) {
			mn := startManagerNode(b, b.TempDir(), ManagerConfig{})
			names := deployMany(b, mn, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := mn.m.ReloadAll(context.Background(), names, modules[i%2]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRestore restarts a node whose manager had deployed 1,000
// counters: the manifest read back, the module loaded from the
// compilation cache, and every server started again.
func BenchmarkRestore(b *testing.B) {
	dir := b.TempDir()
	mn := startManagerNode(b, dir, ManagerConfig{})
	deployMany(b, mn, 1000)
	mn.close()
	for b.Loop() {
		again := startManagerNode(b, dir, ManagerConfig{})
		b.StopTimer()
		if len(again.m.Servers()) != 1000 {
			b.Fatalf("%d servers restored, want 1000", len(again.m.Servers()))
		}
		again.close()
		b.StartTimer()
	}
}

// BenchmarkReloadUnderLoad reloads 10,000 counters, started with
// Wasm.StartServer as the bench harness starts them, between counter and
// counter_v2 while callers=N goroutines call random counters in a loop:
// what a reload adds to the compile under load. As after a compile, the
// module reloaded to is loaded just before (from the compilation cache,
// untimed), with only the instance its load made; with warm, both modules
// stay loaded, so their instances stay made: the reload's cost without
// making them.
func BenchmarkReloadUnderLoad(b *testing.B) {
	const servers = 10_000
	modules := [][]byte{wasmGuest(b, "counter_v2"), wasmGuest(b, "counter")}
	for _, c := range []struct {
		callers int
		warm    bool
	}{{0, false}, {8, false}, {0, true}} {
		callers := c.callers
		name := fmt.Sprintf("callers=%d", callers)
		if c.warm {
			name += ",warm"
		}
		b.Run(name, func(b *testing.B) {
			mn := startManagerNode(b, b.TempDir(), ManagerConfig{})
			v1 := loadModule(b, mn.w, modules[1])
			names := make([]etf.Atom, servers)
			for i := range names {
				names[i] = etf.Atom(fmt.Sprintf("c%d", i))
				if _, err := mn.w.StartServer(ctx(b), WasmServerSpec{Name: names[i], Module: v1, Args: etf.Int(0)}); err != nil {
					b.Fatal(err)
				}
			}
			if c.warm {
				defer loadModule(b, mn.w, modules[0]).Release()
			} else {
				v1.Release()
			}
			stop := startCallers(b, mn.n, names, callers)
			defer stop()
			instances := 0
			var cpu time.Duration
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				next := loadModule(b, mn.w, modules[i%2])
				b.StartTimer()
				// Labelled with the variant's name, so that a profile can
				// single out the reload from the callers and the set-up
				// (-tagfocus callers=8).
				cpuStart := cputime.Used()
				pprof.Do(context.Background(), pprof.Labels("reload", name), func(ctx context.Context) {
					if err := mn.m.ReloadAll(ctx, names, modules[i%2]); err != nil {
						b.Fatal(err)
					}
				})
				cpu += cputime.Used() - cpuStart
				b.StopTimer()
				st := next.Stats()
				instances += st.Idle + st.Busy
				b.StartTimer()
				next.Release()
			}
			// The new module's instances after the reload: the one its load
			// made, and those made for its callbacks since.
			b.ReportMetric(float64(instances)/float64(b.N), "instances/op")
			// The process's CPU during the reloads only: with no callers,
			// the reload's own.
			b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// loadModule loads wasm in w, failing b if it does not load.
func loadModule(b *testing.B, w *Wasm, wasm []byte) *WasmModule {
	m, err := w.Load(ctx(b), wasm, abi.ModuleConfig{})
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// startCallers starts callers goroutines that call random servers of names
// (inc) until the returned function stops them; a failed call fails b.
func startCallers(b *testing.B, n *Node, names []etf.Atom, callers int) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if _, err := n.Call(context.Background(), names[rand.IntN(len(names))], etf.Atom("inc"), wait); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	return func() {
		close(done)
		wg.Wait()
	}
}
