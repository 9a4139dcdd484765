package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestTableMarkdown checks the last column, the ratio of the first side to
// the last, also when the last measured zero.
func TestTableMarkdown(t *testing.T) {
	tests := []struct {
		name   string
		values []Samples
		want   string
	}{
		{name: "ratio", values: []Samples{{2, 4, 6}, {2}}, want: "| a | 4 ns (2–6) | 2 ns | 2.00× |"},
		{name: "zero baseline", values: []Samples{{5}, {0, 0}}, want: "| a | 5 ns | 0 ns (0–0) | n/a |"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table := Table{Caption: "c", Keys: []string{"k"}, Sides: []string{"x", "y"}, Unit: nanoseconds,
				Rows: []Row{{Keys: []string{"a"}, Values: tt.values}}}
			var w bytes.Buffer
			table.markdown(&w)
			lines := strings.Split(strings.TrimSpace(w.String()), "\n")
			if got := lines[len(lines)-1]; got != tt.want {
				t.Errorf("row %q, want %q", got, tt.want)
			}
		})
	}
}

// TestReportNotes checks that each note is shown where it belongs: the
// summary of the targets under the table of all targets, a comparison's
// analysis at the end of its section.
func TestReportNotes(t *testing.T) {
	rep := Report{Rounds: 1, Sections: []*Section{
		{Key: "calls", Title: "Calls", Targets: []Target{{Goal: "g", Got: "1", Met: true}}},
		{Key: "etf", Title: "ETF"},
	}}
	var w bytes.Buffer
	rep.markdown(&w, "charts")
	out := w.String()
	for _, tt := range []struct {
		note, after, before string
	}{
		{note: "targets", after: "## Targets", before: "## 1. Calls"},
		{note: "calls", after: "## 1. Calls", before: "## 2. ETF"},
		{note: "etf", after: "## 2. ETF", before: ""},
	} {
		text, err := notes.ReadFile("notes/" + tt.note + ".md")
		if err != nil {
			t.Fatalf("note %s: %v", tt.note, err)
		}
		at := strings.Index(out, string(text))
		if at < 0 {
			t.Fatalf("note %s is not in the report", tt.note)
		}
		if strings.Index(out, tt.after) > at || tt.before != "" && strings.Index(out, tt.before) < at {
			t.Errorf("note %s is not between %q and %q", tt.note, tt.after, tt.before)
		}
	}
}
