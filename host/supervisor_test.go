package host

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

// worker is a child that stops with the reason cast to it.
func worker() *fake {
	return &fake{
		cast: func(_ *Process, reason, s etf.Term) Result { return Stop(reason, s) },
		call: func(_ *Process, req etf.Term, _ From, s etf.Term) Result { return Reply(req, s) },
	}
}

func workerSpec(id string, restart Restart) ChildSpec {
	return ChildSpec{ID: etf.Atom(id), Start: ServerStart(worker(), nil, Options{}), Restart: restart}
}

// pids returns the pids of sup's children by ID.
func pids(t testing.TB, n *Node, sup etf.Pid) map[etf.Atom]etf.Pid {
	t.Helper()
	infos, err := n.WhichChildren(ctx(t), sup)
	if err != nil {
		t.Fatal(err)
	}
	m := map[etf.Atom]etf.Pid{}
	for _, c := range infos {
		m[c.ID.(etf.Atom)] = c.Pid
	}
	return m
}

// crash ends pid with reason and waits until its supervisor has handled
// the end: the supervisor answers which_children only after the EXIT.
func crash(t testing.TB, n *Node, pid etf.Pid, reason etf.Term) {
	t.Helper()
	exited := watch(t, n, pid)
	n.Cast(pid, reason)
	exited()
}

