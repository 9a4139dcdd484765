package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/host"
)

// Under load, reloadLoaders callers call random servers in a loop while
// the servers move to the new version. The BEAM's side moves them from
// reloadWorkers processes at once, as creo's manager does from four
// goroutines a core.
const reloadLoaders = 8

var reloadWorkers = 4 * runtime.GOMAXPROCS(0)

// reload measures hot reload of running counters (guests/counter to
// guests/counter_v2) under load, beside the same upgrade of Elixir
// GenServers on a BEAM node as a release upgrade does it.
func (b *bench) reload() *Section {
	c := b.theCluster()
	v1, v2 := b.guest("counter"), b.guest("counter_v2")
	sides := []string{"creo Wasm", "BEAM"}
	compile := Table{Caption: "Compile (and load) the new version", Keys: []string{"servers"}, Sides: sides, Unit: nanoseconds}
	switched := Table{Caption: "Reload every server, the module compiled", Keys: []string{"servers", "callers"}, Sides: sides, Unit: nanoseconds}
	for _, count := range b.size.reloads {
		creo := func() []float64 {
			r := b.reloadCreo(v1, v2, count)
			return []float64{float64(r.compile), float64(r.loaded), float64(r.idle)}
		}
		beam := func() []float64 {
			r := b.evalInts(c.driver, fmt.Sprintf("Bench.Driver.reload(%d, %d, %d)", count, reloadLoaders, reloadWorkers))
			if r[3] != int64(count) {
				b.tb.Fatalf("bench: %d of %d BEAM servers run version 2 after the reload", r[3], count)
			}
			return []float64{float64(r[0]) * 1e3, float64(r[1]) * 1e3, float64(r[2]) * 1e3}
		}
		figs := b.alternateFigures(b.size.rounds, creo, beam)
		key := fmt.Sprint(count)
		compile.Rows = append(compile.Rows, Row{Keys: []string{key}, Values: figs[0]})
		switched.Rows = append(switched.Rows,
			Row{Keys: []string{key, fmt.Sprintf("%d calling", reloadLoaders)}, Values: figs[1]},
			Row{Keys: []string{key, "none"}, Values: figs[2]})
		b.logf("reload: %d servers: compile %s; reload under load %s; idle %s", count, compile.summary(compile.Rows[len(compile.Rows)-1]),
			switched.summary(switched.Rows[len(switched.Rows)-2]), switched.summary(switched.Rows[len(switched.Rows)-1]))
	}
	underLoad := switched.Rows[len(switched.Rows)-2]
	return &Section{
		Method: reloadMethod(b.size),
		Tables: []Table{compile, switched},
		Targets: []Target{targetAtMost(fmt.Sprintf("(4) %s servers reloaded under load in ≤ compile time + 100 ms: the reload after the compile", underLoad.Keys[0]),
			underLoad.Values[0].Median(), 100e6, nanoseconds)},
		Charts: []Chart{barPanels("reload.png", "Time to reload every server to the new version, once it is compiled", switched)},
	}
}

// reloadTimes are the times of one reload of creo's servers.
type reloadTimes struct {
	compile time.Duration // loading the new version, which compiles it
	loaded  time.Duration // then reloading every server, under load
	idle    time.Duration // then reloading them back, with no load
}

