package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/host"
)

// Under load, reloadLoaders callers call random servers in a loop while
// reloadWorkers move the servers to the new version, each its share.
const (
	reloadLoaders = 8
	reloadWorkers = 16
)

// reload measures hot reload of running counters (guests/counter to
// guests/counter_v2) under load, beside the same upgrade of Elixir
// GenServers on a BEAM node as a release upgrade does it.
func (b *bench) reload() *Section {
	c := b.theCluster()
	v1, v2 := b.guest("counter"), b.guest("counter_v2")
	sides := []string{"creo Wasm", "BEAM"}
	compile := Table{Caption: "Compile (and load) the new version", Keys: []string{"servers"}, Sides: sides, Unit: nanoseconds}
	switched := Table{Caption: "Move every server to it, after the compile", Keys: []string{"servers"}, Sides: sides, Unit: nanoseconds}
	for _, count := range b.size.reloads {
		creo := func() []float64 {
			comp, sw := b.reloadCreo(v1, v2, count)
			return []float64{float64(comp.Nanoseconds()), float64(sw.Nanoseconds())}
		}
		beam := func() []float64 {
			r := b.evalInts(c.driver, fmt.Sprintf("Bench.Driver.reload(%d, %d, %d)", count, reloadLoaders, reloadWorkers))
			if r[2] != int64(count) {
				b.tb.Fatalf("bench: %d of %d BEAM servers run version 2 after the reload", r[2], count)
			}
			return []float64{float64(r[0]) * 1e3, float64(r[1]) * 1e3}
		}
		figs := b.alternateFigures(b.size.rounds, creo, beam)
		key := []string{fmt.Sprint(count)}
		compile.Rows = append(compile.Rows, Row{Keys: key, Values: figs[0]})
		switched.Rows = append(switched.Rows, Row{Keys: key, Values: figs[1]})
		b.logf("reload: %d servers: compile %s; switch %s", count, compile.summary(compile.Rows[len(compile.Rows)-1]), switched.summary(switched.Rows[len(switched.Rows)-1]))
	}
	last := len(b.size.reloads) - 1
	return &Section{
		Method: reloadMethod(b.size),
		Tables: []Table{compile, switched},
		Targets: []Target{targetAtMost(fmt.Sprintf("(4) %d servers reloaded in ≤ compile time + 100 ms: the time after the compile", b.size.reloads[last]),
			switched.Rows[last].Values[0].Median(), 100e6, nanoseconds)},
		Charts: []Chart{barPanels("reload.png", "Time to move every server to the new version, after the compile", switched)},
	}
}

// reloadCreo starts count servers of the module v1 on a new node, keeps
// callers calling them, and moves them all to v2: it returns the time to
// compile v2 and the time then to move every server. Unless the sizes
// say otherwise (quick mode), the node's Wasm keeps no compilation cache,
// so that v2 is compiled for real.
func (b *bench) reloadCreo(v1, v2 []byte, count int) (compile, switched time.Duration) {
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
	m1.Release()

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
	start := time.Now()
	m2, err := w.Load(ctx, v2, abi.ModuleConfig{})
	if err != nil {
		b.tb.Fatalf("bench: load guests/counter_v2: %v", err)
	}
	compile = time.Since(start)
	start = time.Now()
	eachOf(names, reloadWorkers, func(name etf.Atom) {
		if err := w.Reload(ctx, name, m2, etf.List{}); err != nil {
			loadErr.Store(&err)
		}
	})
	switched = time.Since(start)
	close(stop)
	loaders.Wait()
	m2.Release()
	if err := loadErr.Load(); err != nil {
		b.tb.Fatalf("bench: reload under load: %v", *err)
	}
	for _, name := range names {
		got, err := n.Call(ctx, name, etf.Atom("get"), time.Minute)
		if err != nil {
			b.tb.Fatalf("bench: get: %v", err)
		}
		if t, err := decodeRaw(got); err != nil || !isV2(t) {
			b.tb.Fatalf("bench: %s answered %v after the reload, not {v2, N}", name, got)
		}
	}
	return compile, switched
}

// eachOf runs f on every element of list, from workers goroutines.
func eachOf[T any](list []T, workers int, f func(T)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(list)); i = next.Add(1) - 1 {
				f(list[i])
			}
		})
	}
	wg.Wait()
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
loading (compiling) it, then moving every server to it with Wasm.Reload, which runs its
code_change between two messages, from %d goroutines. Every server then answers get with
{v2, N}. BEAM: on the Elixir driver node, N GenServers of a counter module run while %d
processes call them; timed: Code.compile_string of version 2 (compile and load), then
:sys.suspend, :sys.change_code and :sys.resume of every server from %d processes, as a release
upgrade does. Median of %d rounds, sides alternating.`, reloadLoaders, reloadWorkers, reloadLoaders, reloadWorkers, s.rounds)
}
