package host

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

func TestNodeTree(t *testing.T) {
	n := testNode(t)
	var mu sync.Mutex
	var stopped []etf.Term
	recorder := func(name string) ChildSpec {
		return ChildSpec{ID: etf.Atom(name), Start: ServerStart(&fake{
			init: func(p *Process, a etf.Term) Result { p.TrapExit(true); return Ok(a) },
			cast: func(_ *Process, reason, s etf.Term) Result { return Stop(reason, s) },
			terminate: func(_ *Process, reason, _ etf.Term) {
				mu.Lock()
				stopped = append(stopped, etf.Atom(name))
				mu.Unlock()
			},
		}, nil, Options{Name: etf.Atom(name)})}
	}
	if err := n.Boot(recorder("net_kernel"), recorder("creo")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []etf.Atom{RootSupervisor, SystemSupervisor, UserSupervisor, "net_kernel", "creo"} {
		if _, ok := n.Whereis(name); !ok {
			t.Fatalf("%s is not running", name)
		}
	}
	good, err := n.StartUserServer(ctx(t), recorder("good"), 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	bad, err := n.StartUserServer(ctx(t), recorder("bad"), 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	// The bad server crashes past its intensity: it stops, nothing else.
	own := pids(t, n, mustWhereis(t, n, UserSupervisor))["bad"]
	ownExit := watch(t, n, own)
	crash(t, n, bad, etf.Atom("boom"))
	crash(t, n, pids(t, n, own)["bad"], etf.Atom("boom"))
	if got := ownExit(); got != Shutdown {
		t.Fatalf("the bad server's supervisor exit = %v", got)
	}
	infos, err := n.WhichChildren(ctx(t), UserSupervisor)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range infos {
		if running := c.Pid != (etf.Pid{}); running != (c.ID == etf.Atom("good")) {
			t.Fatalf("user server %v running: %v", c.ID, running)
		}
	}
	if !alive(n, good) {
		t.Fatal("a sibling of the bad server died")
	}
	if err := n.StopUserServer(ctx(t), etf.Atom("bad")); err != nil {
		t.Fatal(err)
	}
	ignored := ChildSpec{ID: etf.Atom("ignored"), Start: ServerStart(&fake{init: func(*Process, etf.Term) Result { return Ignore() }}, nil, Options{})}
	if _, err := n.StartUserServer(ctx(t), ignored, 1, time.Hour); !errors.Is(err, ErrIgnored) {
		t.Fatalf("StartUserServer of an ignoring server = %v", err)
	}

	mu.Lock()
	stopped = nil
	mu.Unlock()
	if err := n.Shutdown(ctx(t)); err != nil {
		t.Fatal(err)
	}
	<-n.Done()
	want := etf.List{etf.Atom("good"), etf.Atom("creo"), etf.Atom("net_kernel")}
	mu.Lock()
	defer mu.Unlock()
	if !etf.Equal(etf.List(stopped), want) {
		t.Fatalf("stopped in order %v, want %v", stopped, want)
	}
	for _, name := range []etf.Atom{RootSupervisor, SystemSupervisor, UserSupervisor, "net_kernel", "creo", "good"} {
		if _, ok := n.Whereis(name); ok {
			t.Fatalf("%s outlived the shutdown", name)
		}
	}
}

func TestProcesses(t *testing.T) {
	n := testNode(t)
	pid, err := n.Start(counter{}, etf.Int(0), Options{Name: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Suspend(ctx(t), pid); err != nil {
		t.Fatal(err)
	}
	n.Cast(pid, etf.Atom("waits"))
	pr := startProbe(t, n, func(p *Process) { p.TrapExit(true); p.Link(pid) })
	want := map[etf.Pid]ProcessInfo{
		pid:    {Pid: pid, Name: "c", Behaviour: "counter", Status: Suspended, MessageQueueLen: 1, Links: 1},
		pr.pid: {Pid: pr.pid, Behaviour: "fake", Status: Waiting, Links: 1, TrapExit: true},
	}
	seen := 0
	for info := range n.Processes() {
		if w, ok := want[info.Pid]; ok {
			seen++
			if info != w {
				t.Errorf("info\n got %+v\nwant %+v", info, w)
			}
		}
	}
	if seen != 2 || n.ProcessCount() != 2 {
		t.Fatalf("saw %d of 2, count %d", seen, n.ProcessCount())
	}
	if info, ok := n.ProcessInfo(pid); !ok || info.Name != "c" {
		t.Fatalf("ProcessInfo = %+v, %v", info, ok)
	}
	if _, ok := n.ProcessInfo(etf.Pid{Node: n.Name(), ID: 999}); ok {
		t.Fatal("info of a process that does not exist")
	}
}

func mustWhereis(t testing.TB, n *Node, name etf.Atom) etf.Pid {
	t.Helper()
	pid, ok := n.Whereis(name)
	if !ok {
		t.Fatalf("%s is not registered", name)
	}
	return pid
}

// TestStartUserServerAbandoned: a caller whose ctx ends while the
// server's init runs is told what became of the start: the server it
// started, not an error while the server runs unknown to it.
func TestStartUserServerAbandoned(t *testing.T) {
	n := testNode(t)
	if err := n.Boot(); err != nil {
		t.Fatal(err)
	}
	start, cancel := context.WithCancel(context.Background())
	slow := ChildSpec{ID: etf.Atom("slow"), Start: ServerStart(&fake{init: func(_ *Process, a etf.Term) Result {
		cancel() // the caller's ctx ends while init runs, which then succeeds
		return Ok(a)
	}}, nil, Options{Name: "slow"})}
	pid, err := n.StartUserServer(start, slow, 1, time.Hour)
	if err != nil {
		t.Fatalf("StartUserServer, ctx ended during init: %v", err)
	}
	if got := mustWhereis(t, n, "slow"); got != pid {
		t.Fatalf("slow runs as %v, StartUserServer said %v", got, pid)
	}
}
