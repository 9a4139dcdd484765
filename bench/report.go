package main

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Report is what one run measured, as BENCHMARKS.md shows it.
type Report struct {
	Machine           Machine
	Versions          [][2]string
	Started, Finished time.Time
	Quick             bool
	Rounds            int
	Sections          []*Section
}

// Section is one comparison's part of the report.
type Section struct {
	Key, Title string
	// Method says how the figures were measured (Markdown).
	Method  string
	Tables  []Table
	Charts  []Chart
	Targets []Target
}

// Table shows figures measured for several sides in alternating rounds.
// The first side is creo's, the last the baseline, and the last column is
// their ratio.
type Table struct {
	Caption string
	Keys    []string // the headers of the columns that name a row
	Sides   []string
	Unit    unit
	Rows    []Row
}

// Row is one line of a Table: its keys, and the samples of each side.
type Row struct {
	Keys   []string
	Values []Samples
}

// ratio is the median of creo's side over the baseline's.
func (r Row) ratio() float64 {
	return r.Values[0].Median() / r.Values[len(r.Values)-1].Median()
}

// ratioCell writes the row's ratio, or "n/a" when the baseline's median
// is zero: a CPU time shorter than the tick /proc counts it in reads zero.
func (r Row) ratioCell() string {
	if r.Values[len(r.Values)-1].Median() == 0 {
		return "n/a"
	}
	return ratio.format(r.ratio())
}

// summary writes a row's medians on one line, for progress.
func (t Table) summary(r Row) string {
	var parts []string
	for i, side := range t.Sides {
		parts = append(parts, side+" "+t.Unit.format(r.Values[i].Median()))
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" (%s)", ratio.format(r.ratio()))
}

// Target is one of the targets and whether the run met it.
type Target struct {
	Goal string
	Got  string
	Met  bool
}

// targetAtLeast is the target that got, in unit u, be at least limit.
func targetAtLeast(goal string, got, limit float64, u unit) Target {
	return Target{Goal: goal, Got: u.format(got), Met: got >= limit}
}

// targetAtMost is the target that got, in unit u, be at most limit.
func targetAtMost(goal string, got, limit float64, u unit) Target {
	return Target{Goal: goal, Got: u.format(got), Met: got <= limit}
}

// Chart is a PNG chart of the report, drawn into its file when the
// report is written.
type Chart struct {
	File, Caption string
	draw          func(path string) error
}

// notes hold, per comparison key, what the figures show and what bounds
// a missed target, with the measurements that show it: written by hand
// from profiles, and kept beside the code that measures.
//
//go:embed notes
var notes embed.FS

func (rep *Report) chartCount() int {
	n := 0
	for _, s := range rep.Sections {
		n += len(s.Charts)
	}
	return n
}

// write writes the report to out and its charts into chartsDir.
func (rep *Report) write(out, chartsDir string) error {
	if err := os.MkdirAll(chartsDir, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	rel, err := filepath.Rel(filepath.Dir(out), chartsDir)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	for _, s := range rep.Sections {
		for _, c := range s.Charts {
			if err := c.draw(filepath.Join(chartsDir, c.File)); err != nil {
				return fmt.Errorf("bench: chart %s: %w", c.File, err)
			}
		}
	}
	var buf bytes.Buffer
	rep.markdown(&buf, filepath.ToSlash(rel))
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	return nil
}

// markdown writes the report, its charts linked from chartsDir.
func (rep *Report) markdown(w *bytes.Buffer, chartsDir string) {
	w.WriteString("# creo benchmarks\n\n")
	fmt.Fprintf(w, "Written by `go run ./bench` on %s, in %s. Do not edit: run it again.\n",
		rep.Started.UTC().Format("2006-01-02 15:04 MST"), rep.Finished.Sub(rep.Started).Round(time.Second))
	if rep.Quick {
		w.WriteString("\n**Quick mode: tiny counts, to check that the harness runs. These figures mean nothing.**\n")
	}
	w.WriteString("\nEvery figure is the median of the rounds, with the range (min–max) in parentheses. " +
		"The two sides of a comparison run in the same run, in rounds that alternate between them, " +
		"because the machine is shared and its load comes and goes. Ratios are creo's median over the baseline's.\n\n")
	w.WriteString("## Machine\n\n| | |\n| --- | --- |\n")
	m := rep.Machine
	for _, kv := range [][2]string{
		{"CPU", fmt.Sprintf("%s, %d cores", m.CPU, m.Cores)},
		{"Memory", m.Memory},
		{"OS", m.OS},
		{"Load average (1, 5, 15 min) at start", m.LoadStart},
		{"Load average at end", m.LoadEnd},
		{"Rounds", fmt.Sprint(rep.Rounds)},
	} {
		fmt.Fprintf(w, "| %s | %s |\n", kv[0], kv[1])
	}
	for _, kv := range rep.Versions {
		fmt.Fprintf(w, "| %s | %s |\n", kv[0], kv[1])
	}
	w.WriteString("\n## Targets\n\n| target | measured | met |\n| --- | --- | --- |\n")
	for _, s := range rep.Sections {
		for _, t := range s.Targets {
			writeTarget(w, t)
		}
	}
	writeNote(w, "targets")
	for i, s := range rep.Sections {
		fmt.Fprintf(w, "\n## %d. %s\n\n%s\n", i+1, s.Title, s.Method)
		for _, t := range s.Tables {
			t.markdown(w)
		}
		for _, c := range s.Charts {
			fmt.Fprintf(w, "\n![%s](%s/%s)\n", c.Caption, chartsDir, c.File)
		}
		if len(s.Targets) > 0 {
			w.WriteString("\n### Targets\n\n| target | measured | met |\n| --- | --- | --- |\n")
			for _, t := range s.Targets {
				writeTarget(w, t)
			}
		}
		writeNote(w, s.Key)
	}
}

// writeNote writes the note named key, if there is one.
func writeNote(w *bytes.Buffer, key string) {
	if text, err := fs.ReadFile(notes, "notes/"+key+".md"); err == nil {
		fmt.Fprintf(w, "\n%s", text)
	}
}

func writeTarget(w *bytes.Buffer, t Target) {
	met := "**no**"
	if t.Met {
		met = "yes"
	}
	fmt.Fprintf(w, "| %s | %s | %s |\n", t.Goal, t.Got, met)
}

func (t Table) markdown(w *bytes.Buffer) {
	fmt.Fprintf(w, "\n### %s\n\n|", t.Caption)
	for _, k := range t.Keys {
		fmt.Fprintf(w, " %s |", k)
	}
	for _, s := range t.Sides {
		fmt.Fprintf(w, " %s |", s)
	}
	fmt.Fprintf(w, " %s / %s |\n|", t.Sides[0], t.Sides[len(t.Sides)-1])
	for range len(t.Keys) + len(t.Sides) + 1 {
		w.WriteString(" --- |")
	}
	w.WriteString("\n")
	for _, r := range t.Rows {
		w.WriteString("|")
		for _, k := range r.Keys {
			fmt.Fprintf(w, " %s |", k)
		}
		for _, s := range r.Values {
			fmt.Fprintf(w, " %s |", t.Unit.cell(s))
		}
		fmt.Fprintf(w, " %s |\n", r.ratioCell())
	}
}
