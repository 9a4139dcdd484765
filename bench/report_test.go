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
