package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/creo-dev/creo/internal/erltest"
)

func TestMain(m *testing.M) {
	if req, ok := childRequested(); ok {
		os.Exit(runChild(req, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestQuick runs every comparison with tiny counts, as `go run ./bench
// -quick` does, and checks the report is whole: every comparison with its
// tables filled, the targets, and every chart a PNG. It asserts nothing
// about speed.
func TestQuick(t *testing.T) {
	erltest.Elixir(t)
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := Config{Root: root, Out: filepath.Join(dir, "BENCHMARKS.md"), Charts: filepath.Join(dir, "charts"), Quick: true}
	rep := measure(t, cfg, t.Output())
	if err := rep.write(cfg.Out, cfg.Charts); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range comparisons {
		if heading := "\n## " + string(rune('1'+i)) + ". " + c.title + "\n"; !bytes.Contains(md, []byte(heading)) {
			t.Errorf("no section %q", heading)
		}
	}
	for _, s := range rep.Sections {
		if len(s.Tables) == 0 || len(s.Targets) == 0 || len(s.Charts) == 0 {
			t.Errorf("%s: %d tables, %d targets, %d charts", s.Key, len(s.Tables), len(s.Targets), len(s.Charts))
		}
		for _, tb := range s.Tables {
			for _, r := range tb.Rows {
				for i, v := range r.Values {
					if len(v) != rep.Rounds {
						t.Errorf("%s: %s, %v: %s has %d samples, want one a round (%d)", s.Key, tb.Caption, r.Keys, tb.Sides[i], len(v), rep.Rounds)
					}
				}
			}
		}
		for _, c := range s.Charts {
			if !bytes.Contains(md, []byte("(charts/"+c.File+")")) {
				t.Errorf("the report does not link charts/%s", c.File)
			}
			checkPNG(t, filepath.Join(cfg.Charts, c.File))
		}
	}
	// Every row of every table has a cell per side and a ratio.
	row := regexp.MustCompile(`(?m)^\|.*\|$`)
	for _, line := range row.FindAllString(string(md), -1) {
		if strings.Contains(line, "NaN") || strings.Contains(line, "Inf") || strings.Contains(line, "| – |") {
			t.Errorf("a row with a missing figure: %s", line)
		}
	}
	targets := strings.Count(string(md), "| (")
	if want := 2 * len(allTargets(rep)); targets != want { // in the summary and in their section
		t.Errorf("%d target rows, want %d", targets, want)
	}
}

func allTargets(rep *Report) []Target {
	var ts []Target
	for _, s := range rep.Sections {
		ts = append(ts, s.Targets...)
	}
	return ts
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 200 {
		t.Errorf("%s is %v, too small to read", path, b)
	}
}
