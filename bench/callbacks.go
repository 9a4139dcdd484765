package main

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/host"
)

// callbackServers is how many servers share the callbacks: more than the
// cores, so that every core has a server to run.
const callbackServers = 8

// callbacks measures callbacks into Wasm echo servers on a local node,
// beside the same echo as a native Go behaviour: casts queued while the
// servers are suspended and handled once they resume, and calls from as
// many Go callers as servers.
func (b *bench) callbacks() *Section {
	n := b.localNode()
	w := b.newWasm(n)
	echo := b.load(w, "echo")
	sides := []struct {
		name string
		b    host.Behaviour
	}{{"creo Wasm", echo}, {"creo Go", goEcho{}}}
	servers := make([][]etf.Pid, len(sides))
	for i, s := range sides {
		for range callbackServers {
			pid, err := n.Start(s.b, etf.Atom("nil"), host.Options{})
			if err != nil {
				b.tb.Fatalf("bench: start a %s echo: %v", s.name, err)
			}
			servers[i] = append(servers[i], pid)
		}
	}
	sideNames := []string{"creo Wasm", "creo Go"}
	wall := Table{Caption: "Callbacks per second, all servers together", Keys: []string{"callback", "message"}, Sides: sideNames, Unit: perSecond}
	cpu := Table{Caption: "Callbacks per second of CPU time this process got", Keys: []string{"callback", "message"}, Sides: sideNames, Unit: perSecond}
	add := func(keys []string, figs [][]Samples) {
		wall.Rows = append(wall.Rows, Row{Keys: keys, Values: figs[0]})
		cpu.Rows = append(cpu.Rows, Row{Keys: keys, Values: figs[1]})
		b.logf("callbacks: %s: %s; per CPU second: %s", keys[0], wall.summary(wall.Rows[len(wall.Rows)-1]), cpu.summary(cpu.Rows[len(cpu.Rows)-1]))
	}

	// The casts: as many as the Wasm side handles in the sample time.
	msg := etf.Tuple{etf.Atom("note"), etf.Int(42)}
	queued := int(1000 * b.size.callbackTime.Seconds())
	queued = int(b.drainRate(n, servers[0], msg, queued)[0] * b.size.callbackTime.Seconds())
	fns := make([]func() []float64, len(sides))
	for i := range sides {
		fns[i] = func() []float64 { return b.drainRate(n, servers[i], msg, queued) }
	}
	add([]string{"handle_cast", "{note, 42}"}, b.alternateFigures(b.size.rounds, fns...))

	req := etf.Atom("ping")
	for i := range sides {
		b.callRate(n, servers[i], req, b.size.callbackTime/10) // warm up
		fns[i] = func() []float64 { return b.callRate(n, servers[i], req, b.size.callbackTime) }
	}
	add([]string{"handle_call", "ping"}, b.alternateFigures(b.size.rounds, fns...))

	cores := float64(runtime.NumCPU())
	return &Section{
		Method: callbacksMethod(b.size),
		Tables: []Table{wall, cpu},
		Targets: []Target{
			targetAtLeast("(2) Wasm callbacks per second, small messages (handle_cast): ≥ 1,000,000",
				wall.Rows[0].Values[0].Median(), 1e6, perSecond),
			targetAtLeast(fmt.Sprintf("(2) the same per CPU second × %d cores, what the machine gives with no other load: ≥ 1,000,000", int(cores)),
				cpu.Rows[0].Values[0].Median()*cores, 1e6, perSecond),
		},
		Charts: []Chart{barPanels("callbacks.png", "Callbacks per second on one node: Wasm echo beside native Go echo", wall)},
	}
}

// drainRate suspends the servers, casts them count messages in all,
// resumes them and returns the callbacks per second from the resume until a
// call to each has returned, which is when every message before it was
// handled: per second of wall time, and per second of CPU time.
func (b *bench) drainRate(n *host.Node, servers []etf.Pid, msg etf.Term, count int) []float64 {
	ctx := b.tb.Context()
	for _, pid := range servers {
		if err := n.Suspend(ctx, pid); err != nil {
			b.tb.Fatalf("bench: suspend: %v", err)
		}
	}
	for i := range count {
		n.Cast(servers[i%len(servers)], msg)
	}
	start, cpuStart := time.Now(), cpuTime()
	var wg sync.WaitGroup
	for _, pid := range servers {
		wg.Go(func() {
			if err := n.Resume(ctx, pid); err != nil {
				b.tb.Errorf("bench: resume: %v", err)
			}
			if _, err := n.Call(ctx, pid, etf.Atom("ping"), time.Minute); err != nil {
				b.tb.Errorf("bench: call: %v", err)
			}
		})
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), cpuTime()-cpuStart
	if b.tb.Failed() {
		b.tb.FailNow()
	}
	callbacks := float64(count + len(servers))
	return []float64{callbacks / elapsed.Seconds(), callbacks / cpu.Seconds()}
}

// callRate calls the servers from as many Go callers, each its own server
// in a loop, for d, and returns the calls per second of wall time and of
// CPU time.
func (b *bench) callRate(n *host.Node, servers []etf.Pid, req etf.Term, d time.Duration) []float64 {
	ctx, cancel := context.WithTimeout(b.tb.Context(), d)
	defer cancel()
	var calls atomic.Int64
	start, cpuStart := time.Now(), cpuTime()
	var wg sync.WaitGroup
	for _, pid := range servers {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := n.Call(b.tb.Context(), pid, req, time.Minute); err != nil {
					b.tb.Errorf("bench: call: %v", err)
					return
				}
				calls.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), cpuTime()-cpuStart
	if b.tb.Failed() {
		b.tb.FailNow()
	}
	return []float64{float64(calls.Load()) / elapsed.Seconds(), float64(calls.Load()) / cpu.Seconds()}
}

// cpuTime returns the CPU time this process has used, user and system.
// A figure per CPU second leaves out the time the shared machine gave to
// other processes.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// localNode returns a booted node that is not distributed, shut down when
// the run ends.
func (b *bench) localNode() *host.Node {
	n := host.NewNode(host.Config{Logger: b.logger()})
	if err := n.Boot(); err != nil {
		b.tb.Fatalf("bench: boot a node: %v", err)
	}
	b.tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		n.Shutdown(ctx)
	})
	return n
}

func callbacksMethod(s sizes) string {
	return fmt.Sprintf(`On one node in this process, %d servers run guests/echo (a Wasm module, with the
default bounds of an untrusted module: deadline and memory limit) and %d run the same echo
as a native Go behaviour. handle_cast: the servers are suspended (sys:suspend), a burst of
casts is queued across them (as many as the Wasm servers handle in about %v), and the
figure is the callbacks per second from their resume until a call to each has returned,
when all were handled. handle_call: %d Go callers, each calling its own server in a loop for
%v. Median of %d rounds, sides alternating. The second table divides by the CPU time the
process used rather than the wall time, which leaves out what the shared machine gave to
other processes meanwhile.`, callbackServers, callbackServers, s.callbackTime, callbackServers, s.callbackTime, s.rounds)
}
