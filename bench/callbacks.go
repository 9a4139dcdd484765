package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
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
	t := Table{Caption: "Callbacks per second, all servers together", Keys: []string{"callback", "message"}, Sides: []string{"creo Wasm", "creo Go"}, Unit: perSecond, Higher: true}

	// The casts: as many as the Wasm side handles in the sample time.
	msg := etf.Tuple{etf.Atom("note"), etf.Int(42)}
	queued := int(1000 * b.size.callbackTime.Seconds())
	queued = int(b.drainRate(n, servers[0], msg, queued) * b.size.callbackTime.Seconds())
	fns := make([]func() float64, len(sides))
	for i := range sides {
		fns[i] = func() float64 { return b.drainRate(n, servers[i], msg, queued) }
	}
	row := Row{Keys: []string{"handle_cast", "{note, 42}"}, Values: b.alternate(b.size.rounds, fns...)}
	b.logf("callbacks: casts: %s", t.summary(row))
	t.Rows = append(t.Rows, row)

	req := etf.Atom("ping")
	for i := range sides {
		b.callRate(n, servers[i], req, b.size.callbackTime/10) // warm up
		fns[i] = func() float64 { return b.callRate(n, servers[i], req, b.size.callbackTime) }
	}
	row = Row{Keys: []string{"handle_call", "ping"}, Values: b.alternate(b.size.rounds, fns...)}
	b.logf("callbacks: calls: %s", t.summary(row))
	t.Rows = append(t.Rows, row)

	return &Section{
		Method: callbacksMethod(b.size),
		Tables: []Table{t},
		Targets: []Target{targetAtLeast("(2) Wasm callbacks per second, small messages (handle_cast): ≥ 1,000,000",
			t.Rows[0].Values[0].Median(), 1e6, perSecond)},
		Charts: []Chart{barPanels("callbacks.png", "Callbacks per second on one node: Wasm echo beside native Go echo", t)},
	}
}

// drainRate suspends the servers, casts them perServer... in all count
// messages, resumes them and returns the callbacks per second from the
// resume until a call to each has returned, which is when every message
// before it was handled.
func (b *bench) drainRate(n *host.Node, servers []etf.Pid, msg etf.Term, count int) float64 {
	ctx := b.tb.Context()
	for _, pid := range servers {
		if err := n.Suspend(ctx, pid); err != nil {
			b.tb.Fatalf("bench: suspend: %v", err)
		}
	}
	for i := range count {
		n.Cast(servers[i%len(servers)], msg)
	}
	start := time.Now()
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
	elapsed := time.Since(start)
	if b.tb.Failed() {
		b.tb.FailNow()
	}
	return float64(count+len(servers)) / elapsed.Seconds()
}

// callRate calls the servers from as many Go callers, each its own server
// in a loop, for d, and returns the calls per second.
func (b *bench) callRate(n *host.Node, servers []etf.Pid, req etf.Term, d time.Duration) float64 {
	ctx, cancel := context.WithTimeout(b.tb.Context(), d)
	defer cancel()
	var calls atomic.Int64
	start := time.Now()
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
	if b.tb.Failed() {
		b.tb.FailNow()
	}
	return float64(calls.Load()) / time.Since(start).Seconds()
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
%v. Median of %d rounds, sides alternating.`, callbackServers, callbackServers, s.callbackTime, callbackServers, s.callbackTime, s.rounds)
}
