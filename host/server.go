package host

import (
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/creo-dev/creo/dist"
	"github.com/creo-dev/creo/etf"
)

// server is the gen_server half of a process. Its fields are owned by the
// goroutine that runs the process, except where noted.
type server struct {
	behaviour Behaviour
	state     etf.Term
	parent    etf.Pid  // the linked starter; the process itself when started unlinked
	ancestor  etf.Pid  // the starter, for '$ancestors'
	startName etf.Atom // the name the server was started with
	suspended bool     // written under Process.mu, read by introspection
	cont      etf.Term // a continue returned by Init, to run first
	waiter    *waiter  // reused by every wait
	// reader is the connection reader the process runs on, if it does
	// (runOnReader), until it goes idle.
	reader dist.InlineRun
	// lent is the lent message being handled, until its buffer is given
	// back.
	lent *lentMessage
	// from is the From of the latest call to a Wasm server, encoded for
	// its guest (see wasmFrom).
	from *encodedFrom

	// The timeout of the last Result: timer delivers a timeoutTick with
	// the generation it was armed at; handling any other message first
	// bumps the generation, which makes that tick stale.
	timer    *time.Timer
	timerGen atomic.Uint32
	armed    bool
	timeout  time.Duration // the last timeout armed
}

// timeoutTick is the mailbox item of an expired Result timeout.
type timeoutTick uint32

// callback names a Behaviour callback that returns a Result.
type callback uint8

const (
	cbInit callback = iota
	cbCall
	cbCast
	cbInfo
	cbContinue
)

// allows reports whether a callback may return r, as gen_server accepts.
func (cb callback) allows(r Result) bool {
	switch r.Kind {
	case KindOk:
		return cb == cbInit
	case KindIgnore:
		return cb == cbInit && r.Action.Kind == ActionNone
	case KindReply:
		return cb == cbCall
	case KindNoReply:
		return cb != cbInit
	case KindStop:
		return cb == cbCall || r.Reply == nil
	}
	return false
}

// invoke runs callback cb and recovers a panic into the exit reason it
// stands for. Recovering every panic here, not only the runtime's own, is
// what keeps one server's crash from taking the node down.
func (p *Process) invoke(cb callback, arg etf.Term, from From) (r Result, crash etf.Term) {
	defer p.catch(&crash)
	b := p.behaviour
	switch cb {
	case cbInit:
		r = b.Init(p, arg)
	case cbCall:
		r = b.HandleCall(p, arg, from, p.state)
	case cbCast:
		r = b.HandleCast(p, arg, p.state)
	case cbInfo:
		r = b.HandleInfo(p, arg, p.state)
	case cbContinue:
		r = b.HandleContinue(p, arg, p.state)
	}
	p.giveBack(cb, arg)
	return r, nil
}

// catch, deferred, recovers a panic of a callback into *crash.
func (p *Process) catch(crash *etf.Term) {
	if v := recover(); v != nil {
		*crash = p.crashReason(v)
	}
}

// crashReason returns the exit reason of a panic with value v: the reason
// given to Exit, or {panic, Message} for anything else, whose stack goes
// to the log.
func (p *Process) crashReason(v any) etf.Term {
	if e, ok := v.(exitPanic); ok {
		return e.reason
	}
	msg := fmt.Sprint(v)
	p.node.log.Error("host: callback panicked", "pid", p.pid, "panic", msg, "stack", string(debug.Stack()))
	return etf.Tuple{etf.Atom("panic"), etf.Binary(msg)}
}

// dispatch runs callback cb on arg and acts on its result, running
// HandleContinue as long as results ask for it. It reports whether the
// process lives on.
func (p *Process) dispatch(cb callback, arg etf.Term, from From) bool {
	for {
		r, crash := p.invoke(cb, arg, from)
		if reason := p.fatal(); reason != nil {
			// Killed during the callback: the process is dead already as
			// far as OTP goes, so its result is not acted on, and
			// terminate does not run.
			p.exit(reason)
			return false
		}
		if crash != nil {
			p.stop(crash)
			return false
		}
		if !cb.allows(r) {
			p.stop(etf.Tuple{etf.Atom("bad_return_value"), r.Term()})
			return false
		}
		p.state = r.State
		switch r.Kind {
		case KindReply:
			p.node.replyThen(p.pid, from, r.Reply, r.release)
		case KindStop:
			reason := p.terminate(r.Reason)
			if r.Reply != nil {
				p.node.reply(p.pid, from, r.Reply)
			}
			p.exit(reason)
			return false
		}
		if r.Action.Kind != ActionContinue {
			p.act(r.Action)
			return true
		}
		cb, arg = cbContinue, r.Action.Continue
	}
}

