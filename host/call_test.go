package host

import (
	"errors"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

func TestCallReplies(t *testing.T) {
	n := testNode(t)
	pid, err := n.Start(echo(), nil, Options{Name: "echo"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		to   etf.Term
	}{
		{"by pid", pid},
		{"by name", etf.Atom("echo")},
		{"by name and node", etf.Tuple{etf.Atom("echo"), n.Name()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := etf.Tuple{etf.Atom("hello"), etf.Int(42)}
			got, err := n.Call(ctx(t), tc.to, req, Infinity)
			if err != nil || !etf.Equal(got, req) {
				t.Fatalf("Call = %v, %v; want %v", got, err, req)
			}
		})
	}
}

func TestCallFailures(t *testing.T) {
	n := testNode(t)
	dead, err := n.Start(&fake{init: func(*Process, etf.Term) Result { return Ok(nil) }}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	kill(t, n, dead)
	stopper, err := n.Start(&fake{call: func(_ *Process, _ etf.Term, _ From, s etf.Term) Result {
		return Stop(etf.Atom("myreason"), s)
	}}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	silent, err := n.Start(&fake{call: func(_ *Process, _ etf.Term, _ From, s etf.Term) Result {
		return NoReply(s)
	}}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		to      etf.Term
		timeout time.Duration
		want    etf.Term
	}{
		{"unregistered name gets noproc at once", etf.Atom("nosuch"), Infinity, Noproc},
		{"dead pid gets noproc at once", dead, Infinity, Noproc},
		{"pid of an old incarnation gets noproc", etf.Pid{Node: n.Name(), ID: 1, Serial: 1, Creation: 6}, Infinity, Noproc},
		{"server that stops gets its reason", stopper, Infinity, etf.Atom("myreason")},
		{"server that never replies times out", silent, time.Millisecond, Timeout},
		{"not a process is badarg", etf.Int(3), Infinity, etf.Atom("badarg")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := n.Call(ctx(t), tc.to, etf.Atom("req"), tc.timeout)
			if !errors.Is(err, &ExitError{Reason: tc.want}) {
				t.Fatalf("Call error = %v, want exit %v", err, tc.want)
			}
		})
	}
}

func TestDeferredReply(t *testing.T) {
	n := testNode(t)
	// The server parks each From and answers it on the next cast.
	parked := make(chan struct{}, 1)
	pid, err := n.Start(&fake{
		call: func(_ *Process, _ etf.Term, from From, _ etf.Term) Result {
			parked <- struct{}{}
			return NoReply(from.Term())
		},
		cast: func(p *Process, msg, state etf.Term) Result {
			from, _ := FromTerm(state)
			p.Reply(from, msg)
			return NoReply(nil)
		},
	}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		<-parked
		n.Cast(pid, etf.Atom("answer"))
	}()
	got, err := n.Call(ctx(t), pid, etf.Atom("wait"), Infinity)
	if err != nil || got != etf.Atom("answer") {
		t.Fatalf("Call = %v, %v; want answer", got, err)
	}
}

func TestCallFromCallback(t *testing.T) {
	n := testNode(t)
	backend, err := n.Start(echo(), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	front, err := n.Start(&fake{call: func(p *Process, req etf.Term, _ From, s etf.Term) Result {
		got, err := p.Call(ctx(t), backend, req, Infinity)
		if err != nil {
			return Stop(ExitReason(err), s)
		}
		return Reply(etf.Tuple{etf.Atom("via"), got}, s)
	}}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := n.Call(ctx(t), front, etf.Atom("x"), Infinity)
	want := etf.Tuple{etf.Atom("via"), etf.Atom("x")}
	if err != nil || !etf.Equal(got, want) {
		t.Fatalf("Call = %v, %v; want %v", got, err, want)
	}
}

func TestCallSelf(t *testing.T) {
	n := testNode(t)
	pid, err := n.Start(&fake{call: func(p *Process, _ etf.Term, _ From, s etf.Term) Result {
		_, err := p.Call(ctx(t), p.Self(), etf.Atom("again"), Infinity)
		return Reply(ExitReason(err), s)
	}}, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := n.Call(ctx(t), pid, etf.Atom("x"), Infinity)
	if err != nil || got != etf.Atom("calling_self") {
		t.Fatalf("Call = %v, %v; want calling_self", got, err)
	}
}
