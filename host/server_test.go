package host

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

func TestInitResults(t *testing.T) {
	n := testNode(t)
	for _, tc := range []struct {
		name    string
		init    func(p *Process, args etf.Term) Result
		wantErr error
	}{
		{"ok starts", func(_ *Process, a etf.Term) Result { return Ok(a) }, nil},
		{"ok with continue starts", func(_ *Process, a etf.Term) Result { return Ok(a).Continue(etf.Atom("c")) }, nil},
		{"stop fails with its reason", func(*Process, etf.Term) Result { return Stop(etf.Atom("bad"), nil) }, &ExitError{Reason: etf.Atom("bad")}},
		{"ignore starts nothing", func(*Process, etf.Term) Result { return Ignore() }, ErrIgnored},
		{"a panic fails with {panic, Msg}", func(*Process, etf.Term) Result { panic("boom") }, &ExitError{Reason: etf.Tuple{etf.Atom("panic"), etf.Binary("boom")}}},
		{"Exit fails with its reason", func(*Process, etf.Term) Result { Exit(etf.Atom("bye")); return Ignore() }, &ExitError{Reason: etf.Atom("bye")}},
		{"reply is a bad return value", func(*Process, etf.Term) Result { return Reply(etf.Atom("r"), etf.Atom("s")) },
			&ExitError{Reason: etf.Tuple{etf.Atom("bad_return_value"), etf.Tuple{etf.Atom("reply"), etf.Atom("r"), etf.Atom("s")}}}},
		{"the zero Result is a bad return value", func(*Process, etf.Term) Result { return Result{} },
			&ExitError{Reason: etf.Tuple{etf.Atom("bad_return_value"), etf.Atom("invalid_result")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var self etf.Pid
			pid, err := n.Start(&fake{
				init: func(p *Process, a etf.Term) Result { self = p.Self(); return tc.init(p, a) },
				cont: func(_ *Process, _, s etf.Term) Result { return NoReply(s) },
			}, etf.Atom("args"), Options{})
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Fatalf("Start error = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if pid != (etf.Pid{}) || alive(n, self) {
					t.Fatalf("failed start left %v, alive %v", pid, alive(n, self))
				}
				return
			}
			if got, err := n.GetState(ctx(t), pid); err != nil || got != etf.Atom("args") {
				t.Fatalf("state = %v, %v", got, err)
			}
		})
	}
}

func TestStartName(t *testing.T) {
	n := testNode(t)
	pid, err := n.Start(echo(), nil, Options{Name: "unique"})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := n.Whereis("unique"); !ok || got != pid {
		t.Fatalf("Whereis = %v, %v", got, ok)
	}
	_, err = n.Start(echo(), nil, Options{Name: "unique"})
	want := &ExitError{Reason: etf.Tuple{etf.Atom("already_started"), pid}}
	if !errors.Is(err, want) {
		t.Fatalf("second Start = %v, want %v", err, want)
	}
	kill(t, n, pid)
	if _, ok := n.Whereis("unique"); ok {
		t.Fatal("name outlived its process")
	}
	if _, err := n.Start(echo(), nil, Options{Name: "unique"}); err != nil {
		t.Fatalf("name not free after exit: %v", err)
	}
}

func TestStartLinkFailureIsOnlyAnError(t *testing.T) {
	n := testNode(t)
	var startErr error
	parent := startProbe(t, n, func(p *Process) {
		p.TrapExit(true)
		_, startErr = p.StartLink(&fake{init: func(*Process, etf.Term) Result {
			return Stop(etf.Atom("bad"), nil)
		}}, nil, Options{})
	})
	if !errors.Is(startErr, &ExitError{Reason: etf.Atom("bad")}) {
		t.Fatalf("StartLink = %v", startErr)
	}
	parent.expectNothingBefore(t, n)
}

