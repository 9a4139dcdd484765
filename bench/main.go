package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creo-dev/creo/internal/erltest"
)

func main() {
	if req, ok := childRequested(); ok {
		os.Exit(runChild(req, os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses the command line, measures, and writes the report.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s := erltest.NewSession(ctx, "bench", stderr)
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	var rep *Report
	if err := s.Run(func() { rep = measure(s, cfg, stderr) }); err != nil {
		// The session has logged why.
		fmt.Fprintln(stderr, "bench: stopped; no report written")
		return 1
	}
	if err := rep.write(cfg.Out, cfg.Charts); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s and %d charts in %s\n", cfg.Out, rep.chartCount(), cfg.Charts)
	return 0
}

// Config says what to measure and where the report goes.
type Config struct {
	// Root is the module's directory: guests are built from there.
	Root string
	// Out is the report's path; Charts the directory of its PNG charts.
	Out, Charts string
	// Only lists the comparisons to run, by key; empty runs them all.
	Only []string
	// Quick measures with tiny counts, to check that everything runs.
	Quick bool
	// Rounds is how many times each side of a comparison is measured.
	Rounds int
	// CPUProfile is a file to write a CPU profile of the whole run to.
	CPUProfile string
}

func parseFlags(args []string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go run ./bench [flags]\n\n"+
			"Measures creo beside the BEAM and writes BENCHMARKS.md and its charts.\n"+
			"Comparisons: %s.\n\n", strings.Join(comparisonKeys(), ", "))
		fs.PrintDefaults()
	}
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return Config{}, err
	}
	cfg := Config{Root: root}
	fs.StringVar(&cfg.Out, "out", filepath.Join(root, "BENCHMARKS.md"), "the report to write")
	fs.StringVar(&cfg.Charts, "charts", filepath.Join(root, "bench", "charts"), "the directory of the report's charts")
	only := fs.String("only", "", "comma-separated comparisons to run (default all)")
	fs.BoolVar(&cfg.Quick, "quick", false, "tiny counts: check the harness runs, measure nothing worth reading")
	fs.IntVar(&cfg.Rounds, "rounds", 0, "rounds per comparison (default 5, or 2 with -quick)")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the run (this process) to `file`")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if *only != "" {
		cfg.Only = strings.Split(*only, ",")
		for _, k := range cfg.Only {
			if !slices.Contains(comparisonKeys(), k) {
				err := fmt.Errorf("bench: no comparison %q; there are %s", k, strings.Join(comparisonKeys(), ", "))
				fmt.Fprintln(stderr, err)
				return Config{}, err
			}
		}
	}
	return cfg, nil
}

// moduleRoot returns the directory of the go.mod above the working
// directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("bench: no go.mod above the working directory; run it inside the creo module")
		}
		dir = parent
	}
}

// bench is one run of the harness: what every comparison shares.
type bench struct {
	tb       testing.TB
	cfg      Config
	size     sizes
	progress io.Writer
	start    time.Time
	// Started by the first comparison that needs them:
	epmdAddr string
	cluster  *cluster
	guests   map[string][]byte // built guests, by name
}

// measure runs the comparisons cfg asks for and returns the report.
func measure(tb testing.TB, cfg Config, progress io.Writer) *Report {
	b := &bench{tb: tb, cfg: cfg, size: sizesFor(cfg), progress: progress, start: time.Now()}
	rep := &Report{Quick: cfg.Quick, Rounds: b.size.rounds, Started: time.Now(), Machine: readMachine()}
	for _, c := range comparisons {
		if len(cfg.Only) > 0 && !slices.Contains(cfg.Only, c.key) {
			continue
		}
		b.logf("%s: %s", c.key, c.title)
		sec := c.run(b)
		sec.Key, sec.Title = c.key, c.title
		rep.Sections = append(rep.Sections, sec)
	}
	rep.Finished = time.Now()
	rep.Machine.LoadEnd = loadAverage()
	rep.Versions = b.versions()
	return rep
}

// logf prints a line of progress.
func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.progress, "bench %5.1fs: "+format+"\n", append([]any{time.Since(b.start).Seconds()}, args...)...)
}

// checkInterrupt ends the run, its cleanups running, once it is
// interrupted (Ctrl-C).
func (b *bench) checkInterrupt() {
	if err := b.tb.Context().Err(); err != nil {
		b.tb.Fatalf("bench: interrupted")
	}
}
