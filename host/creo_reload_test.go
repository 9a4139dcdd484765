package host

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

// loadRun is what one caller of TestManagerReloadUnderLoad saw.
type loadRun struct {
	casts   int
	replies []etf.Term // to get, in order
	err     error
}

// startLoad starts a process that, from the moment it gets go, casts inc
// to the server to and calls get, round after round, from one pid so that
// each call comes after its cast; it counts rounds in rounds, and does
// after more rounds once reloaded is set, then reports on done.
func startLoad(t testing.TB, n *Node, to etf.Term, rounds *atomic.Int64, reloaded *atomic.Bool, after int, done chan<- loadRun) etf.Pid {
	t.Helper()
	pid, err := n.Start(&fake{info: func(p *Process, _, state etf.Term) Result {
		var run loadRun
		for left := after; left > 0; {
			p.Cast(to, etf.Atom("inc"))
			run.casts++
			reply, err := p.Call(ctx(t), to, etf.Atom("get"), wait)
			if err != nil {
				run.err = err
				break
			}
			run.replies = append(run.replies, decoded(reply))
			rounds.Add(1)
			if reloaded.Load() {
				left--
			}
		}
		done <- run
		return Stop(Normal, state)
	}}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// TestManagerReloadUnderLoad reloads a counter to counter_v2 while
// callers cast and call it: no call fails, no cast is lost, each caller's
// requests are handled in its order, and each sees v1 then v2, never
// back.
func TestManagerReloadUnderLoad(t *testing.T) {
	const callers, after = 4, 100
	mn := startManagerNode(t, t.TempDir(), ManagerConfig{})
	mn.deploy(t, "c", "counter", etf.Int(0))
	v2 := wasmGuest(t, "counter_v2")
	var rounds atomic.Int64
	var reloaded atomic.Bool
	done := make(chan loadRun, callers)
	for range callers {
		pid := startLoad(t, mn.n, etf.Atom("c"), &rounds, &reloaded, after, done)
		mn.n.Send(pid, etf.Atom("go"))
	}
	eventually(t, "the callers are under way", func() bool { return rounds.Load() >= callers*after })
	if err := mn.m.Reload(ctx(t), "c", v2); err != nil {
		t.Fatalf("reload under load: %v", err)
	}
	reloaded.Store(true)

	casts, sawV1, sawV2 := 0, false, false
	for i := range callers {
		var run loadRun
		select {
		case run = <-done:
		case <-time.After(wait):
			t.Fatalf("caller %d did not finish", i)
		}
		if run.err != nil {
			t.Errorf("caller %d: a call failed: %v", i, run.err)
		}
		casts += run.casts
		last, onV2 := int64(-1), false
		for j, r := range run.replies {
			n, v2, err := counterValue(r)
			if err != nil {
				t.Fatalf("caller %d reply %d: %v", i, j, err)
			}
			if n <= last {
				t.Errorf("caller %d reply %d: %d after %d: its cast was handled after its call", i, j, n, last)
			}
			if onV2 && !v2 {
				t.Errorf("caller %d reply %d: v1 after v2", i, j)
			}
			last, onV2 = n, onV2 || v2
			sawV1, sawV2 = sawV1 || !v2, sawV2 || v2
		}
	}
	if !sawV1 || !sawV2 {
		t.Errorf("replies from v1: %v, from v2: %v; the reload did not happen under load", sawV1, sawV2)
	}
	if got := callWasm(t, mn.n, etf.Atom("c"), etf.Atom("get")); !etf.Equal(got, etf.Tuple{etf.Atom("v2"), etf.Int(casts)}) {
		t.Errorf("count after %d casts = %s: casts were lost", casts, etf.Format(got))
	}
}

// counterValue reads a counter's reply to get: N from v1, {v2, N} from v2.
func counterValue(t etf.Term) (n int64, v2 bool, err error) {
	switch r := t.(type) {
	case etf.Int:
		return int64(r), false, nil
	case etf.Tuple:
		if len(r) == 2 && r[0] == etf.Atom("v2") {
			if n, ok := r[1].(etf.Int); ok {
				return int64(n), true, nil
			}
		}
	}
	return 0, false, fmt.Errorf("%s is not a counter's reply to get", etf.Format(t))
}

// TestManagerReloadAll moves many servers of one module at once, and
// leaves the one whose name is unknown listed as failed.
func TestManagerReloadAll(t *testing.T) {
	mn := startManagerNode(t, t.TempDir(), ManagerConfig{})
	counter, v2 := wasmGuest(t, "counter"), wasmGuest(t, "counter_v2")
	var names []etf.Atom
	for i := range 20 {
		name := etf.Atom(fmt.Sprintf("c%d", i))
		mn.deploy(t, name, "counter", etf.Int(i))
		names = append(names, name)
	}
	// Named twice, c0 still moves once, and counter's module, which no
	// server runs after, is deleted.
	err := mn.m.ReloadAll(ctx(t), append(names, "nobody", "c0"), v2)
	want := &ManagerError{Reason: etf.List{etf.Tuple{etf.Atom("nobody"), etf.Atom("not_found")}}}
	if !errors.Is(err, want) {
		t.Fatalf("ReloadAll = %v, want %v", err, want)
	}
	for i, name := range names {
		if got := callWasm(t, mn.n, name, etf.Atom("get")); !etf.Equal(got, etf.Tuple{etf.Atom("v2"), etf.Int(i)}) {
			t.Errorf("%s after the reload: %s", name, etf.Format(got))
		}
	}
	entries, _ := mn.m.store.readManifest()
	for _, e := range entries {
		if e.Vsn != moduleVsn(v2) {
			t.Errorf("the manifest has %s on %.12s, want v2", e.Name, e.Vsn)
		}
	}
	if _, err := mn.m.store.get(moduleVsn(counter)); err == nil {
		t.Error("counter's module is still on disk though no server runs it")
	}
	mn.m.mu.Lock()
	users := mn.m.modules[moduleVsn(v2)]
	mn.m.mu.Unlock()
	if users != len(names) {
		t.Errorf("v2's module has %d users, want %d: one per server, so that it goes when they do", users, len(names))
	}
}

// TestRunJobs checks that runJobs runs first once for every job and later
// once for every job first did not finish, after it. That later waits until
// no job is left to start is not checked here: a worker takes a job before
// it starts it, so no count kept by first can tell when the last was taken.
func TestRunJobs(t *testing.T) {
	tests := []struct {
		name  string
		jobs  int
		aside func(i int) bool
	}{
		{"one job, done", 1, func(int) bool { return false }},
		{"one job, set aside", 1, func(int) bool { return true }},
		{"none set aside", 1000, func(int) bool { return false }},
		{"some set aside", 1000, func(i int) bool { return i%97 == 0 }},
		{"the last set aside", 1000, func(i int) bool { return i == 999 }},
		{"all set aside", 1000, func(int) bool { return true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jobs := make([]reloadJob, tt.jobs)
			index := map[*reloadJob]int{}
			for i := range jobs {
				index[&jobs[i]] = i
			}
			firsts := make([]atomic.Int32, tt.jobs)
			laters := make([]atomic.Int32, tt.jobs)
			var early atomic.Bool
			runJobs(jobs,
				func(j *reloadJob) bool {
					i := index[j]
					firsts[i].Add(1)
					return !tt.aside(i)
				},
				func(j *reloadJob) {
					if firsts[index[j]].Load() != 1 {
						early.Store(true)
					}
					laters[index[j]].Add(1)
				})
			if early.Load() {
				t.Error("a job set aside ran again before its first run")
			}
			for i := range jobs {
				want := int32(0)
				if tt.aside(i) {
					want = 1
				}
				if f, l := firsts[i].Load(), laters[i].Load(); f != 1 || l != want {
					t.Errorf("job %d: first ran %d times, later %d; want 1 and %d", i, f, l, want)
				}
			}
		})
	}
}
