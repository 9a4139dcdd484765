package main

import (
	"context"
	"io"
	"slices"
	"testing"

	"github.com/creo-dev/creo/internal/erltest"
)

func TestSamples(t *testing.T) {
	tests := []struct {
		name          string
		s             Samples
		med, min, max float64
	}{
		{name: "one", s: Samples{3}, med: 3, min: 3, max: 3},
		{name: "odd", s: Samples{5, 1, 3}, med: 3, min: 1, max: 5},
		{name: "even", s: Samples{4, 1, 3, 2}, med: 2.5, min: 1, max: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Median(); got != tt.med {
				t.Errorf("Median = %v, want %v", got, tt.med)
			}
			if got := tt.s.Min(); got != tt.min {
				t.Errorf("Min = %v, want %v", got, tt.min)
			}
			if got := tt.s.Max(); got != tt.max {
				t.Errorf("Max = %v, want %v", got, tt.max)
			}
		})
	}
}

// TestAlternate checks the order of the rounds: forwards, then
// backwards.
func TestAlternate(t *testing.T) {
	s := erltest.NewSession(context.Background(), "test", io.Discard)
	b := &bench{tb: s}
	var order []string
	side := func(name string, v float64) func() float64 {
		return func() float64 { order = append(order, name); return v }
	}
	var got []Samples
	if err := s.Run(func() { got = b.alternate(3, side("a", 1), side("b", 2), side("c", 3)) }); err != nil {
		t.Fatal(err)
	}
	if want := []string{"a", "b", "c", "c", "b", "a", "a", "b", "c"}; !slices.Equal(order, want) {
		t.Errorf("ran %v, want %v", order, want)
	}
	for i, s := range got {
		if want := (Samples{float64(i + 1), float64(i + 1), float64(i + 1)}); !slices.Equal(s, want) {
			t.Errorf("side %d: %v, want %v", i, s, want)
		}
	}
}

func TestUnitCell(t *testing.T) {
	tests := []struct {
		name string
		u    unit
		s    Samples
		want string
	}{
		{name: "rate", u: perSecond, s: Samples{1.5e6, 1.2e6, 1.4e6}, want: "1.4M/s (1.2–1.5)"},
		{name: "small rate", u: perSecond, s: Samples{950}, want: "950/s"},
		{name: "duration", u: nanoseconds, s: Samples{3400, 3500}, want: "3.45 µs (3.4–3.5)"},
		{name: "bytes", u: bytesUnit, s: Samples{3 << 30}, want: "3 GiB"},
		{name: "none", u: bytesUnit, want: "–"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.u.cell(tt.s); got != tt.want {
				t.Errorf("cell = %q, want %q", got, tt.want)
			}
		})
	}
}
