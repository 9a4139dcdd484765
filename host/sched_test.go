package host

import (
	"testing"

	"github.com/creo-dev/creo/etf"
)

// TestServerOnReader calls, from another node, servers that run on the
// reader of the connection the call came on: one that blocks does not
// hold up calls to the others, and one that calls back to the caller's
// node, whose reply comes on that same connection, answers.
func TestServerOnReader(t *testing.T) {
	addr := testEPMD(t)
	caller, server := startNet(t, addr), startNet(t, addr)
	c := ctx(t)
	unblock := make(chan struct{})
	blocked := make(chan struct{})
	for _, s := range []struct {
		name string
		b    Behaviour
	}{
		{name: "echo", b: echo()},
		{name: "blocker", b: &fake{call: func(_ *Process, req etf.Term, _ From, state etf.Term) Result {
			close(blocked)
			<-unblock
			return Reply(req, state)
		}}},
		{name: "caller", b: &fake{call: func(p *Process, req etf.Term, _ From, state etf.Term) Result {
			reply, err := p.Call(c, etf.Tuple{etf.Atom("echo"), caller.Name()}, req, Infinity)
			if err != nil {
				return Stop(etf.Binary(err.Error()), state)
			}
			return Reply(reply, state)
		}}},
	} {
		if _, err := server.Start(s.b, nil, Options{Name: etf.Atom(s.name)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := caller.Start(echo(), nil, Options{Name: "echo"}); err != nil {
		t.Fatal(err)
	}
	at := func(name string) etf.Term { return etf.Tuple{etf.Atom(name), server.Name()} }

	blockerReplied := make(chan error, 1)
	go func() {
		_, err := caller.Call(c, at("blocker"), etf.Atom("wait"), Infinity)
		blockerReplied <- err
	}()
	<-blocked
	for _, tc := range []struct {
		name string
		to   string
	}{
		{name: "a server beside a blocked one", to: "echo"},
		{name: "a server that calls the caller's node", to: "caller"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := etf.Tuple{etf.Atom("ping"), etf.Binary(tc.name)}
			got, err := caller.Call(c, at(tc.to), req, Infinity)
			if err != nil {
				t.Fatal(err)
			}
			if !etf.Equal(decoded(got), req) {
				t.Errorf("got %v, want %v", got, req)
			}
		})
	}
	close(unblock)
	if err := <-blockerReplied; err != nil {
		t.Errorf("the blocked call: %v", err)
	}
}
