package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/erltest"
)

// etf measures creo's codec beside erlang:binary_to_term/1 and
// term_to_binary/1 on the same terms: the corpus of etf's own benchmarks,
// which etf/testdata/bench.erl writes, and the requests of the call
// comparison. The BEAM writes every term, so both sides start from its
// bytes.
func (b *bench) etf() *Section {
	c := b.theCluster()
	dir := b.tb.TempDir()
	erltest.Eval(b.tb, fmt.Sprintf(`{ok, bench, Beam} = compile:file(%q, [binary]), {module, bench} = code:load_binary(bench, "bench.erl", Beam), bench:main(["write", %q]).`,
		filepath.Join(b.cfg.Root, "etf", "testdata", "bench.erl"), dir), 2*time.Minute)
	b.evalInts(c.driver, fmt.Sprintf("Bench.Driver.write_shapes(%q)", dir))
	files, err := filepath.Glob(filepath.Join(dir, "*.etf"))
	if err != nil || len(files) == 0 {
		b.tb.Fatalf("bench: no corpus in %s: %v", dir, err)
	}
	t := Table{Caption: "Time per term, decoding (binary_to_term) and encoding (term_to_binary)", Keys: []string{"term", "bytes", "op"}, Sides: []string{"creo (Go)", "erl"}, Unit: nanoseconds}
	ms := max(b.size.codecTime.Milliseconds(), 1)
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".etf")
		data, err := os.ReadFile(path)
		if err != nil {
			b.tb.Fatalf("bench: %v", err)
		}
		term, err := etf.Decode(data)
		if err != nil {
			b.tb.Fatalf("bench: decode %s: %v", name, err)
		}
		for _, op := range []struct {
			name string
			run  func() error
		}{
			{"decode", func() error { _, err := etf.Decode(data); return err }},
			{"encode", func() error { _, err := etf.Encode(term); return err }},
		} {
			creo := func() float64 { return b.timePerOp(op.run) }
			erl := func() float64 {
				r := b.evalInts(c.driver, fmt.Sprintf("Bench.Driver.codec(%q, :%s, %d)", path, op.name, ms))
				return float64(r[1]) / float64(r[0])
			}
			creo()
			row := Row{Keys: []string{name, fmt.Sprint(len(data)), op.name}, Values: b.alternate(b.size.rounds, creo, erl)}
			b.logf("etf: %s %s: %s", name, op.name, t.summary(row))
			t.Rows = append(t.Rows, row)
		}
	}
	sec := &Section{Method: etfMethod(b.size), Tables: []Table{t}}
	for _, r := range t.Rows {
		sec.Targets = append(sec.Targets, targetAtMost(fmt.Sprintf("(5) %s %s: time ≤ 1.0× erl's", r.Keys[2], r.Keys[0]), r.ratio(), 1, ratio))
	}
	sec.Charts = []Chart{ratioDots("etf.png", "ETF: creo's time per term over erl's (below 1: creo is faster)", t, 0, 2)}
	return sec
}

// timePerOp runs op over and over for the codec's sample time, in
// batches twice as large each time so that reading the clock costs
// nothing next to the work, and returns the nanoseconds per run.
func (b *bench) timePerOp(op func() error) float64 {
	start := time.Now()
	stop := start.Add(b.size.codecTime)
	ops := 0
	for batch := 1; ; batch *= 2 {
		for range batch {
			if err := op(); err != nil {
				b.tb.Fatalf("bench: %v", err)
			}
		}
		ops += batch
		if now := time.Now(); !now.Before(stop) {
			return float64(now.Sub(start).Nanoseconds()) / float64(ops)
		}
	}
}

func etfMethod(s sizes) string {
	return fmt.Sprintf(`The terms are etf's benchmark corpus, written by etf/testdata/bench.erl (a
gen_server call from a remote node, a 1 MiB binary, a list of 10,000 integers, a map of
100 maps), and the four requests of the call comparison, written by the driver. Both sides
read the bytes the BEAM wrote. creo decodes with etf.Decode (binaries copied, as
binary_to_term copies them) and encodes with etf.Encode (a new slice, as term_to_binary
returns a new binary); erl runs binary_to_term/1 and term_to_binary/1 on the Elixir driver
node. Each sample runs for %v, in batches that double; the figure is the median of %d
rounds.`, s.codecTime, s.rounds)
}
