package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/creo-dev/creo/internal/erltest"
)

// userHZ is the unit of the CPU times of /proc/PID/stat: clock ticks of
// USER_HZ, which Linux fixes at 100 a second for user space.
const userHZ = 100

// cpuUsage is the CPU time an OS process has used, in user mode and in
// the kernel.
type cpuUsage struct{ user, system time.Duration }

// sub returns the CPU time used between before and c.
func (c cpuUsage) sub(before cpuUsage) cpuUsage {
	return cpuUsage{user: c.user - before.user, system: c.system - before.system}
}

// cpuFigures name, as the node and the time they count, the figures
// cpuPerCall returns, in its order.
var cpuFigures = [][2]string{
	{"driver", "user"},
	{"driver", "system"},
	{"server", "user"},
	{"server", "system"},
	{"both", "user + system"},
}

// cpuPerCall returns the CPU times the driver and the server used over a
// run of calls calls, per call, in nanoseconds, in the order of
// cpuFigures.
func cpuPerCall(driver, server cpuUsage, calls float64) []float64 {
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / calls }
	both := driver.user + driver.system + server.user + server.system
	return []float64{per(driver.user), per(driver.system), per(server.user), per(server.system), per(both)}
}

// processCPU returns the CPU time process pid has used so far, its
// threads' together, living and exited.
func processCPU(pid int) (cpuUsage, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return cpuUsage{}, fmt.Errorf("bench: CPU time of process %d: %w", pid, err)
	}
	c, err := parseStat(string(stat))
	if err != nil {
		return cpuUsage{}, fmt.Errorf("bench: CPU time of process %d: %w", pid, err)
	}
	return c, nil
}

// parseStat reads utime and stime, the 14th and 15th fields of a
// /proc/PID/stat line. The second field, the command in parentheses, may
// hold spaces and parentheses itself, so the fields are counted from the
// last ')'.
func parseStat(stat string) (cpuUsage, error) {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return cpuUsage{}, fmt.Errorf("no command in %q", stat)
	}
	f := strings.Fields(stat[end+1:]) // from the 3rd field, the state
	const utime, stime = 14 - 3, 15 - 3
	if len(f) <= stime {
		return cpuUsage{}, fmt.Errorf("%d fields after the command in %q, want %d or more", len(f), stat, stime+1)
	}
	ticks := func(s string) (time.Duration, error) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("CPU ticks %q in %q", s, stat)
		}
		return time.Duration(n) * time.Second / userHZ, nil
	}
	u, err := ticks(f[utime])
	if err != nil {
		return cpuUsage{}, err
	}
	s, err := ticks(f[stime])
	if err != nil {
		return cpuUsage{}, err
	}
	return cpuUsage{user: u, system: s}, nil
}

// cpuOf returns the CPU times processes pids have used so far, or ends
// the run.
func (b *bench) cpuOf(pids ...int) []cpuUsage {
	times := make([]cpuUsage, len(pids))
	for i, pid := range pids {
		c, err := processCPU(pid)
		if err != nil {
			b.tb.Fatalf("%v", err)
		}
		times[i] = c
	}
	return times
}

// osPid returns the OS process id of the BEAM node n.
func (b *bench) osPid(n *erltest.Node) int {
	ints := b.evalInts(n, "[String.to_integer(System.pid())]")
	if len(ints) != 1 {
		b.tb.Fatalf("bench: %s gave no OS process id", n.Name)
	}
	return int(ints[0])
}
