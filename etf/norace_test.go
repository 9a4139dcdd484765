//go:build !race

package etf

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = false