func TestStrategies(t *testing.T) {
	for _, tc := range []struct {
		name      string
		strategy  Strategy
		restarted []string // children restarted when b crashes
		removed   []string
	}{
		{"one_for_one", OneForOne, []string{"b"}, nil},
		{"one_for_all", OneForAll, []string{"a", "b", "c"}, []string{"t"}},
		{"rest_for_one", RestForOne, []string{"b", "c"}, []string{"t"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := testNode(t)
			sup, err := n.StartSupervisor(SupervisorSpec{
				Strategy:  tc.strategy,
				Intensity: 1,
				Children: []ChildSpec{
					workerSpec("a", Permanent), workerSpec("b", Permanent),
					workerSpec("c", Permanent), workerSpec("t", Temporary),
				},
			}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			before := pids(t, n, sup)
			crash(t, n, before["b"], etf.Atom("boom"))
			after := pids(t, n, sup)
			for _, id := range []etf.Atom{"a", "b", "c", "t"} {
				restarted := contains(tc.restarted, id)
				removed := contains(tc.removed, id)
				switch {
				case removed:
					if _, ok := after[id]; ok {
						t.Errorf("%s: still there, want removed", id)
					}
				case restarted && (after[id] == before[id] || !alive(n, after[id])):
					t.Errorf("%s: %v then %v, want a new living pid", id, before[id], after[id])
				case !restarted && after[id] != before[id]:
					t.Errorf("%s: restarted, want untouched", id)
				}
				if restarted && id != "b" && alive(n, before[id]) {
					t.Errorf("%s: old process still alive", id)
				}
			}
		})
	}
}

func contains(ids []string, id etf.Atom) bool {
	for _, s := range ids {
		if etf.Atom(s) == id {
			return true
		}
	}
	return false
}

func TestRestartTypes(t *testing.T) {
	abnormal := etf.Atom("boom")
	for _, tc := range []struct {
		restart Restart
		reason  etf.Term
		want    bool // restarted
	}{
		{Permanent, Normal, true},
		{Permanent, abnormal, true},
		{Transient, Normal, false},
		{Transient, Shutdown, false},
		{Transient, ShutdownWith(etf.Atom("x")), false},
		{Transient, abnormal, true},
		{Temporary, abnormal, false},
		{Temporary, Normal, false},
	} {
		t.Run(tc.restart.String()+" "+etf.Format(tc.reason), func(t *testing.T) {
			n := testNode(t)
			sup, err := n.StartSupervisor(SupervisorSpec{Strategy: OneForOne, Intensity: 1,
				Children: []ChildSpec{workerSpec("w", tc.restart)}}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			before := pids(t, n, sup)["w"]
			crash(t, n, before, tc.reason)
			after, present := pids(t, n, sup)["w"]
			restarted := present && after != (etf.Pid{}) && after != before
			if restarted != tc.want {
				t.Fatalf("restarted = %v, want %v (present %v)", restarted, tc.want, present)
			}
			if tc.restart == Temporary && present {
				t.Fatal("a temporary child kept its spec")
			}
		})
	}
}

// clock is a settable clock for restart intensity.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestRestartIntensity(t *testing.T) {
	for _, tc := range []struct {
		name    string
		between time.Duration // clock advance between crashes
		crashes int
		givesUp bool
	}{
		{"within intensity", 0, 2, false},
		{"one restart too many", time.Second, 3, true},
		{"old restarts leave the period", 6 * time.Second, 5, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := testNode(t)
			clk := &clock{now: time.Unix(1000, 0)}
			sup, err := n.StartSupervisor(SupervisorSpec{Strategy: OneForOne, Intensity: 2, Period: 10 * time.Second,
				Now: clk.Now, Children: []ChildSpec{workerSpec("w", Permanent)}}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			supExit := watch(t, n, sup)
			for i := range tc.crashes {
				pid := pids(t, n, sup)["w"]
				if i == tc.crashes-1 && tc.givesUp {
					n.Cast(pid, etf.Atom("boom"))
					break
				}
				crash(t, n, pid, etf.Atom("boom"))
				pids(t, n, sup) // the restart is done, at the clock's time
				clk.advance(tc.between)
			}
			if !tc.givesUp {
				if !alive(n, pids(t, n, sup)["w"]) {
					t.Fatal("child not restarted")
				}
				return
			}
			if got := supExit(); got != Shutdown {
				t.Fatalf("supervisor exit = %v, want shutdown", got)
			}
		})
	}
}

func TestShutdown(t *testing.T) {
	for _, tc := range []struct {
		name      string
		shutdown  time.Duration
		trap      bool
		block     bool // terminate waits on a call that never returns
		want      etf.Term
		terminate bool
	}{
		{"brutal_kill", BrutalKill, true, false, Killed, false},
		{"timeout, not trapping", time.Hour, false, false, Shutdown, false},
		{"timeout, trapping, terminate runs", time.Hour, true, false, Shutdown, true},
		{"timeout expires, killed", time.Millisecond, true, true, Killed, true},
		{"infinity", Infinity, true, false, Shutdown, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := testNode(t)
			never, err := n.Start(&fake{call: func(_ *Process, _ etf.Term, _ From, s etf.Term) Result { return NoReply(s) }}, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			terminated := make(chan etf.Term, 1)
			child := &fake{
				init: func(p *Process, a etf.Term) Result { p.TrapExit(tc.trap); return Ok(a) },
				terminate: func(p *Process, reason, _ etf.Term) {
					terminated <- reason
					if tc.block {
						p.Call(ctx(t), never, etf.Atom("wait"), Infinity)
					}
				},
			}
			sup, err := n.StartSupervisor(SupervisorSpec{Strategy: OneForOne, Children: []ChildSpec{
				{ID: etf.Atom("c"), Start: ServerStart(child, nil, Options{}), Shutdown: tc.shutdown},
			}}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			pid := pids(t, n, sup)["c"]
			exited := watch(t, n, pid)
			if err := n.TerminateChild(ctx(t), sup, etf.Atom("c")); err != nil {
				t.Fatal(err)
			}
			if got := exited(); got != tc.want {
				t.Fatalf("child exit = %v, want %v", got, tc.want)
			}
			select {
			case r := <-terminated:
				if !tc.terminate {
					t.Fatalf("terminate ran with %v", r)
				}
			default:
				if tc.terminate {
					t.Fatal("terminate did not run")
				}
			}
		})
	}
}

func TestSupervisorStartFailure(t *testing.T) {
	n := testNode(t)
	first := make(chan etf.Pid, 1)
	_, err := n.StartSupervisor(SupervisorSpec{Strategy: OneForOne, Children: []ChildSpec{
		{ID: etf.Atom("ok"), Start: func(sup *Process, extra etf.List) (etf.Pid, error) {
			pid, err := ServerStart(worker(), nil, Options{})(sup, extra)
			first <- pid
			return pid, err
		}},
		{ID: etf.Atom("bad"), Start: ServerStart(&fake{init: func(*Process, etf.Term) Result {
			return Stop(etf.Atom("nope"), nil)
		}}, nil, Options{})},
	}}, Options{})
	want := &ExitError{Reason: ShutdownWith(etf.Tuple{etf.Atom("failed_to_start_child"), etf.Atom("bad"), etf.Atom("nope")})}
	if !errors.Is(err, want) {
		t.Fatalf("StartSupervisor = %v, want %v", err, want)
	}
	if pid := <-first; alive(n, pid) {
		t.Fatal("the child started first outlived the failed start")
	}
}

func TestFailedRestartIsRetried(t *testing.T) {
	n := testNode(t)
	var mu sync.Mutex
	failing := false
	fail := func() bool { mu.Lock(); defer mu.Unlock(); return failing }
	w := worker()
	w.init = func(_ *Process, a etf.Term) Result {
		if fail() {
			return Stop(etf.Atom("cannot"), nil)
		}
		return Ok(a)
	}
	sup, err := n.StartSupervisor(SupervisorSpec{Strategy: OneForOne, Intensity: 3,
		Children: []ChildSpec{{ID: etf.Atom("w"), Start: ServerStart(w, nil, Options{})}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	supExit := watch(t, n, sup)
	mu.Lock()
	failing = true
	mu.Unlock()
	n.Cast(pids(t, n, sup)["w"], etf.Atom("boom"))
	// Every try fails and counts: the supervisor gives up, never hangs.
	if got := supExit(); got != Shutdown {
		t.Fatalf("supervisor exit = %v", got)
	}
}

// TestRestartCountAtStart checks that a restarted child's count of
// restarts is right as soon as the child can be seen: its own Init reads
// it.
func TestRestartCountAtStart(t *testing.T) {
	for _, tt := range []struct {
		name     string
		strategy Strategy
	}{
		{name: "one_for_one", strategy: OneForOne},
		{name: "simple_one_for_one", strategy: SimpleOneForOne},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := testNode(t)
			seen := make(chan int, 1)
			w := worker()
			w.init = func(p *Process, a etf.Term) Result {
				info, _ := p.Node().ProcessInfo(p.Self())
				seen <- info.Restarts
				return Ok(a)
			}
			sup, err := n.StartSupervisor(SupervisorSpec{Strategy: tt.strategy, Intensity: 5,
				Children: []ChildSpec{{ID: etf.Atom("w"), Start: ServerStart(w, nil, Options{})}}}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if tt.strategy == SimpleOneForOne {
				if _, err := n.StartDynamicChild(ctx(t), sup, nil); err != nil {
					t.Fatal(err)
				}
			}
			for want := range 3 {
				if got := <-seen; got != want {
					t.Fatalf("Init saw %d restarts, want %d", got, want)
				}
				infos, err := n.WhichChildren(ctx(t), sup)
				if err != nil || len(infos) != 1 {
					t.Fatalf("children %+v, %v", infos, err)
				}
				crash(t, n, infos[0].Pid, etf.Atom("boom"))
			}
		})
	}
}

func TestDynamicChildren(t *testing.T) {
	n := testNode(t)
	inits := make(chan etf.Term, 10)
	w := worker()
	w.init = func(_ *Process, a etf.Term) Result { inits <- a; return Ok(a) }
	sup, err := n.StartSupervisor(SupervisorSpec{Strategy: SimpleOneForOne, Intensity: 5,
		Children: []ChildSpec{{Start: ServerStart(w, etf.List{etf.Atom("base")}, Options{}), Restart: Transient}}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pid, err := n.StartDynamicChild(ctx(t), sup, etf.List{etf.Int(1)})
	if err != nil {
		t.Fatal(err)
	}
	want := etf.List{etf.Atom("base"), etf.Int(1)}
	if got := <-inits; !etf.Equal(got, want) {
		t.Fatalf("init args %v, want %v", got, want)
	}
	crash(t, n, pid, etf.Atom("boom"))
	if got := <-inits; !etf.Equal(got, want) {
		t.Fatalf("restart init args %v, want %v", got, want)
	}
	infos, _ := n.WhichChildren(ctx(t), sup)
	if len(infos) != 1 || infos[0].ID != nil || infos[0].Restarts != 1 {
		t.Fatalf("children %+v", infos)
	}
	restarted := infos[0].Pid
	if err := n.TerminateChild(ctx(t), sup, restarted); err != nil {
		t.Fatal(err)
	}
	if err := n.TerminateChild(ctx(t), sup, etf.Atom("id")); !errors.Is(err, errSimpleOneForOne) {
		t.Fatalf("TerminateChild by ID = %v", err)
	}
	if count, _ := n.CountChildren(ctx(t), sup); count != (ChildCount{Specs: 1}) {
		t.Fatalf("count %+v", count)
	}
	// A normal exit of a transient dynamic child forgets it.
	pid, _ = n.StartDynamicChild(ctx(t), sup, etf.List{etf.Int(2)})
	<-inits
	crash(t, n, pid, Normal)
	if count, _ := n.CountChildren(ctx(t), sup); count.Active != 0 || count.Workers != 0 {
		t.Fatalf("count %+v", count)
	}
}

func TestDynamicShutdownAllAtOnce(t *testing.T) {
	n := testNode(t)
	const children = 200
	var sup etf.Pid
	parent := startProbe(t, n, func(p *Process) {
		var err error
		sup, err = SupervisorStart(SupervisorSpec{Strategy: SimpleOneForOne,
			Children: []ChildSpec{{Start: ServerStart(&fake{init: func(p *Process, a etf.Term) Result {
				p.TrapExit(true)
				return Ok(a)
			}}, nil, Options{})}}}, Options{})(p, nil)
		if err != nil {
			t.Error(err)
		}
	})
	var watches []func() etf.Term
	for range children {
		pid, err := n.StartDynamicChild(ctx(t), sup, nil)
		if err != nil {
			t.Fatal(err)
		}
		watches = append(watches, watch(t, n, pid))
	}
	supExit := watch(t, n, sup)
	n.process(parent.pid).Exit(sup, Shutdown)
	if got := supExit(); got != Shutdown {
		t.Fatalf("supervisor exit %v", got)
	}
	for _, exited := range watches {
		if got := exited(); got != Shutdown {
			t.Fatalf("child exit %v", got)
		}
	}
}

func TestNestedSupervisors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		restart   Restart
		restarted bool
	}{
		{"permanent child supervisor is restarted", Permanent, true},
		{"transient child supervisor that shuts down is not", Transient, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := testNode(t)
			inner := SupervisorSpec{Strategy: OneForOne, Intensity: 0, Children: []ChildSpec{workerSpec("w", Permanent)}}
			root, err := n.StartSupervisor(SupervisorSpec{Strategy: OneForOne, Intensity: 1, Children: []ChildSpec{
				{ID: etf.Atom("inner"), Start: SupervisorStart(inner, Options{}), Type: Supervisor, Restart: tc.restart},
			}}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			innerPid := pids(t, n, root)["inner"]
			innerExit := watch(t, n, innerPid)
			// Intensity 0: the inner supervisor gives up at the first crash.
			n.Cast(pids(t, n, innerPid)["w"], etf.Atom("boom"))
			if got := innerExit(); got != Shutdown {
				t.Fatalf("inner exit %v", got)
			}
			after := pids(t, n, root)["inner"]
			if restarted := after != (etf.Pid{}) && after != innerPid; restarted != tc.restarted {
				t.Fatalf("restarted = %v, want %v", restarted, tc.restarted)
			}
		})
	}
}

func TestSupervisorCalls(t *testing.T) {
	n := testNode(t)
	sup, err := n.StartSupervisor(SupervisorSpec{Strategy: OneForOne, Intensity: 1, Children: []ChildSpec{
		workerSpec("a", Permanent),
		{ID: etf.Atom("b"), Start: ServerStart(worker(), nil, Options{}), Type: Supervisor, Modules: []etf.Atom{"m"}},
	}}, Options{Name: "sup"})
	if err != nil {
		t.Fatal(err)
	}
	before := pids(t, n, sup)
	dyn, err := n.StartSupervisor(SupervisorSpec{Strategy: SimpleOneForOne, Children: []ChildSpec{workerSpec("t", Temporary)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ok, e := etf.Atom("ok"), etf.Atom("error")
	call := func(to, req etf.Term) etf.Term {
		got, err := n.Call(ctx(t), to, req, Infinity)
		if err != nil {
			t.Fatalf("call %v: %v", req, err)
		}
		return got
	}
	for _, tc := range []struct {
		name string
		to   etf.Term
		req  etf.Term
		want etf.Term
	}{
		{"which_children, last started first", sup, etf.Atom("which_children"), etf.List{
			etf.Tuple{etf.Atom("b"), before["b"], etf.Atom("supervisor"), etf.List{etf.Atom("m")}},
			etf.Tuple{etf.Atom("a"), before["a"], etf.Atom("worker"), etf.List{}},
		}},
		{"count_children", etf.Atom("sup"), etf.Atom("count_children"), etf.List{
			etf.Tuple{etf.Atom("specs"), etf.Int(2)}, etf.Tuple{etf.Atom("active"), etf.Int(2)},
			etf.Tuple{etf.Atom("supervisors"), etf.Int(1)}, etf.Tuple{etf.Atom("workers"), etf.Int(1)},
		}},
		{"terminate_child unknown", sup, etf.Tuple{etf.Atom("terminate_child"), etf.Atom("x")}, etf.Tuple{e, etf.Atom("not_found")}},
		{"delete_child running", sup, etf.Tuple{etf.Atom("delete_child"), etf.Atom("a")}, etf.Tuple{e, etf.Atom("running")}},
		{"restart_child running", sup, etf.Tuple{etf.Atom("restart_child"), etf.Atom("a")}, etf.Tuple{e, etf.Atom("running")}},
		{"terminate_child", sup, etf.Tuple{etf.Atom("terminate_child"), etf.Atom("a")}, ok},
		{"which_children with a stopped child", sup, etf.Atom("which_children"), etf.List{
			etf.Tuple{etf.Atom("b"), before["b"], etf.Atom("supervisor"), etf.List{etf.Atom("m")}},
			etf.Tuple{etf.Atom("a"), etf.Undefined, etf.Atom("worker"), etf.List{}},
		}},
		{"delete_child", sup, etf.Tuple{etf.Atom("delete_child"), etf.Atom("a")}, ok},
		{"restart_child deleted", sup, etf.Tuple{etf.Atom("restart_child"), etf.Atom("a")}, etf.Tuple{e, etf.Atom("not_found")}},
		{"start_child with a spec from afar", sup, etf.Tuple{etf.Atom("start_child"), etf.Map{}}, etf.Tuple{e, etf.Atom("notsup")}},
		{"unknown call", sup, etf.Atom("foo"), etf.Tuple{e, etf.Tuple{etf.Atom("unknown_call"), etf.Atom("foo")}}},
		{"restart_child on simple_one_for_one", dyn, etf.Tuple{etf.Atom("restart_child"), etf.Atom("a")}, etf.Tuple{e, etf.Atom("simple_one_for_one")}},
		{"delete_child on simple_one_for_one", dyn, etf.Tuple{etf.Atom("delete_child"), etf.Atom("a")}, etf.Tuple{e, etf.Atom("simple_one_for_one")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := call(tc.to, tc.req); !etf.Equal(got, tc.want) {
				t.Fatalf("reply\n got %v\nwant %v", got, tc.want)
			}
		})
	}
	started := call(dyn, etf.Tuple{etf.Atom("start_child"), etf.List{etf.Atom("x")}}).(etf.Tuple)
	if started[0] != ok || !alive(n, started[1].(etf.Pid)) {
		t.Fatalf("start_child = %v", started)
	}
	if got, err := n.StartChild(ctx(t), sup, workerSpec("b", Permanent)); !errors.Is(err, alreadyStarted(before["b"])) {
		t.Fatalf("StartChild duplicate = %v, %v", got, err)
	}
	if _, err := n.StartChild(ctx(t), sup, workerSpec("c", Permanent)); err != nil {
		t.Fatal(err)
	}
	if err := n.TerminateChild(ctx(t), sup, etf.Atom("c")); err != nil {
		t.Fatal(err)
	}
	if pid, err := n.RestartChild(ctx(t), sup, etf.Atom("c")); err != nil || !alive(n, pid) {
		t.Fatalf("RestartChild = %v, %v", pid, err)
	}
	if _, err := n.WhichChildren(ctx(t), before["b"]); !errors.Is(err, ErrBadarg) {
		t.Fatalf("WhichChildren of a worker = %v", err)
	}
}

// TestChildStopsItself has a child ask its own supervisor to terminate it
// from a callback, passing its Context: the supervisor's shutdown signal
// ends the wait, the caller of the child sees it exit with shutdown, as
// OTP's would, and the supervisor goes on.
func TestChildStopsItself(t *testing.T) {
	n := testNode(t)
	type outcome struct {
		err   error
		cause error
	}
	done := make(chan outcome, 1)
	selfStop := &fake{call: func(p *Process, req etf.Term, _ From, s etf.Term) Result {
		err := p.Node().TerminateChild(p.Context(), etf.Atom("sup"), etf.Atom("a"))
		done <- outcome{err, context.Cause(p.Context())}
		return Reply(req, s)
	}}
	sup, err := n.StartSupervisor(SupervisorSpec{Strategy: OneForOne, Intensity: 1, Children: []ChildSpec{
		{ID: etf.Atom("a"), Start: ServerStart(selfStop, nil, Options{})},
	}}, Options{Name: "sup"})
	if err != nil {
		t.Fatal(err)
	}
	child := pids(t, n, sup)["a"]
	_, err = n.Call(ctx(t), child, etf.Atom("stop_yourself"), Infinity)
	if !errors.Is(err, &ExitError{Reason: Shutdown}) {
		t.Fatalf("call to the child = %v, want exit shutdown", err)
	}
	got := <-done
	if !errors.Is(got.err, context.Canceled) || !errors.Is(got.cause, &ExitError{Reason: Shutdown}) {
		t.Fatalf("TerminateChild from the child = %v, cause %v; want canceled by exit shutdown", got.err, got.cause)
	}
	if after := pids(t, n, sup); after["a"] != (etf.Pid{}) {
		t.Fatalf("child a after terminating itself = %v, want stopped", after["a"])
	}
}