// reloadCreo starts count servers of the module v1 on a new node, keeps
// callers calling them, and moves them all to v2 with the node's manager
// (Manager.ReloadAll), v2 loaded, and so compiled, first on its own. With
// the callers stopped, it moves them back to v1, compiled already. Unless
// the sizes say otherwise (quick mode), the node's Wasm keeps no
// compilation cache, so that v2 is compiled for real.
func (b *bench) reloadCreo(v1, v2 []byte, count int) reloadTimes {
	ctx := b.tb.Context()
	n := host.NewNode(host.Config{Logger: b.logger()})
	if err := n.Boot(); err != nil {
		b.tb.Fatalf("bench: boot: %v", err)
	}
	cfg := host.WasmConfig{Logger: b.logger()}
	if !b.size.coldCompile {
		cfg.CacheDir = cacheDir()
	}
	w, err := host.NewWasm(n, cfg)
	if err != nil {
		b.tb.Fatalf("bench: %v", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		n.Shutdown(ctx)
		w.Close(ctx)
	}()
	mgr, err := host.StartManager(ctx, n, w, host.ManagerConfig{DataDir: b.tb.TempDir(), Logger: b.logger()})
	if err != nil {
		b.tb.Fatalf("bench: start the manager: %v", err)
	}
	m1, err := w.Load(ctx, v1, abi.ModuleConfig{})
	if err != nil {
		b.tb.Fatalf("bench: load guests/counter: %v", err)
	}
	names := make([]etf.Atom, count)
	for i := range names {
		names[i] = etf.Atom(fmt.Sprintf("counter_%d", i))
		if _, err := w.StartServer(ctx, host.WasmServerSpec{Name: names[i], Module: m1, Args: etf.Int(0)}); err != nil {
			b.tb.Fatalf("bench: start a counter: %v", err)
		}
	}
	defer m1.Release() // compiled still for the reload back

	stop := make(chan struct{})
	var loaders sync.WaitGroup
	var loadErr atomic.Pointer[error]
	for range reloadLoaders {
		loaders.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := n.Call(ctx, names[rand.IntN(count)], etf.Atom("inc"), time.Minute); err != nil {
					loadErr.Store(&err)
					return
				}
			}
		})
	}
	var r reloadTimes
	start := time.Now()
	m2, err := w.Load(ctx, v2, abi.ModuleConfig{})
	if err != nil {
		b.tb.Fatalf("bench: load guests/counter_v2: %v", err)
	}
	r.compile = time.Since(start)
	start = time.Now()
	err = mgr.ReloadAll(ctx, names, v2)
	r.loaded = time.Since(start)
	close(stop)
	loaders.Wait()
	m2.Release()
	if err != nil {
		b.tb.Fatalf("bench: reload: %v", err)
	}
	if err := loadErr.Load(); err != nil {
		b.tb.Fatalf("bench: calls under the reload: %v", *err)
	}
	b.checkCounters(n, names, isV2)
	start = time.Now()
	if err := mgr.ReloadAll(ctx, names, v1); err != nil {
		b.tb.Fatalf("bench: reload back: %v", err)
	}
	r.idle = time.Since(start)
	b.checkCounters(n, names, func(t etf.Term) bool { _, ok := t.(etf.Int); return ok })
	return r
}

// checkCounters checks that every counter answers get as its version
// should.
func (b *bench) checkCounters(n *host.Node, names []etf.Atom, want func(etf.Term) bool) {
	for _, name := range names {
		got, err := n.Call(b.tb.Context(), name, etf.Atom("get"), time.Minute)
		if err != nil {
			b.tb.Fatalf("bench: get: %v", err)
		}
		if t, err := decodeRaw(got); err != nil || !want(t) {
			b.tb.Fatalf("bench: %s answered %v after the reload", name, got)
		}
	}
}

// decodeRaw decodes a reply from a Wasm server, which comes encoded.
func decodeRaw(t etf.Term) (etf.Term, error) {
	if raw, ok := t.(etf.Raw); ok {
		t, _, err := etf.DecodeTerm(raw, nil)
		return t, err
	}
	return t, nil
}

func isV2(t etf.Term) bool {
	tup, ok := t.(etf.Tuple)
	return ok && len(tup) == 2 && tup[0] == etf.Atom("v2")
}

func reloadMethod(s sizes) string {
	return fmt.Sprintf(`creo: on a new node, N servers of guests/counter run under supervision
(Wasm.StartServer) while %d Go callers call random servers (inc) in a loop. The node's Wasm
keeps no compilation cache, so the new version, guests/counter_v2, is compiled for real. Timed:
loading (compiling) it, then the node's manager moving every server to it
(Manager.ReloadAll, %d servers at once), each running its code_change between two messages;
the module is then already compiled, so the second time is what a reload adds to the
compile. Every server then answers get with {v2, N}; with the callers stopped, the servers
are reloaded back to version 1, compiled already, for the reload with no load. BEAM: on the
Elixir driver node, N GenServers of a counter module run while %d processes call them;
timed: Code.compile_string of version 2 (compile and load), then :sys.suspend,
:sys.change_code and :sys.resume of every server from %d processes, as a release upgrade
does; then, the callers stopped, the same to version 3. Median of %d rounds, sides
alternating.`,
		reloadLoaders, reloadWorkers, reloadLoaders, reloadWorkers, s.rounds)
}
