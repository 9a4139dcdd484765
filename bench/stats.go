package main

import "slices"

// Samples are the values one figure took, one per round.
type Samples []float64

// Median returns the middle value, or the mean of the two middle ones.
func (s Samples) Median() float64 {
	if len(s) == 0 {
		return 0
	}
	sorted := slices.Sorted(slices.Values(s))
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[mid]
	}
	return (sorted[mid-1] + sorted[mid]) / 2
}

// Min returns the smallest value.
func (s Samples) Min() float64 { return slices.Min(s) }

// Max returns the largest value.
func (s Samples) Max() float64 { return slices.Max(s) }

// alternate measures each side once per round, for rounds rounds, and
// returns each side's samples. The order alternates, forwards in even
// rounds and backwards in odd ones, so that no side always runs right
// after the same other one: on a shared machine, load that comes and goes
// then falls on every side alike.
func (b *bench) alternate(rounds int, sides ...func() float64) []Samples {
	multi := make([]func() []float64, len(sides))
	for i, f := range sides {
		multi[i] = func() []float64 { return []float64{f()} }
	}
	return b.alternateFigures(rounds, multi...)[0]
}

// alternateFigures is alternate for sides that each measure several
// figures at once; it returns the samples by figure, then by side.
func (b *bench) alternateFigures(rounds int, sides ...func() []float64) [][]Samples {
	var figures [][]Samples
	for r := range rounds {
		for i := range sides {
			b.checkInterrupt()
			if r%2 == 1 {
				i = len(sides) - 1 - i
			}
			for f, v := range sides[i]() {
				if f == len(figures) {
					figures = append(figures, make([]Samples, len(sides)))
				}
				figures[f][i] = append(figures[f][i], v)
			}
		}
	}
	return figures
}
