package main

import (
	"fmt"
	"os"
	"strconv"
)

// callShapes are the requests of the call comparison, by their key in
// beam/driver.ex, which builds them.
var callShapes = []struct{ key, label string }{
	{"small", "small tuple"},
	{"bin_1k", "1 KB binary"},
	{"bin_100k", "100 KB binary"},
	{"map_1k", "1,000-key map"},
}

// callTarget is a server the driver calls: its column in the tables, the
// Elixir term that addresses it, and the OS process of its node.
type callTarget struct {
	side, addr string
	pid        int
}

// targetCallers is the number of callers of the throughput targets: the
// calls with as many callers also measure each node's CPU per call.
const targetCallers = 64

// calls measures GenServer.call from an Elixir node to creo's Wasm echo
// server and to the same echo as a GenServer on a second BEAM node.
func (b *bench) calls() *Section {
	c := b.theCluster()
	// creo's node runs in this process.
	targets := []callTarget{
		{"creo Wasm", fmt.Sprintf("{:echo, :%q}", string(c.creo.Name())), os.Getpid()},
		{"creo Go", fmt.Sprintf("{:echo_go, :%q}", string(c.creo.Name())), os.Getpid()},
		{"BEAM", fmt.Sprintf("{:echo, :%q}", c.server.Name), b.osPid(c.server)},
	}
	driver := b.osPid(c.driver)
	sides := make([]string, len(targets))
	for i, t := range targets {
		sides[i] = t.side
		for _, shape := range callShapes {
			if got := b.evalInts(c.driver, fmt.Sprintf("Bench.Driver.check(%s, :%s)", t.addr, shape.key)); len(got) != 1 || got[0] != 1 {
				b.tb.Fatalf("bench: %s did not echo the %s", t.side, shape.label)
			}
		}
	}
	sec := &Section{Method: callsMethod(b.size)}
	tput := Table{Caption: "Throughput: calls per second, all callers together", Keys: []string{"request", "callers"}, Sides: sides, Unit: perSecond}
	p50 := Table{Caption: "Latency of sequential calls, median (p50)", Keys: []string{"request"}, Sides: sides, Unit: nanoseconds}
	p99 := Table{Caption: "Latency of sequential calls, 99th percentile", Keys: []string{"request"}, Sides: sides, Unit: nanoseconds}
	cpu := Table{Caption: fmt.Sprintf("CPU per call at %d callers, by node and time", targetCallers), Keys: []string{"request", "node", "CPU"}, Sides: sides, Unit: nanoseconds}
	ms := b.size.callTime.Milliseconds()
	for _, shape := range callShapes {
		for _, callers := range b.size.callers {
			// run returns the calls per second, then the driver's and the
			// server's CPU per call (cpuFigures), which the report shows
			// for the target's number of callers.
			run := func(t callTarget, ms int64) []float64 {
				before := b.cpuOf(driver, t.pid)
				r := b.evalInts(c.driver, fmt.Sprintf("Bench.Driver.throughput(%s, :%s, %d, %d)", t.addr, shape.key, callers, ms))
				after := b.cpuOf(driver, t.pid)
				calls := float64(r[0])
				return append([]float64{calls / (float64(r[1]) / 1e6)}, cpuPerCall(after[0].sub(before[0]), after[1].sub(before[1]), calls)...)
			}
			fns := make([]func() []float64, len(targets))
			for i, t := range targets {
				run(t, max(ms/10, 1)) // warm up
				fns[i] = func() []float64 { return run(t, ms) }
			}
			figures := b.alternateFigures(b.size.rounds, fns...)
			row := Row{Keys: []string{shape.label, strconv.Itoa(callers)}, Values: figures[0]}
			b.logf("calls: %s, %d callers: %s", shape.label, callers, tput.summary(row))
			tput.Rows = append(tput.Rows, row)
			if callers == targetCallers {
				for i, f := range cpuFigures {
					cpu.Rows = append(cpu.Rows, Row{Keys: []string{shape.label, f[0], f[1]}, Values: figures[1+i]})
				}
				b.logf("calls: %s, %d callers, CPU per call of both nodes: %s", shape.label, callers, cpu.summary(cpu.Rows[len(cpu.Rows)-1]))
			}
		}
		fns := make([]func() []float64, len(targets))
		for i, t := range targets {
			fns[i] = func() []float64 {
				r := b.evalInts(c.driver, fmt.Sprintf("Bench.Driver.latency(%s, :%s, %d)", t.addr, shape.key, b.size.latencyCalls))
				return []float64{float64(r[0]), float64(r[1])}
			}
		}
		lat := b.alternateFigures(b.size.rounds, fns...)
		p50.Rows = append(p50.Rows, Row{Keys: []string{shape.label}, Values: lat[0]})
		p99.Rows = append(p99.Rows, Row{Keys: []string{shape.label}, Values: lat[1]})
		b.logf("calls: %s, latency p50: %s", shape.label, p50.summary(p50.Rows[len(p50.Rows)-1]))
	}
	sec.Tables = []Table{tput, p50, p99, cpu}
	for _, row := range tput.Rows {
		if row.Keys[1] == strconv.Itoa(targetCallers) {
			sec.Targets = append(sec.Targets, targetAtLeast(fmt.Sprintf("(1) throughput, %d callers, %s: ≥ 1.0× the BEAM", targetCallers, row.Keys[0]), row.ratio(), 1, ratio))
		}
	}
	for _, row := range p50.Rows {
		sec.Targets = append(sec.Targets, targetAtMost(fmt.Sprintf("(1) p50 latency, %s: ≤ 1.0× the BEAM", row.Keys[0]), row.ratio(), 1, ratio))
	}
	sec.Charts = []Chart{
		throughputChart(tput),
		latencyChart(p50),
	}
	return sec
}

func callsMethod(s sizes) string {
	return fmt.Sprintf(`An Elixir node (the driver) calls, with GenServer.call, an echo server
registered as :echo on creo's node (guests/echo, a Wasm module; "creo Go" is the same
echo as a native Go behaviour on the same node, for reference) and the same echo as an
Elixir GenServer on a second BEAM node. All three nodes are on this machine, over
loopback distribution. Throughput: the driver runs N caller processes that call in a loop
for %v; the figure is the calls completed over the time to the last reply. CPU per call:
around each run with %d callers, the harness reads the user and system CPU time of the
driver's OS process and of the server's (creo's node is the harness's own process, idle
but for creo meanwhile) from /proc/PID/stat, and divides what they grew by the calls
completed. /proc counts in ticks of 10 ms, so a figure may be off by up to 10 ms over
the run's calls: 0.2 µs a call over 50k calls, 1 µs over 10k. Latency: %d calls one after
another, each timed on the driver. Each figure is the median of %d rounds, with the range
(min–max) in parentheses; the sides of a round run one after another in an order that
alternates between rounds.`, s.callTime, targetCallers, s.latencyCalls, s.rounds)
}

func throughputChart(t Table) Chart {
	return linePanels("calls_throughput.png", "GenServer.call throughput from Elixir, by number of callers", t, "concurrent callers")
}

func latencyChart(t Table) Chart {
	return barPanels("calls_latency_p50.png", "GenServer.call latency from Elixir, median", t)
}