// TestCallbackResults checks how the server acts on each result of
// handle_call, handle_cast and handle_info.
func TestCallbackResults(t *testing.T) {
	n := testNode(t)
	for _, tc := range []struct {
		name      string
		result    Result
		wantReply etf.Term // nil: the call fails
		wantErr   etf.Term
		wantExit  etf.Term // nil: the server lives on
		terminate bool     // terminate runs, before the reply
	}{
		{name: "reply", result: Reply(etf.Atom("r"), etf.Atom("s2")), wantReply: etf.Atom("r")},
		{name: "stop with reply", result: StopReply(etf.Atom("bye"), etf.Atom("r"), etf.Atom("s2")),
			wantReply: etf.Atom("r"), wantExit: etf.Atom("bye"), terminate: true},
		{name: "stop without reply", result: Stop(etf.Atom("bye"), etf.Atom("s2")),
			wantErr: etf.Atom("bye"), wantExit: etf.Atom("bye"), terminate: true},
		{name: "stop normal", result: Stop(Normal, etf.Atom("s2")),
			wantErr: Normal, wantExit: Normal, terminate: true},
		{name: "ok is a bad return value", result: Ok(etf.Atom("s2")),
			wantErr:  etf.Tuple{etf.Atom("bad_return_value"), etf.Tuple{etf.Atom("ok"), etf.Atom("s2")}},
			wantExit: etf.Tuple{etf.Atom("bad_return_value"), etf.Tuple{etf.Atom("ok"), etf.Atom("s2")}}, terminate: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var events []etf.Term
			pid, err := n.Start(&fake{
				call: func(_ *Process, _ etf.Term, _ From, _ etf.Term) Result { return tc.result },
				terminate: func(_ *Process, reason, state etf.Term) {
					events = append(events, etf.Tuple{etf.Atom("terminate"), reason, state})
				},
			}, etf.Atom("s1"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			exited := watch(t, n, pid)
			got, err := n.Call(ctx(t), pid, etf.Atom("req"), Infinity)
			if tc.wantReply != nil && (err != nil || !etf.Equal(got, tc.wantReply)) {
				t.Fatalf("Call = %v, %v; want %v", got, err, tc.wantReply)
			}
			if tc.wantErr != nil && !errors.Is(err, &ExitError{Reason: tc.wantErr}) {
				t.Fatalf("Call error = %v, want %v", err, tc.wantErr)
			}
			if tc.wantExit == nil {
				if state, err := n.GetState(ctx(t), pid); err != nil || !etf.Equal(state, tc.result.State) {
					t.Fatalf("state = %v, %v; want %v", state, err, tc.result.State)
				}
				return
			}
			if got := exited(); !etf.Equal(got, tc.wantExit) {
				t.Fatalf("exit = %v, want %v", got, tc.wantExit)
			}
			if tc.terminate != (len(events) == 1) {
				t.Fatalf("terminate calls: %v", events)
			}
		})
	}
}

func TestCrashRunsTerminateWithOldState(t *testing.T) {
	n := testNode(t)
	terminated := make(chan etf.Term, 1)
	pid, err := n.Start(&fake{
		cast: func(*Process, etf.Term, etf.Term) Result { panic("boom") },
		terminate: func(_ *Process, reason, state etf.Term) {
			terminated <- etf.Tuple{reason, state}
		},
	}, etf.Atom("old"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	exited := watch(t, n, pid)
	n.Cast(pid, etf.Atom("crash"))
	reason := etf.Tuple{etf.Atom("panic"), etf.Binary("boom")}
	if got := exited(); !etf.Equal(got, reason) {
		t.Fatalf("exit = %v", got)
	}
	if got := <-terminated; !etf.Equal(got, etf.Tuple{reason, etf.Atom("old")}) {
		t.Fatalf("terminate got %v", got)
	}
}

func TestTerminateCrashReplacesReason(t *testing.T) {
	n := testNode(t)
	pid, err := n.Start(&fake{
		cast:      func(_ *Process, _, s etf.Term) Result { return Stop(Normal, s) },
		terminate: func(*Process, etf.Term, etf.Term) { Exit(etf.Atom("in_terminate")) },
	}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	exited := watch(t, n, pid)
	n.Cast(pid, etf.Atom("stop"))
	if got := exited(); got != etf.Atom("in_terminate") {
		t.Fatalf("exit = %v", got)
	}
}

func TestKillSkipsTerminate(t *testing.T) {
	n := testNode(t)
	for _, tc := range []struct {
		name      string
		trap      bool
		reason    etf.Term
		terminate bool
	}{
		{"untrapped exit from the parent", false, Shutdown, false},
		{"kill of a trapping server", true, Kill, false},
		{"trapped exit from the parent", true, Shutdown, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			terminated := false
			var child etf.Pid
			parent := startProbe(t, n, func(p *Process) {
				p.TrapExit(true)
				var err error
				child, err = p.StartLink(&fake{
					init: func(p *Process, a etf.Term) Result {
						p.TrapExit(tc.trap)
						return Ok(a)
					},
					terminate: func(*Process, etf.Term, etf.Term) { terminated = true },
				}, nil, Options{})
				if err != nil {
					t.Error(err)
				}
			})
			exited := watch(t, n, child)
			n.procs.lookup(parent.pid.ID, parent.pid.Serial).Exit(child, tc.reason)
			want := tc.reason
			if want == Kill {
				want = Killed
			}
			if got := exited(); got != want {
				t.Fatalf("exit = %v, want %v", got, want)
			}
			if terminated != tc.terminate {
				t.Fatalf("terminate ran: %v, want %v", terminated, tc.terminate)
			}
		})
	}
}

func TestContinueRunsBeforeNextMessage(t *testing.T) {
	n := testNode(t)
	pid, err := n.Start(&fake{
		init: func(*Process, etf.Term) Result { return Ok(etf.List{}).Continue(etf.Atom("from_init")) },
		cast: func(_ *Process, msg, s etf.Term) Result {
			return NoReply(append(s.(etf.List), msg)).Continue(etf.Atom("after_" + string(msg.(etf.Atom))))
		},
		cont: func(_ *Process, c, s etf.Term) Result { return NoReply(append(s.(etf.List), c)) },
	}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	n.Cast(pid, etf.Atom("a"))
	n.Cast(pid, etf.Atom("b"))
	got, err := n.GetState(ctx(t), pid)
	want := etf.List{etf.Atom("from_init"), etf.Atom("a"), etf.Atom("after_a"), etf.Atom("b"), etf.Atom("after_b")}
	if err != nil || !etf.Equal(got, want) {
		t.Fatalf("state = %v, %v; want %v", got, err, want)
	}
}

func TestTimeout(t *testing.T) {
	n := testNode(t)
	infos := make(chan etf.Term, 10)
	pid, err := n.Start(&fake{
		init: func(*Process, etf.Term) Result { return Ok(nil).WithTimeout(0) },
		info: func(_ *Process, msg, s etf.Term) Result {
			infos <- msg
			return NoReply(s)
		},
		cast: func(_ *Process, msg, s etf.Term) Result {
			if msg == etf.Atom("long") {
				return NoReply(s).WithTimeout(time.Hour)
			}
			return NoReply(s).WithTimeout(time.Millisecond)
		},
	}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A timeout of 0 from init fires as soon as the mailbox is empty.
	if got := <-infos; got != Timeout {
		t.Fatalf("info = %v, want timeout", got)
	}
	n.Cast(pid, etf.Atom("short"))
	if got := <-infos; got != Timeout {
		t.Fatalf("info = %v, want timeout", got)
	}
	// A message that arrives first cancels the timeout.
	n.Cast(pid, etf.Atom("long"))
	if err := n.Send(pid, etf.Atom("first")); err != nil {
		t.Fatal(err)
	}
	if got := <-infos; got != etf.Atom("first") {
		t.Fatalf("info = %v, want first", got)
	}
	if _, err := n.GetState(ctx(t), pid); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-infos:
		t.Fatalf("info after a cancelled timeout: %v", got)
	default:
	}
}

func TestSysRequestRestartsTimeout(t *testing.T) {
	n := testNode(t)
	infos := make(chan etf.Term, 10)
	pid, err := n.Start(&fake{
		init: func(*Process, etf.Term) Result { return Ok(nil).WithTimeout(50 * time.Millisecond) },
		info: func(_ *Process, msg, s etf.Term) Result {
			infos <- msg
			return NoReply(s)
		},
	}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// sys requests come and go; the timeout still fires.
	for range 3 {
		if _, err := n.GetState(ctx(t), pid); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case got := <-infos:
		if got != Timeout {
			t.Fatalf("info = %v, want timeout", got)
		}
	case <-time.After(wait):
		t.Fatal("the timeout never fired")
	}
}

func TestHibernateKeepsServing(t *testing.T) {
	n := testNode(t)
	pid, err := n.Start(&fake{
		call: func(_ *Process, req etf.Term, _ From, s etf.Term) Result { return Reply(req, s).Hibernate() },
	}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got, err := n.Call(ctx(t), pid, etf.Atom("x"), Infinity); err != nil || got != etf.Atom("x") {
			t.Fatalf("Call = %v, %v", got, err)
		}
	}
}

func TestDefaults(t *testing.T) {
	n := testNode(t)
	for _, tc := range []struct {
		name string
		send func(pid etf.Pid)
		want etf.Term
	}{
		{"call", func(pid etf.Pid) { go n.Call(ctx(t), pid, etf.Atom("q"), Infinity) }, etf.Tuple{etf.Atom("bad_call"), etf.Atom("q")}},
		{"cast", func(pid etf.Pid) { n.Cast(pid, etf.Atom("m")) }, etf.Tuple{etf.Atom("bad_cast"), etf.Atom("m")}},
		{"continue", func(pid etf.Pid) { n.Send(pid, etf.Atom("go")) }, etf.Tuple{etf.Atom("bad_continue"), etf.Atom("c")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pid, err := n.Start(&fake{info: func(_ *Process, _, s etf.Term) Result {
				return NoReply(s).Continue(etf.Atom("c"))
			}}, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			exited := watch(t, n, pid)
			tc.send(pid)
			if got := exited(); !etf.Equal(got, tc.want) {
				t.Fatalf("exit = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestResultTerm(t *testing.T) {
	s, r := etf.Atom("s"), etf.Atom("r")
	for _, tc := range []struct {
		name   string
		result Result
		want   etf.Term
	}{
		{"ok", Ok(s), etf.Tuple{etf.Atom("ok"), s}},
		{"ok with timeout", Ok(s).WithTimeout(1500 * time.Millisecond), etf.Tuple{etf.Atom("ok"), s, etf.Int(1500)}},
		{"ignore", Ignore(), etf.Atom("ignore")},
		{"reply", Reply(r, s), etf.Tuple{etf.Atom("reply"), r, s}},
		{"reply hibernate", Reply(r, s).Hibernate(), etf.Tuple{etf.Atom("reply"), r, s, etf.Atom("hibernate")}},
		{"noreply continue", NoReply(s).Continue(etf.Atom("c")), etf.Tuple{etf.Atom("noreply"), s, etf.Tuple{etf.Atom("continue"), etf.Atom("c")}}},
		{"stop", Stop(etf.Atom("why"), s), etf.Tuple{etf.Atom("stop"), etf.Atom("why"), s}},
		{"stop from init", Stop(etf.Atom("why"), nil), etf.Tuple{etf.Atom("stop"), etf.Atom("why")}},
		{"stop with reply", StopReply(etf.Atom("why"), r, s), etf.Tuple{etf.Atom("stop"), etf.Atom("why"), r, s}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.result.Term(); !etf.Equal(got, tc.want) {
				t.Fatalf("Term = %v, want %v", got, tc.want)
			}
			if tc.result.Kind.String() == "invalid" {
				t.Fatalf("kind %d has no name", tc.result.Kind)
			}
		})
	}
}

func TestExitError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		reason etf.Term
		text   string
	}{
		{"atom", ErrNoproc, Noproc, "host: exit noproc"},
		{"tuple", &ExitError{Reason: ShutdownWith(etf.Atom("bye"))}, etf.Tuple{Shutdown, etf.Atom("bye")}, "host: exit {shutdown,bye}"},
		{"wrapped", fmt.Errorf("call: %w", ErrTimeout), Timeout, "call: host: exit timeout"},
		{"any other error", errors.New("boom"), etf.Binary("boom"), "boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ExitReason(tc.err); !etf.Equal(got, tc.reason) {
				t.Fatalf("ExitReason = %v, want %v", got, tc.reason)
			}
			if tc.err.Error() != tc.text {
				t.Fatalf("Error = %q, want %q", tc.err.Error(), tc.text)
			}
		})
	}
	if !IsClean(ShutdownWith(etf.Int(1))) || IsClean(Killed) || !IsShutdown(raw(t, Shutdown)) {
		t.Fatal("IsClean or IsShutdown disagree with OTP")
	}
}

func TestKilledDuringCallbackDoesNotReply(t *testing.T) {
	n := testNode(t)
	inCall := make(chan struct{})
	resume := make(chan struct{})
	terminated := false
	pid, err := n.Start(&fake{
		call: func(_ *Process, req etf.Term, _ From, s etf.Term) Result {
			close(inCall)
			<-resume
			return Reply(req, s)
		},
		terminate: func(*Process, etf.Term, etf.Term) { terminated = true },
	}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	exited := watch(t, n, pid)
	calls := make(chan error, 1)
	go func() {
		_, err := n.Call(ctx(t), pid, etf.Atom("slow"), Infinity)
		calls <- err
	}()
	<-inCall
	n.Exit(pid, Kill)
	close(resume)
	if got := exited(); got != Killed {
		t.Fatalf("exit = %v", got)
	}
	if err := <-calls; !errors.Is(err, ErrKilled) {
		t.Fatalf("the call of a killed server = %v, want killed", err)
	}
	if terminated {
		t.Fatal("terminate ran for a killed server")
	}
}
