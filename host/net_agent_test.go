package host

import (
	"testing"

	"github.com/creo-dev/creo/etf"
)

// agent is a creo server that an interop test drives from the other node:
// its calls make it act (link, monitor, trap exits, send, stop), and it
// forwards every message and cast it receives, as {agent, Name, Msg}, to
// the process its state names, so that the test reads them where it runs.
type agent struct {
	Defaults
	name etf.Atom
}

// startAgent starts an agent registered as name that reports to
// reportTo, a pid, or nobody until a {report_to, Pid} call.
func startAgent(t testing.TB, n *Node, name etf.Atom, reportTo etf.Term) etf.Pid {
	t.Helper()
	if reportTo == nil {
		reportTo = etf.Atom("nobody")
	}
	pid, err := n.Start(&agent{name: name}, reportTo, Options{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func (*agent) Init(_ *Process, reportTo etf.Term) Result { return Ok(reportTo) }

var atomOK = etf.Atom("ok")

func (a *agent) HandleCall(p *Process, req etf.Term, _ From, state etf.Term) Result {
	if req = decoded(req); req == etf.Atom("self") {
		return Reply(p.Self(), state)
	}
	t, _ := req.(etf.Tuple)
	if len(t) < 2 {
		return Reply(req, state)
	}
	pid, _ := t[1].(etf.Pid)
	switch t[0] {
	case etf.Atom("report_to"):
		return Reply(atomOK, t[1])
	case etf.Atom("trap_exit"):
		p.TrapExit(t[1] == etf.True)
	case etf.Atom("link"):
		if err := p.Link(pid); err != nil {
			return Reply(ExitReason(err), state)
		}
	case etf.Atom("unlink"):
		p.Unlink(pid)
	case etf.Atom("monitor"):
		ref, err := p.Monitor(t[1])
		if err != nil {
			return Reply(ExitReason(err), state)
		}
		return Reply(ref, state)
	case etf.Atom("exit"):
		p.Exit(pid, t[2])
	case etf.Atom("stop"):
		return StopReply(t[1], atomOK, state)
	case etf.Atom("send"):
		// {send, To, Count}: the integers 1 to Count, in order.
		for i := range t[2].(etf.Int) {
			if err := p.Send(t[1], i+1); err != nil {
				return Reply(ExitReason(err), state)
			}
		}
	default:
		return Reply(req, state)
	}
	return Reply(atomOK, state)
}

func (a *agent) HandleCast(p *Process, msg, state etf.Term) Result {
	a.report(p, etf.Tuple{etf.Atom("cast"), msg}, state)
	return NoReply(state)
}

func (a *agent) HandleInfo(p *Process, msg, state etf.Term) Result {
	a.report(p, msg, state)
	return NoReply(state)
}

func (a *agent) report(p *Process, msg, reportTo etf.Term) {
	if to, ok := reportTo.(etf.Pid); ok {
		_ = p.Send(to, etf.Tuple{etf.Atom("agent"), a.name, msg})
	}
}

// orderCheck is a creo server that checks the integers sent to it arrive as
// 1, 2, 3...: a call to it returns {Count, in_order}, or
// {Count, {out_of_order, Expected, Got}} at the first one out of order.
type orderCheck struct{ Defaults }

func (orderCheck) Init(*Process, etf.Term) Result {
	return Ok(etf.Tuple{etf.Int(0), etf.Atom("in_order")})
}

func (orderCheck) HandleInfo(_ *Process, msg, state etf.Term) Result {
	s := state.(etf.Tuple)
	count := s[0].(etf.Int) + 1
	if s[1] == etf.Atom("in_order") && !etf.Equal(msg, count) {
		s = etf.Tuple{s[0], etf.Tuple{etf.Atom("out_of_order"), count, decoded(msg)}}
	}
	return NoReply(etf.Tuple{count, s[1]})
}

func (orderCheck) HandleCall(_ *Process, _ etf.Term, _ From, state etf.Term) Result {
	return Reply(state, state)
}
