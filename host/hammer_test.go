package host

import (
	"sync"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// TestHammerCalls makes many goroutines call one server at once: every
// call gets its own reply.
func TestHammerCalls(t *testing.T) {
	n := testNode(t)
	pid, err := n.Start(counter{}, etf.Int(0), Options{})
	if err != nil {
		t.Fatal(err)
	}
	const callers, calls = 8, 200
	var wg sync.WaitGroup
	seen := make([]bool, callers*calls)
	var mu sync.Mutex
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				got, err := n.Call(ctx(t), pid, etf.Atom("next"), Infinity)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if seen[got.(etf.Int)] {
					t.Errorf("reply %v twice", got)
				}
				seen[got.(etf.Int)] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// TestHammerExits links and monitors processes to each other while they
// die: every monitor fires exactly once, with the reason of the process it
// watched, and nothing deadlocks.
func TestHammerExits(t *testing.T) {
	n := testNode(t)
	const targets, watchersPer = 50, 8
	var pids []etf.Pid
	for range targets {
		pids = append(pids, startProbe(t, n, nil).pid)
	}
	type watched struct {
		pr  *probe
		ref etf.Ref
	}
	var mu sync.Mutex
	var ws []watched
	var wg sync.WaitGroup
	for i, target := range pids {
		for range watchersPer {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var ref etf.Ref
				pr := startProbe(t, n, func(p *Process) {
					p.TrapExit(true)
					ref, _ = p.Monitor(target)
					// Trapping, a link to a dead target gives
					// {'EXIT', Pid, noproc} rather than failing.
					_ = p.Link(target)
				})
				mu.Lock()
				ws = append(ws, watched{pr, ref})
				mu.Unlock()
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.Exit(target, etf.Int(i))
		}()
	}
	wg.Wait()
	for _, w := range ws {
		var downs int
		for downs == 0 {
			m := w.pr.recv(t).(etf.Tuple)
			switch m[0] {
			case etf.Atom("DOWN"):
				if m[1] != w.ref {
					t.Fatalf("DOWN of another monitor: %v", m)
				}
				downs++
				if reason := m[4]; reason != Noproc && !isTargetReason(reason, targets) {
					t.Fatalf("DOWN with reason %v", reason)
				}
			case etf.Atom("EXIT"):
			default:
				t.Fatalf("unexpected %v", m)
			}
		}
		w.pr.expectNothingBeforeOrExit(t, n)
	}
}

func isTargetReason(reason etf.Term, targets int) bool {
	i, ok := reason.(etf.Int)
	return ok && i >= 0 && int(i) < targets
}

// expectNothingBeforeOrExit is expectNothingBefore allowing the EXIT of a
// link that may come after the DOWN.
func (pr *probe) expectNothingBeforeOrExit(t testing.TB, n *Node) {
	t.Helper()
	marker := etf.Atom("marker")
	if err := n.Send(pr.pid, marker); err != nil {
		t.Fatal(err)
	}
	for {
		m := pr.recv(t)
		if m == marker {
			return
		}
		if tup, ok := m.(etf.Tuple); !ok || tup[0] != etf.Atom("EXIT") {
			t.Fatalf("got %v before the marker", m)
		}
	}
}
