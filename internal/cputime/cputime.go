// Package cputime reads the CPU time the process has used, for benchmarks
// run on a shared machine: the wall time of an operation swings with the
// machine's other load, its CPU time much less.
package cputime

import (
	"syscall"
	"testing"
	"time"
)

// Used returns the CPU time the process has used so far, user and system,
// or 0 if the system does not say.
func Used() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Report reports to b, as cpu-ns/op, the CPU time the process used per
// operation since start, a reading of [Used]. On a machine of two cores
// 2e9 / cpu-ns/op is the operations a second both can do.
func Report(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(Used()-start)/float64(b.N), "cpu-ns/op")
}
