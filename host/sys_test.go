package host

import (
	"errors"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// sysCall sends {system, From, req} as sys:send_system_msg does and
// returns the reply.
func sysCall(t testing.TB, n *Node, to, req etf.Term) etf.Term {
	t.Helper()
	got, err := n.systemRequest(ctx(t), to, req)
	if err != nil {
		t.Fatalf("sys %v: %v", req, err)
	}
	return got
}

type counter struct{ Defaults }

func (counter) Module() etf.Atom { return "counter" }

func (counter) Init(_ *Process, args etf.Term) Result { return Ok(args) }

func (counter) HandleCall(_ *Process, _ etf.Term, _ From, state etf.Term) Result {
	return Reply(state, state.(etf.Int)+1)
}

func TestSysReplies(t *testing.T) {
	n := testNode(t)
	pid, err := n.Start(counter{}, etf.Int(1), Options{Name: "counter"})
	if err != nil {
		t.Fatal(err)
	}
	unnamed, err := n.Start(counter{}, etf.Int(5), Options{})
	if err != nil {
		t.Fatal(err)
	}
	ok := etf.Atom("ok")
	status := func(pid etf.Pid, header string, sysState etf.Atom, state etf.Term) etf.Term {
		return etf.Tuple{
			etf.Atom("status"), pid, etf.Tuple{etf.Atom("module"), etf.Atom("gen_server")},
			etf.List{
				etf.List{
					etf.Tuple{etf.Atom("$initial_call"), etf.Tuple{etf.Atom("counter"), etf.Atom("init"), etf.Int(1)}},
					etf.Tuple{etf.Atom("$ancestors"), etf.List{}},
				},
				sysState, pid, etf.List{},
				etf.List{
					etf.Tuple{etf.Atom("header"), charlist(header)},
					etf.Tuple{etf.Atom("data"), etf.List{
						etf.Tuple{charlist("Status"), sysState},
						etf.Tuple{charlist("Parent"), pid},
						etf.Tuple{charlist("Logged events"), etf.List{}},
					}},
					etf.Tuple{etf.Atom("data"), etf.List{etf.Tuple{charlist("State"), state}}},
				},
			},
		}
	}
	for _, tc := range []struct {
		name string
		to   etf.Term
		req  etf.Term
		want etf.Term
	}{
		{"get_state", pid, etf.Atom("get_state"), etf.Int(1)},
		{"get_status of a named server", pid, etf.Atom("get_status"), status(pid, "Status for generic server counter", "running", etf.Int(1))},
		{"get_status of an unnamed server", unnamed, etf.Atom("get_status"), status(unnamed, "Status for generic server "+pidString(unnamed), "running", etf.Int(5))},
		{"suspend", pid, etf.Atom("suspend"), ok},
		{"get_status while suspended", pid, etf.Atom("get_status"), status(pid, "Status for generic server counter", "suspended", etf.Int(1))},
		{"change_code while suspended", pid, etf.Tuple{etf.Atom("change_code"), etf.Atom("counter"), etf.Atom("old"), etf.Atom("extra")}, ok},
		{"resume", pid, etf.Atom("resume"), ok},
		{"change_code while running", pid, etf.Tuple{etf.Atom("change_code"), etf.Atom("counter"), etf.Atom("old"), etf.Atom("extra")},
			etf.Tuple{etf.Atom("error"), etf.Tuple{etf.Atom("unknown_system_msg"), etf.Tuple{etf.Atom("change_code"), etf.Atom("counter"), etf.Atom("old"), etf.Atom("extra")}}}},
		{"replace_state with an Erlang fun", pid, etf.Tuple{etf.Atom("replace_state"), etf.Fun{Module: "erl_eval", Arity: 1}},
			etf.Tuple{etf.Atom("error"), etf.Tuple{etf.Atom("callback_failed"), etf.Tuple{etf.Atom("gen_server"), etf.Atom("system_replace_state")}, etf.Tuple{etf.Atom("error"), etf.Atom("notsup")}}}},
		{"log get", pid, etf.Tuple{etf.Atom("debug"), etf.Tuple{etf.Atom("log"), etf.Atom("get")}}, etf.Tuple{ok, etf.List{}}},
		{"statistics get", pid, etf.Tuple{etf.Atom("debug"), etf.Tuple{etf.Atom("statistics"), etf.Atom("get")}}, etf.Tuple{ok, etf.Atom("no_statistics")}},
		{"no_debug", pid, etf.Tuple{etf.Atom("debug"), etf.Atom("no_debug")}, ok},
		{"unknown", pid, etf.Atom("foo"), etf.Tuple{etf.Atom("error"), etf.Tuple{etf.Atom("unknown_system_msg"), etf.Atom("foo")}}},
		{"unknown debug", pid, etf.Tuple{etf.Atom("debug"), etf.Atom("foo")}, etf.Tuple{etf.Atom("error"), etf.Tuple{etf.Atom("unknown_system_msg"), etf.Tuple{etf.Atom("debug"), etf.Atom("foo")}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sysCall(t, n, tc.to, tc.req); !etf.Equal(got, tc.want) {
				t.Fatalf("reply\n got %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestSuspendHoldsMessages(t *testing.T) {
	n := testNode(t)
	pid, err := n.Start(counter{}, etf.Int(0), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Suspend(ctx(t), pid); err != nil {
		t.Fatal(err)
	}
	replies := make(chan etf.Term, 1)
	go func() {
		got, err := n.Call(ctx(t), pid, etf.Atom("next"), Infinity)
		if err != nil {
			t.Error(err)
		}
		replies <- got
	}()
	// The call waits in the mailbox; sys requests still get answers.
	for !queued(n.process(pid), func(x any) bool { r, ok := x.(*request); return ok && r.kind == reqCall }) {
		if _, err := n.GetState(ctx(t), pid); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case got := <-replies:
		t.Fatalf("a suspended server replied %v", got)
	default:
	}
	if err := n.Resume(ctx(t), pid); err != nil {
		t.Fatal(err)
	}
	if got := <-replies; got != etf.Int(0) {
		t.Fatalf("reply = %v", got)
	}
}

func TestReplaceState(t *testing.T) {
	n := testNode(t)
	pid, err := n.Start(counter{}, etf.Int(1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := n.ReplaceState(ctx(t), pid, func(s etf.Term) etf.Term { return s.(etf.Int) * 10 })
	if err != nil || got != etf.Int(10) {
		t.Fatalf("ReplaceState = %v, %v", got, err)
	}
	if got, err := n.Call(ctx(t), pid, etf.Atom("get"), Infinity); err != nil || got != etf.Int(10) {
		t.Fatalf("Call after ReplaceState = %v, %v", got, err)
	}
}

type counterV2 struct{ counter }

func (counterV2) HandleCall(_ *Process, _ etf.Term, _ From, state etf.Term) Result {
	return Reply(etf.Tuple{etf.Atom("v2"), state}, state)
}

func (counterV2) CodeChange(_ *Process, oldVsn, state, _ etf.Term) (etf.Term, error) {
	if oldVsn != etf.Atom("v1") {
		return nil, &ExitError{Reason: etf.Atom("unknown_vsn")}
	}
	return state.(etf.Int) * 100, nil
}

func TestChangeCode(t *testing.T) {
	n := testNode(t)
	pid, err := n.Start(counter{}, etf.Int(1), Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = n.ChangeCode(ctx(t), pid, counterV2{}, etf.Atom("v0"), nil)
	if !errors.Is(err, &ExitError{Reason: etf.Atom("unknown_vsn")}) {
		t.Fatalf("failed ChangeCode = %v", err)
	}
	if got, _ := n.Call(ctx(t), pid, etf.Atom("get"), Infinity); got != etf.Int(1) {
		t.Fatalf("after a failed change the old code gave %v", got)
	}
	if err := n.ChangeCode(ctx(t), pid, counterV2{}, etf.Atom("v1"), nil); err != nil {
		t.Fatal(err)
	}
	got, _ := n.Call(ctx(t), pid, etf.Atom("get"), Infinity)
	if want := (etf.Tuple{etf.Atom("v2"), etf.Int(200)}); !etf.Equal(got, want) {
		t.Fatalf("after the change: %v, want %v", got, want)
	}
}

// gatedCounter is a counter whose call block waits for gate to close.
type gatedCounter struct {
	counter
	gate chan struct{}
}

func (g gatedCounter) HandleCall(p *Process, req etf.Term, from From, state etf.Term) Result {
	if req == etf.Atom("block") {
		<-g.gate
	}
	return g.counter.HandleCall(p, req, from, state)
}

// TestChangeCodeBetweenMessages changes the code of a server that is busy
// in a call, and of one suspended with a call queued: the change runs
// after the call under way and before the call queued after it.
func TestChangeCodeBetweenMessages(t *testing.T) {
	for _, tc := range []struct {
		name    string
		suspend bool     // else a call is under way
		want    etf.Term // the reply to the call after the change
	}{
		{name: "busy", want: etf.Tuple{etf.Atom("v2"), etf.Int(200)}},
		{name: "suspended", suspend: true, want: etf.Tuple{etf.Atom("v2"), etf.Int(100)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := testNode(t)
			gate := make(chan struct{})
			pid, err := n.Start(gatedCounter{gate: gate}, etf.Int(1), Options{})
			if err != nil {
				t.Fatal(err)
			}
			isCall := func(x any) bool { r, ok := x.(*request); return ok && r.kind == reqCall }
			call := func(req etf.Term) <-chan etf.Term { return callLater(t, n, pid, req) }
			var after <-chan etf.Term // the reply to the call after the change
			changed := make(chan error, 1)
			if tc.suspend {
				if err := n.Suspend(ctx(t), pid); err != nil {
					t.Fatal(err)
				}
				after = call(etf.Atom("get"))
				eventually(t, "the call is queued", func() bool { return queued(n.process(pid), isCall) })
				changed <- n.ChangeCode(ctx(t), pid, counterV2{}, etf.Atom("v1"), nil)
				if err := n.Resume(ctx(t), pid); err != nil {
					t.Fatal(err)
				}
			} else {
				during := call(etf.Atom("block"))
				eventually(t, "the server is in the call", func() bool { return busy(n.process(pid)) && !queued(n.process(pid), isCall) })
				go func() { changed <- n.ChangeCode(ctx(t), pid, counterV2{}, etf.Atom("v1"), nil) }()
				eventually(t, "the change is queued", func() bool {
					return queued(n.process(pid), func(x any) bool { r, ok := x.(*request); return ok && r.kind == reqExec })
				})
				after = call(etf.Atom("get"))
				eventually(t, "the second call is queued", func() bool { return queued(n.process(pid), isCall) })
				close(gate)
				if got := <-during; got != etf.Int(1) {
					t.Fatalf("the call under way got %v, want the old code's 1", got)
				}
			}
			if err := <-changed; err != nil {
				t.Fatalf("ChangeCode: %v", err)
			}
			if got := <-after; !etf.Equal(got, tc.want) {
				t.Fatalf("the call after the change got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestChangeCodeIfIdle: changeCodeIfIdle changes nothing on a server busy
// in a call, or on a name with no process, and changes an idle server's
// code at once.
func TestChangeCodeIfIdle(t *testing.T) {
	n := testNode(t)
	gate := make(chan struct{})
	pid, err := n.Start(gatedCounter{gate: gate}, etf.Int(1), Options{Name: "gated"})
	if err != nil {
		t.Fatal(err)
	}
	if done, err := n.changeCodeIfIdle(etf.Atom("nobody"), counterV2{}, etf.Atom("v1"), nil); done || err != nil {
		t.Fatalf("on a name with no process: %v, %v; want false, nil", done, err)
	}
	during := callLater(t, n, pid, etf.Atom("block"))
	isCall := func(x any) bool { r, ok := x.(*request); return ok && r.kind == reqCall }
	eventually(t, "the server is in the call", func() bool { return busy(n.process(pid)) && !queued(n.process(pid), isCall) })
	if done, err := n.changeCodeIfIdle(etf.Atom("gated"), counterV2{}, etf.Atom("v1"), nil); done || err != nil {
		t.Fatalf("on a busy server: %v, %v; want false, nil", done, err)
	}
	close(gate)
	if got := <-during; got != etf.Int(1) {
		t.Fatalf("the call got %v, want 1", got)
	}
	eventually(t, "the server is idle", func() bool { return !busy(n.process(pid)) })
	if done, err := n.changeCodeIfIdle(etf.Atom("gated"), counterV2{}, etf.Atom("v1"), nil); !done || err != nil {
		t.Fatalf("on an idle server: %v, %v; want true, nil", done, err)
	}
	got, _ := n.Call(ctx(t), pid, etf.Atom("get"), Infinity)
	if want := (etf.Tuple{etf.Atom("v2"), etf.Int(200)}); !etf.Equal(got, want) {
		t.Fatalf("after the change: %v, want %v", got, want)
	}
}

// callLater calls to with req from another goroutine; the reply comes on
// the channel it returns.
func callLater(t *testing.T, n *Node, to, req etf.Term) <-chan etf.Term {
	reply := make(chan etf.Term, 1)
	go func() {
		got, err := n.Call(ctx(t), to, req, Infinity)
		if err != nil {
			t.Error(err)
		}
		reply <- got
	}()
	return reply
}

// busy reports whether a runner holds p.
func busy(p *Process) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status == running
}

func TestSysTerminate(t *testing.T) {
	n := testNode(t)
	terminated := make(chan etf.Term, 1)
	pid, err := n.Start(&fake{terminate: func(_ *Process, reason, _ etf.Term) { terminated <- reason }}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	exited := watch(t, n, pid)
	if got := sysCall(t, n, pid, etf.Tuple{etf.Atom("terminate"), etf.Atom("bye")}); got != etf.Atom("ok") {
		t.Fatalf("reply %v", got)
	}
	if got := exited(); got != etf.Atom("bye") {
		t.Fatalf("exit %v", got)
	}
	if got := <-terminated; got != etf.Atom("bye") {
		t.Fatalf("terminate got %v", got)
	}
}
