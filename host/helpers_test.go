package host

import (
	"context"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

// wait bounds every wait of a test for something that must happen; it
// never measures anything, it only keeps a broken test from hanging.
const wait = 10 * time.Second

func testNode(t testing.TB) *Node {
	t.Helper()
	return NewNode(Config{Name: "test@localhost", Creation: 7})
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return c
}

// fake is a Behaviour made of functions; the ones left nil behave as
// Defaults.
type fake struct {
	Defaults
	init      func(p *Process, args etf.Term) Result
	call      func(p *Process, req etf.Term, from From, state etf.Term) Result
	cast      func(p *Process, msg, state etf.Term) Result
	info      func(p *Process, msg, state etf.Term) Result
	cont      func(p *Process, cont, state etf.Term) Result
	terminate func(p *Process, reason, state etf.Term)
	change    func(p *Process, oldVsn, state, extra etf.Term) (etf.Term, error)
}

func (f *fake) Init(p *Process, args etf.Term) Result {
	if f.init == nil {
		return Ok(args)
	}
	return f.init(p, args)
}

func (f *fake) HandleCall(p *Process, req etf.Term, from From, state etf.Term) Result {
	if f.call == nil {
		return f.Defaults.HandleCall(p, req, from, state)
	}
	return f.call(p, req, from, state)
}

func (f *fake) HandleCast(p *Process, msg, state etf.Term) Result {
	if f.cast == nil {
		return f.Defaults.HandleCast(p, msg, state)
	}
	return f.cast(p, msg, state)
}

func (f *fake) HandleInfo(p *Process, msg, state etf.Term) Result {
	if f.info == nil {
		return f.Defaults.HandleInfo(p, msg, state)
	}
	return f.info(p, msg, state)
}

func (f *fake) HandleContinue(p *Process, cont, state etf.Term) Result {
	if f.cont == nil {
		return f.Defaults.HandleContinue(p, cont, state)
	}
	return f.cont(p, cont, state)
}

func (f *fake) Terminate(p *Process, reason, state etf.Term) {
	if f.terminate != nil {
		f.terminate(p, reason, state)
	}
}

func (f *fake) CodeChange(p *Process, oldVsn, state, extra etf.Term) (etf.Term, error) {
	if f.change == nil {
		return f.Defaults.CodeChange(p, oldVsn, state, extra)
	}
	return f.change(p, oldVsn, state, extra)
}

// echo replies to every call with the request, and keeps its state.
func echo() *fake {
	return &fake{call: func(_ *Process, req etf.Term, _ From, state etf.Term) Result {
		return Reply(req, state)
	}}
}

// probe is a process whose messages a test reads from a channel.
type probe struct {
	pid etf.Pid
	ch  chan etf.Term
}

// startProbe starts a probe; setup, if not nil, runs in its Init.
func startProbe(t testing.TB, n *Node, setup func(p *Process)) *probe {
	t.Helper()
	pr := &probe{ch: make(chan etf.Term, 1024)}
	pid, err := n.Start(&fake{
		init: func(p *Process, args etf.Term) Result {
			if setup != nil {
				setup(p)
			}
			return Ok(args)
		},
		info: func(_ *Process, msg, state etf.Term) Result {
			pr.ch <- msg
			return NoReply(state)
		},
	}, etf.Atom("probe"), Options{})
	if err != nil {
		t.Fatalf("start probe: %v", err)
	}
	pr.pid = pid
	return pr
}

// recv returns the next message of the probe.
func (pr *probe) recv(t testing.TB) etf.Term {
	t.Helper()
	select {
	case m := <-pr.ch:
		return m
	case <-time.After(wait):
		t.Fatalf("probe %v: no message", pr.pid)
		return nil
	}
}

// expect checks that the probe's next message equals want.
func (pr *probe) expect(t testing.TB, want etf.Term) {
	t.Helper()
	if got := pr.recv(t); !etf.Equal(got, want) {
		t.Fatalf("probe %v got %v, want %v", pr.pid, got, want)
	}
}

// expectNothing checks that nothing arrived before marker, which the
// test sends after what must not arrive: messages from one sender arrive
// in order.
func (pr *probe) expectNothingBefore(t testing.TB, n *Node) {
	t.Helper()
	marker := etf.Atom("marker")
	if err := n.Send(pr.pid, marker); err != nil {
		t.Fatal(err)
	}
	pr.expect(t, marker)
}

// down returns the DOWN message of a monitor.
func down(ref etf.Ref, object, reason etf.Term) etf.Term {
	return etf.Tuple{etf.Atom("DOWN"), ref, etf.Atom("process"), object, reason}
}

// alive reports whether pid names a living process of n.
func alive(n *Node, pid etf.Pid) bool {
	return n.process(pid) != nil
}

// watch monitors pid from a new probe and returns a function that waits
// for pid's end and returns its exit reason. Watch before causing the end:
// a process that is dead already gives noproc.
func watch(t testing.TB, n *Node, pid etf.Pid) func() etf.Term {
	t.Helper()
	var ref etf.Ref
	pr := startProbe(t, n, func(p *Process) {
		var err error
		if ref, err = p.Monitor(pid); err != nil {
			t.Error(err)
		}
	})
	return func() etf.Term {
		t.Helper()
		m := pr.recv(t)
		d, ok := m.(etf.Tuple)
		if !ok || len(d) != 5 || d[1] != ref {
			t.Fatalf("watch %v: got %v", pid, m)
		}
		return d[4]
	}
}

// kill kills pid and waits until it is dead.
func kill(t testing.TB, n *Node, pid etf.Pid) {
	t.Helper()
	dead := watch(t, n, pid)
	n.Exit(pid, Kill)
	dead()
}

// queued reports whether p's mailbox holds an item match accepts.
func queued(p *Process, match func(any) bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mail.find(match) >= 0
}
