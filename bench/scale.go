package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/host"
)

// scale measures how fast idle servers start and how much memory they
// hold: Wasm echo servers on creo, each in a fresh child process, beside
// echo GenServers on a fresh BEAM node.
func (b *bench) scale() *Section {
	wasmFile := filepath.Join(b.tb.TempDir(), "echo.wasm")
	if err := os.WriteFile(wasmFile, b.guest("echo"), 0o644); err != nil {
		b.tb.Fatalf("bench: %v", err)
	}
	spawners := runtime.NumCPU()
	sides := []string{"creo Wasm", "BEAM"}
	rate := Table{Caption: "Spawn rate: servers started per second", Keys: []string{"servers"}, Sides: sides, Unit: perSecond}
	mem := Table{Caption: "Resident memory of the whole OS process once the servers are up", Keys: []string{"servers"}, Sides: sides, Unit: bytesUnit}
	per := Table{Caption: "Resident memory each idle server adds", Keys: []string{"servers"}, Sides: sides, Unit: bytesUnit}
	for _, count := range b.size.servers {
		creo := func() []float64 {
			r := b.child(childRequest{Servers: count, Spawners: spawners, Wasm: wasmFile})
			return []float64{float64(count) / r.Spawn.Seconds(), float64(r.RSSAfter), float64(r.RSSAfter-r.RSSBefore) / float64(count)}
		}
		beam := func() []float64 {
			n := b.startElixir("scale", "+P", strconv.Itoa(2*count+1000))
			defer n.Kill()
			r := b.evalInts(n, fmt.Sprintf("Bench.Driver.spawn_idle(%d, %d)", count, spawners))
			return []float64{float64(count) / (float64(r[0]) / 1e6), float64(r[2]), float64(r[2]-r[1]) / float64(count)}
		}
		figs := b.alternateFigures(b.size.rounds, creo, beam)
		key := []string{fmt.Sprint(count)}
		rate.Rows = append(rate.Rows, Row{Keys: key, Values: figs[0]})
		mem.Rows = append(mem.Rows, Row{Keys: key, Values: figs[1]})
		per.Rows = append(per.Rows, Row{Keys: key, Values: figs[2]})
		b.logf("scale: %d servers: %s; %s", count, rate.summary(rate.Rows[len(rate.Rows)-1]), mem.summary(mem.Rows[len(mem.Rows)-1]))
	}
	sec := &Section{Method: scaleMethod(b.size, spawners), Tables: []Table{rate, mem, per}}
	last := len(b.size.servers) - 1
	top := b.size.servers[last]
	sec.Targets = []Target{
		targetAtMost(fmt.Sprintf("(3) memory with %d idle servers: ≤ 4 GiB", top), mem.Rows[last].Values[0].Median(), 4<<30, bytesUnit),
		targetAtLeast(fmt.Sprintf("(3) spawn rate, %d servers: ≥ 200,000/s", top), rate.Rows[last].Values[0].Median(), 200_000, perSecond),
	}
	sec.Charts = []Chart{
		linePanels("scale_spawn.png", "Spawn rate of idle servers", rate, "servers"),
		linePanels("scale_memory.png", "Resident memory with the idle servers up", mem, "servers"),
	}
	return sec
}

// spawnIdle starts req.Servers idle Wasm echo servers on a new node, from
// req.Spawners goroutines at once, and measures the time that took and
// the resident memory before and after. It runs in a child process.
func spawnIdle(req childRequest) (childResult, error) {
	ctx := context.Background()
	wasm, err := os.ReadFile(req.Wasm)
	if err != nil {
		return childResult{}, fmt.Errorf("bench: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	n := host.NewNode(host.Config{Logger: log})
	w, err := host.NewWasm(n, host.WasmConfig{CacheDir: cacheDir(), Logger: log})
	if err != nil {
		return childResult{}, err
	}
	m, err := w.Load(ctx, wasm, abi.ModuleConfig{})
	if err != nil {
		return childResult{}, err
	}
	var res childResult
	if res.RSSBefore, err = settledRSS(); err != nil {
		return res, err
	}
	errs := make(chan error, req.Spawners)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range req.Spawners {
		count := req.Servers / req.Spawners
		if i < req.Servers%req.Spawners {
			count++
		}
		wg.Go(func() {
			for range count {
				if _, err := n.Start(m, etf.Atom("nil"), host.Options{}); err != nil {
					errs <- fmt.Errorf("bench: start a Wasm server: %w", err)
					return
				}
			}
		})
	}
	wg.Wait()
	res.Spawn = time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return res, err
	}
	if got := n.ProcessCount(); got < req.Servers {
		return res, fmt.Errorf("bench: %d processes after starting %d servers", got, req.Servers)
	}
	res.RSSAfter, err = settledRSS()
	// Idle servers have no goroutine: only the node holds them, and a
	// collection must not find it unreachable before the reading.
	runtime.KeepAlive(n)
	return res, err
}

// settledRSS returns the resident memory once the garbage is collected and
// the free memory returned to the system: what the live data costs.
func settledRSS() (int64, error) {
	runtime.GC()
	debug.FreeOSMemory()
	return rss()
}

func scaleMethod(s sizes, spawners int) string {
	return fmt.Sprintf(`creo: a fresh child process loads guests/echo (from the compilation cache)
and starts N servers of it with Node.Start from %d goroutines at once, one per core; each start
runs the guest's init. BEAM: a fresh Elixir node (+P raised to fit) starts N echo GenServers
with GenServer.start from %d processes at once. Memory is the resident set (VmRSS) of the OS
process once all servers are up, after a garbage collection on creo's side (Go returns freed
memory to the system lazily); "each idle server adds" is the growth of the resident set over
N. Median of %d rounds, sides alternating.`, spawners, spawners, s.rounds)
}
