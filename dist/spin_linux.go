package dist

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A reader that finds its socket empty polls it for up to spinFor before it
// parks on the poller, but only when the last wait for data was that short
// too (its packets come in a stream) and the CPUs are free: tasks waited
// for a CPU for at most maxPressure of the last sampling period, as the
// kernel's pressure stall information tells ("some" total of
// /proc/pressure/cpu, and of the process's cgroup's cpu.pressure), and no
// CPU quota binds the process's cgroup (cgroup_linux.go). A node whose
// Config sets DisableBusyPoll never polls. On loopback a packet is
// delivered in its sender's system call, which also wakes a receiver asleep
// in epoll: an Elixir driver that serves every call on one scheduler, and
// so bounds a 1,000-key map's calls, spent 7.7% of its time in that wake
// (sock_def_readable) against a parked reader, 3.6% against one that polls
// (one profile each); the rest is the waits it still parks for, and the
// runtime's idle thread, asleep in epoll while the reader polls, which each
// packet wakes too. Polling on a core that would be idle spares the peer; polling on a busy machine would take
// the core from it, as a fixed 80 µs spin took a fifth of the CPU-bound
// small tuple's calls, so a reader parks at once while tasks wait for a
// CPU. A connection without traffic polls at most once after its last
// packet and then parks until the next.
const (
	spinFor = 100 * time.Microsecond
	// pressureEvery is how often the pressure is sampled, by whichever
	// reader needs it first; a node whose readers never wait samples none.
	// Sampled every 10 ms, the short dips of a machine busy with small
	// calls let readers poll there too, and took 2–3% of its calls.
	pressureEvery = 40 * time.Millisecond
	// maxPressure is the share of a sampling period tasks may have waited
	// for a CPU while readers still poll. A node whose reader polls makes
	// some of that pressure itself (its other threads wait): at 10%, in
	// 10 ms periods, its readers polled during less than half of a map
	// benchmark; a machine serving small calls at 64 callers is at 45% and
	// more.
	maxPressure = 0.15
	// quotaEvery is how often the CPU quota is read again, at a sample: a
	// quota changes when an operator changes it, and its files cost as
	// much to read as the pressure's (30 of a sample's 90 µs, each file
	// 12 µs on this machine).
	quotaEvery = time.Second
)

// gate is the process's poll gate: whether readers may poll, from the
// last sample of the CPU pressure and quota that count for this process,
// shared by every connection.
var gate = pollGate{root: "/"}

// cpuFree reports whether readers may poll now: see [pollGate.open].
func cpuFree() bool { return gate.open(time.Since(epoch)) }

// epoch is the origin of the gate's times, read from the monotonic clock.
var epoch = time.Now()

// pollGate samples, every pressureEvery, the files that say whether the
// CPUs this process runs on are free (gateFiles).
type pollGate struct {
	root string // where the files are: "/", or a fake root in tests

	next   atomic.Int64 // since epoch, when the next sample is due
	isOpen atomic.Bool  // the last sample let readers poll

	mu       sync.Mutex // held by the reader sampling
	resolved bool       // files is set, once per process
	files    gateFiles
	at       time.Duration
	totals   []int64 // µs some task waited for a CPU, by pressure file, at at
	quotaAt  time.Duration
	quota    bool // a CPU quota bound the cgroup at quotaAt
}

// open reports whether readers may poll at now (since epoch), sampling
// anew when a sample is due: when neither the machine nor the process's
// cgroup had tasks waiting for a CPU more than maxPressure of the last
// period, and no CPU quota binds the cgroup. Without pressure stall
// information (a kernel without CONFIG_PSI) it reports false: readers
// always park.
func (g *pollGate) open(now time.Duration) bool {
	if int64(now) < g.next.Load() || !g.mu.TryLock() {
		return g.isOpen.Load()
	}
	defer g.mu.Unlock()
	if !g.resolved {
		g.files, g.resolved = resolveGateFiles(g.root), true
		g.totals = make([]int64, len(g.files.pressure))
	}
	if g.quotaAt == 0 || now-g.quotaAt >= quotaEvery {
		g.quota, g.quotaAt = g.files.quotaBinds(runtime.NumCPU()), now
	}
	// A sample older than a few periods says nothing of the last one.
	open := g.at > 0 && now-g.at <= 4*pressureEvery && !g.quota
	for i, path := range g.files.pressure {
		b, err := os.ReadFile(path)
		total, ok := stallTotal(b)
		open = open && err == nil && ok &&
			float64(total-g.totals[i])*float64(time.Microsecond) <= maxPressure*float64(now-g.at)
		g.totals[i] = total
	}
	g.at = now
	g.isOpen.Store(open)
	g.next.Store(int64(now + pressureEvery))
	return open
}

// neverPoll makes r, a reader's socket, park as soon as it finds nothing
// to read.
func neverPoll(r io.Reader) {
	if s, ok := r.(*socket); ok {
		s.free = func() bool { return false }
	}
}

// stallTotal returns the "some" line's total of a pressure file: the
// microseconds in which at least one task waited.
func stallTotal(psi []byte) (int64, bool) {
	line, _, _ := bytes.Cut(psi, []byte("\n"))
	if !bytes.HasPrefix(line, []byte("some ")) {
		return 0, false
	}
	_, v, ok := bytes.Cut(line, []byte("total="))
	if !ok {
		return 0, false
	}
	total, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
	return total, err == nil
}

// poll reads fd into p until something arrives, the read fails, or spinFor
// has passed since start; it returns the last read's result (EAGAIN when
// nothing arrived). It does not yield between reads: runtime.Gosched
// wakes an idle P's thread (wakep) each time, which is what the poll is to
// spare; the P is held for spinFor at most, as a short computation would.
func poll(fd uintptr, p []byte, start time.Time) (int, syscall.Errno) {
	for {
		n, errno := rawRead(fd, p)
		if errno != syscall.EAGAIN && errno != syscall.EINTR || time.Since(start) >= spinFor {
			return n, errno
		}
	}
}
