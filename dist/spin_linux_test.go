package dist

import (
	"bytes"
	"fmt"
	"math"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func TestStallTotal(t *testing.T) {
	for _, tc := range []struct {
		name  string
		psi   string
		total int64
		ok    bool
	}{
		{name: "a kernel's cpu file", psi: "some avg10=0.52 avg60=5.83 avg300=12.11 total=17687193566\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", total: 17687193566, ok: true},
		{name: "the some line alone, without a newline", psi: "some avg10=0.00 avg60=0.00 avg300=0.00 total=42", total: 42, ok: true},
		{name: "a first line that is not some", psi: "full avg10=0.00 avg60=0.00 avg300=0.00 total=7\nsome total=3\n"},
		{name: "no total", psi: "some avg10=0.52 avg60=5.83 avg300=12.11\n"},
		{name: "a total that is not a number", psi: "some avg10=0.52 total=many\n"},
		{name: "an empty file", psi: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			total, ok := stallTotal([]byte(tc.psi))
			if total != tc.total || ok != tc.ok {
				t.Fatalf("stallTotal = %d, %v; want %d, %v", total, ok, tc.total, tc.ok)
			}
		})
	}
}

// cpuTime returns the CPU time this process has used.
func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestSocketPoll(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, s *socket, peer *socket)
	}{
		{name: "what arrives while the reader polls is read whole and in order", run: func(t *testing.T, s, peer *socket) {
			want := bytes.Repeat([]byte("packet"), 1000)
			go func() {
				for i := 0; i < len(want); i += 600 {
					peer.Write(want[i:min(i+600, len(want))])
				}
			}()
			got := make([]byte, 0, len(want))
			buf := make([]byte, 4096)
			for len(got) < len(want) {
				n, err := s.Read(buf)
				if err != nil {
					t.Fatalf("read after %d bytes: %v", len(got), err)
				}
				got = append(got, buf[:n]...)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("the bytes read are not the bytes written")
			}
		}},
		{name: "a connection without traffic parks its reader, which then waits without polling", run: func(t *testing.T, s, peer *socket) {
			read := make(chan error, 1)
			go func() {
				_, err := s.Read(make([]byte, 16))
				read <- err
			}()
			time.Sleep(20 * time.Millisecond) // more than the one poll
			before := cpuTime(t)
			const idle = 200 * time.Millisecond
			time.Sleep(idle)
			// A reader that polled on would take the whole period.
			if used := cpuTime(t) - before; used > idle/4 {
				t.Fatalf("the process used %v of CPU in %v without traffic", used, idle)
			}
			if _, err := peer.Write([]byte("late")); err != nil {
				t.Fatal(err)
			}
			if err := <-read; err != nil {
				t.Fatalf("read: %v", err)
			}
			if s.quick {
				t.Fatal("a wait of the whole period counts as quick: the next wait would poll")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dialed, accepted := socketPair(t)
			r, _ := newSocket(accepted)
			s := r.(*socket)
			s.quick = true
			s.free = func() bool { return true }
			_, w := newSocket(dialed)
			tc.run(t, s, w.(*socket))
		})
	}
}

