//go:build race

package etf

// raceEnabled reports whether the tests run under the race detector, which
// drops a quarter of what a sync.Pool is given and so changes what
// decoding allocates.
const raceEnabled = true