// fatal returns the reason of a pending exit signal, or nil. It runs after
// every callback, and takes the mutex only once a signal has come.
func (p *Process) fatal() etf.Term {
	if !p.doomed.Load() {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pending
}

// act applies the action of a result that needs no further callback.
func (p *Process) act(a Action) {
	switch a.Kind {
	case ActionTimeout:
		p.armTimeout(a.Timeout)
	case ActionHibernate:
		p.mu.Lock()
		if p.mail.len() == 0 {
			p.mail.clear()
		}
		p.mu.Unlock()
	}
}

// runContinue runs the continue Init asked for, before any message. It
// reports whether the process lives on.
func (p *Process) runContinue() bool {
	cont := p.cont
	p.cont = nil
	return p.dispatch(cbContinue, cont, From{})
}

// stop terminates the server with reason and ends the process.
func (p *Process) stop(reason etf.Term) {
	p.exit(p.terminate(reason))
}

// terminate runs Terminate and reports a crash that is not a clean exit,
// as gen_server does. It returns the reason to exit with: reason, or the
// crash of Terminate itself.
func (p *Process) terminate(reason etf.Term) etf.Term {
	if v := p.runTerminate(reason); v != nil {
		reason = v
	}
	if !IsClean(reason) {
		p.node.log.Error("host: server terminating", "pid", p.pid, "name", p.startName, "reason", reason)
	}
	return reason
}

func (p *Process) runTerminate(reason etf.Term) (crash etf.Term) {
	defer p.catch(&crash)
	p.behaviour.Terminate(p, reason, p.state)
	return nil
}

// handle handles one mailbox item and reports whether the process lives on.
func (p *Process) handle(x any) bool {
	if tick, ok := x.(timeoutTick); ok {
		if !p.armed || uint32(tick) != p.timerGen.Load() {
			return true
		}
		p.armed = false
		return p.dispatch(cbInfo, Timeout, From{})
	}
	armed := p.armed
	p.stopTimeout()
	alive := true
	switch m := x.(type) {
	case *request:
		alive = p.handleRequest(m)
	case *lentMessage:
		alive = p.handleLent(m)
	case etf.Term:
		alive = p.handleMessage(m)
	}
	// A sys request does not count as the message the timeout waits
	// for: the wait starts again, as gen_server's system_continue does.
	if armed && alive && !p.armed && p.isSystem(x) {
		p.armTimeout(p.timeout)
	}
	return alive
}

// handleMessage handles a message as gen_server does: its own call, cast
// and system messages, the parent's exit signal, and anything else to
// HandleInfo.
func (p *Process) handleMessage(m etf.Term) bool {
	if r, ok := m.(etf.Raw); ok {
		if from, req, ok := rawCall(r); ok {
			return p.dispatch(cbCall, req, from)
		}
	}
	kind, a, b := classify(m)
	switch kind {
	case msgCall, msgSystem:
		from, ok := FromTerm(a)
		if !ok {
			break
		}
		if kind == msgSystem {
			return p.handleSystem(from, b)
		}
		return p.dispatch(cbCall, b, from)
	case msgCast:
		return p.dispatch(cbCast, a, From{})
	case msgExit:
		if a == p.parent {
			p.stop(b)
			return false
		}
	}
	return p.dispatch(cbInfo, m, From{})
}

// armTimeout starts the timeout of a Result.
func (p *Process) armTimeout(d time.Duration) {
	p.timerGen.Add(1)
	p.armed, p.timeout = true, d
	if p.timer == nil {
		p.timer = time.AfterFunc(d, func() { p.deliver(timeoutTick(p.timerGen.Load())) })
		return
	}
	p.timer.Reset(d)
}

// stopTimeout cancels the timeout of the last Result, if it is armed.
func (p *Process) stopTimeout() {
	if !p.armed {
		return
	}
	p.armed = false
	p.timerGen.Add(1)
	p.timer.Stop()
}