func TestPollGate(t *testing.T) {
	const period = pressureEvery
	psi := func(total int64) string {
		return fmt.Sprintf("some avg10=0.00 avg60=0.00 avg300=0.00 total=%d\n", total)
	}
	// A period's share of 15% is 6 ms: 6000 µs of "some".
	for _, tc := range []struct {
		name    string
		machine [2]int64 // the machine's "some" total at the two samples, µs
		cgroup  [2]int64 // the cgroup's
		files   map[string]string
		open    bool
	}{
		{name: "both low", machine: [2]int64{1000, 3000}, cgroup: [2]int64{500, 1500}, open: true},
		{name: "the machine busy", machine: [2]int64{1000, 11000}, cgroup: [2]int64{500, 1500}},
		{name: "the cgroup throttled or busy", machine: [2]int64{1000, 3000}, cgroup: [2]int64{500, 10500}},
		{name: "a quota that binds", machine: [2]int64{1000, 1000}, cgroup: [2]int64{500, 500},
			files: map[string]string{"sys/fs/cgroup/a/cpu.max": "50000 100000\n"}},
		{name: "a quota of more CPUs than the machine has", machine: [2]int64{1000, 1000}, cgroup: [2]int64{500, 500},
			files: map[string]string{"sys/fs/cgroup/a/cpu.max": fmt.Sprintf("%d 100000\n", 100000*(runtime.NumCPU()+1))}, open: true},
		{name: "no limit", machine: [2]int64{1000, 1000}, cgroup: [2]int64{500, 500},
			files: map[string]string{"sys/fs/cgroup/a/cpu.max": "max 100000\n"}, open: true},
		{name: "no machine pressure file", machine: [2]int64{-1, -1}, cgroup: [2]int64{500, 500}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			files := map[string]string{
				"proc/self/cgroup": "0::/a/b\n", "proc/self/mountinfo": fakeMountinfo,
			}
			for path, content := range tc.files {
				files[path] = content
			}
			write := func(i int) {
				f := map[string]string{"sys/fs/cgroup/a/b/cpu.pressure": psi(tc.cgroup[i])}
				if tc.machine[i] >= 0 {
					f["proc/pressure/cpu"] = psi(tc.machine[i])
				}
				writeFiles(t, root, f)
			}
			writeFiles(t, root, files)
			g := &pollGate{root: root}
			write(0)
			if g.open(period) {
				t.Fatal("the first sample opened the gate: it has no period to judge")
			}
			write(1)
			if got := g.open(period / 2); got {
				t.Fatal("the gate sampled again before its period ended")
			}
			if got := g.open(2 * period); got != tc.open {
				t.Fatalf("open after a period = %v; want %v", got, tc.open)
			}
			if tc.open && g.open(7*period) {
				t.Fatal("a sample after a silence of 5 periods opened the gate")
			}
		})
	}
}

// TestPollGateQuotaSetLater: a quota set while the gate is open closes
// it within quotaEvery.
func TestPollGateQuotaSetLater(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"proc/self/cgroup": "0::/a\n", "proc/self/mountinfo": fakeMountinfo,
		"proc/pressure/cpu": fakePSI, "sys/fs/cgroup/a/cpu.max": "max 100000\n",
	})
	g := &pollGate{root: root}
	g.open(pressureEvery)
	if !g.open(2 * pressureEvery) {
		t.Fatal("the gate is closed without pressure or quota")
	}
	writeFiles(t, root, map[string]string{"sys/fs/cgroup/a/cpu.max": "50000 100000\n"})
	now := 2 * pressureEvery
	for ; now <= 2*pressureEvery+quotaEvery; now += pressureEvery {
		g.open(now)
	}
	if g.open(now) {
		t.Fatalf("the gate is open %v after a quota was set", now-2*pressureEvery)
	}
}

func TestDisableBusyPoll(t *testing.T) {
	// The gate, open for this test, lets every reader that may poll do so.
	gate.isOpen.Store(true)
	gate.next.Store(math.MaxInt64)
	t.Cleanup(func() { gate.next.Store(0) })
	for _, tc := range []struct {
		name    string
		disable bool
		polls   bool
	}{
		{name: "by default a reader polls while the gate is open", polls: true},
		{name: "disabled, a reader never polls", disable: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Name: "a@127.0.0.1", Creation: 1, Handler: func(*Conn, Control) {}, DisableBusyPoll: tc.disable}
			s, err := cfg.settings()
			if err != nil {
				t.Fatal(err)
			}
			_, accepted := socketPair(t)
			r, _ := s.newSocket(accepted)
			// A reader polls when its last wait was short and free says so.
			if polls := r.(*socket).free(); polls != tc.polls {
				t.Fatalf("the reader's gate says %v; want %v", polls, tc.polls)
			}
		})
	}
}
