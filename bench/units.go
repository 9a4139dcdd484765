package main

import (
	"fmt"
	"math"
)

// unit says how a figure is written.
type unit uint8

const (
	perSecond unit = iota
	nanoseconds
	bytesUnit
	ratio
)

// scale returns the divisor and the suffix that write v readably in u.
func (u unit) scale(v float64) (float64, string) {
	steps := map[unit][]struct {
		div    float64
		suffix string
	}{
		perSecond:   {{1, "/s"}, {1e3, "k/s"}, {1e6, "M/s"}, {1e9, "G/s"}},
		nanoseconds: {{1, " ns"}, {1e3, " µs"}, {1e6, " ms"}, {1e9, " s"}},
		bytesUnit:   {{1, " B"}, {1 << 10, " KiB"}, {1 << 20, " MiB"}, {1 << 30, " GiB"}},
		ratio:       {{1, "×"}},
	}[u]
	s := steps[0]
	for _, st := range steps[1:] {
		if math.Abs(v) >= st.div {
			s = st
		}
	}
	return s.div, s.suffix
}

// format writes v with three significant digits.
func (u unit) format(v float64) string {
	div, suffix := u.scale(v)
	if u == ratio {
		return fmt.Sprintf("%.2f%s", v, suffix)
	}
	return fmt.Sprintf("%.3g%s", v/div, suffix)
}

// cell writes the median of s, and its range in the same scale.
func (u unit) cell(s Samples) string {
	if len(s) == 0 {
		return "–"
	}
	med := s.Median()
	div, suffix := u.scale(med)
	if len(s) == 1 {
		return u.format(med)
	}
	return fmt.Sprintf("%.3g%s (%.3g–%.3g)", med/div, suffix, s.Min()/div, s.Max()/div)
}
