package host

import (
	"context"
	"fmt"
	"reflect"

	"github.com/creo-dev/creo/etf"
)

// handleSystem answers a sys request, {system, From, Request}, as OTP's
// sys module and gen_server's system callbacks do, so that :sys.get_state,
// :sys.get_status, :sys.suspend, :sys.resume, :sys.replace_state,
// :sys.change_code and :sys.terminate from any node get OTP's replies. It
// reports whether the process lives on.
func (p *Process) handleSystem(from From, req etf.Term) bool {
	n := p.node
	req = decoded(req)
	switch req {
	case etf.Atom("get_state"):
		// sys replies with the bare state: sys:get_state/1 returns it as
		// it comes.
		n.reply(p.pid, from, p.state)
		return true
	case etf.Atom("get_status"):
		n.reply(p.pid, from, p.sysStatus())
		return true
	case etf.Atom("suspend"), etf.Atom("resume"):
		p.mu.Lock()
		p.suspended = req == etf.Atom("suspend")
		p.mu.Unlock()
		n.reply(p.pid, from, etf.Atom("ok"))
		return true
	}
	t, _ := req.(etf.Tuple)
	var tag etf.Atom
	if len(t) > 0 {
		tag, _ = t[0].(etf.Atom)
	}
	switch {
	case tag == "terminate" && len(t) == 2:
		n.reply(p.pid, from, etf.Atom("ok"))
		p.stop(t[1])
		return false
	case tag == "replace_state" && len(t) == 2:
		// The function is an Erlang fun, which a Go node cannot run: the
		// caller gets the error OTP gives for a function that failed.
		n.reply(p.pid, from, etf.Tuple{etf.Atom("error"), etf.Tuple{
			etf.Atom("callback_failed"),
			etf.Tuple{etf.Atom("gen_server"), etf.Atom("system_replace_state")},
			etf.Tuple{etf.Atom("error"), etf.Atom("notsup")},
		}})
		return true
	case tag == "change_code" && len(t) == 4 && p.suspended:
		n.reply(p.pid, from, p.changeCode(p.behaviour, t[2], t[3]))
		return true
	case tag == "debug" && len(t) == 2:
		if r, ok := debugReply(t[1]); ok {
			n.reply(p.pid, from, r)
			return true
		}
	}
	n.reply(p.pid, from, etf.Tuple{etf.Atom("error"), etf.Tuple{etf.Atom("unknown_system_msg"), req}})
	return true
}

// debugReply answers the sys debug requests that read: creo keeps no
// debug log or statistics, so they read as empty, as on a server whose
// debugging was never turned on.
func debugReply(req etf.Term) (etf.Term, bool) {
	ok := etf.Atom("ok")
	switch {
	case etf.Equal(req, etf.Tuple{etf.Atom("log"), etf.Atom("get")}):
		return etf.Tuple{ok, etf.List{}}, true
	case etf.Equal(req, etf.Tuple{etf.Atom("statistics"), etf.Atom("get")}):
		return etf.Tuple{ok, etf.Atom("no_statistics")}, true
	case req == etf.Atom("no_debug"):
		return ok, true
	}
	return nil, false
}

// changeCode runs b's CodeChange on the state and, when it succeeds, makes
// b the server's behaviour. It returns ok, or {error, Reason} with the old
// code still running.
func (p *Process) changeCode(b Behaviour, oldVsn, extra etf.Term) (reply etf.Term) {
	defer func() {
		if v := recover(); v != nil {
			reply = etf.Tuple{etf.Atom("error"), p.crashReason(v)}
		}
	}()
	state, err := b.CodeChange(p, oldVsn, p.state, extra)
	if err != nil {
		return etf.Tuple{etf.Atom("error"), ExitReason(err)}
	}
	p.mu.Lock()
	p.behaviour = b
	p.mu.Unlock()
	p.state = state
	return etf.Atom("ok")
}

// sysStatus returns what sys:get_status/1 returns for a gen_server:
// {status, Pid, {module, gen_server}, [PDict, SysState, Parent, Debug, Misc]}.
func (p *Process) sysStatus() etf.Term {
	sysState := etf.Atom("running")
	if p.suspended {
		sysState = "suspended"
	}
	ancestors := etf.List{}
	if p.ancestor != (etf.Pid{}) {
		ancestors = etf.List{p.ancestor}
	}
	pdict := etf.List{
		etf.Tuple{etf.Atom("$initial_call"), etf.Tuple{moduleName(p.behaviour), etf.Atom("init"), etf.Int(1)}},
		etf.Tuple{etf.Atom("$ancestors"), ancestors},
	}
	name := string(p.startName)
	if name == "" {
		name = pidString(p.pid)
	}
	misc := etf.List{
		etf.Tuple{etf.Atom("header"), charlist("Status for generic server " + name)},
		etf.Tuple{etf.Atom("data"), etf.List{
			etf.Tuple{charlist("Status"), sysState},
			etf.Tuple{charlist("Parent"), p.parent},
			etf.Tuple{charlist("Logged events"), etf.List{}},
		}},
		etf.Tuple{etf.Atom("data"), etf.List{etf.Tuple{charlist("State"), p.state}}},
	}
	return etf.Tuple{
		etf.Atom("status"), p.pid,
		etf.Tuple{etf.Atom("module"), etf.Atom("gen_server")},
		etf.List{pdict, sysState, p.parent, etf.List{}, misc},
	}
}

// charlist returns s as an Erlang string, a list of character codes.
func charlist(s string) etf.List {
	l := make(etf.List, 0, len(s))
	for _, r := range s {
		l = append(l, etf.Int(r))
	}
	return l
}

// pidString formats a local pid as pid_to_list/1 does.
func pidString(pid etf.Pid) string {
	return fmt.Sprintf("<0.%d.%d>", pid.ID, pid.Serial)
}

// Moduler is implemented by behaviours that have a module name, which
// introspection and sys:get_status show. Other behaviours show the name
// of their Go type.
type Moduler interface {
	Module() etf.Atom
}

func moduleName(b Behaviour) etf.Atom {
	if m, ok := b.(Moduler); ok {
		return m.Module()
	}
	t := reflect.TypeOf(b)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return etf.Atom(t.Name())
}

// systemRequest sends the sys request req to the server to and returns
// its reply.
func (n *Node) systemRequest(ctx context.Context, to, req etf.Term) (etf.Term, error) {
	reply, err := n.request(ctx, to, &request{kind: reqSystem, msg: req}, Infinity)
	if err != nil {
		return nil, err
	}
	t, _ := reply.(etf.Term) // nil for a nil state
	return t, nil
}

// GetState returns the state of the server to, as sys:get_state/1 does.
func (n *Node) GetState(ctx context.Context, to etf.Term) (etf.Term, error) {
	return n.systemRequest(ctx, to, etf.Atom("get_state"))
}

// GetStatus returns the status of the server to, as sys:get_status/1
// does.
func (n *Node) GetStatus(ctx context.Context, to etf.Term) (etf.Term, error) {
	return n.systemRequest(ctx, to, etf.Atom("get_status"))
}

// Suspend suspends the server to, as sys:suspend/1 does: until Resume it
// answers only sys requests, and its other messages wait.
func (n *Node) Suspend(ctx context.Context, to etf.Term) error {
	_, err := n.systemRequest(ctx, to, etf.Atom("suspend"))
	return err
}

// Resume resumes a suspended server, as sys:resume/1 does.
func (n *Node) Resume(ctx context.Context, to etf.Term) error {
	_, err := n.systemRequest(ctx, to, etf.Atom("resume"))
	return err
}

// exec runs f inside the local server to, between two of its messages
// (or while it is suspended), and returns f's result.
func (n *Node) exec(ctx context.Context, to etf.Term, f func(*Process) any) (any, error) {
	return n.request(ctx, to, &request{kind: reqExec, exec: f}, Infinity)
}

// execIfIdle runs f inside the local server to on the calling goroutine if
// the server is idle, and reports whether it did; if not (busy, or no such
// local process) nothing ran. Only code changes take this path: other
// operations, such as a supervisor's, can wait long (for a child to shut
// down), and as requests they run on the server's goroutine while the
// caller's ctx bounds its wait for them.
func (n *Node) execIfIdle(to etf.Term, f func(*Process) any) (any, bool) {
	d, err := n.destination(to)
	if err != nil || d.alias || !n.isLocal(d.node) {
		return nil, false
	}
	if t := n.lookup(d); t != nil {
		return t.execIdle(f)
	}
	return nil, false
}

// execIdle runs f inside p on the calling goroutine if p is idle, and
// reports whether it could. An idle process has no runner, no pending exit
// signal and nothing in its mailbox it could handle, so f runs between the
// same two messages as the request would, as the next thing p handles; it
// saves the request the handoffs to a runner and back, which under load
// wait for a scheduler slot each. Messages that come meanwhile queue, and
// release starts a runner for them.
func (p *Process) execIdle(f func(*Process) any) (any, bool) {
	p.mu.Lock()
	if p.status != idle {
		p.mu.Unlock()
		return nil, false
	}
	p.status = running
	p.mu.Unlock()
	var v any
	// As a request with no caller to reply to, so that handle does for f
	// what it does for any sys request (a Result's timeout starts again).
	alive := p.handle(&request{kind: reqExec, exec: func(p *Process) any {
		v = f(p)
		return nil
	}})
	if alive {
		p.release()
	}
	return v, true
}

// ReplaceState replaces the state of the local server to with f(state), as
// sys:replace_state/2 does, and returns the new state.
func (n *Node) ReplaceState(ctx context.Context, to etf.Term, f func(etf.Term) etf.Term) (etf.Term, error) {
	v, err := n.exec(ctx, to, func(p *Process) any {
		p.state = f(p.state)
		return p.state
	})
	if err != nil {
		return nil, err
	}
	return v.(etf.Term), nil
}

// ChangeCode replaces the behaviour of the local server to with b, between
// two messages: b's CodeChange(oldVsn, State, extra) converts the state
// first, and if it fails the server keeps its old behaviour and state and
// ChangeCode returns the error with its reason.
//
// An idle server's code changes on the calling goroutine (see execIdle); a
// busy one's when it gets to the request.
func (n *Node) ChangeCode(ctx context.Context, to etf.Term, b Behaviour, oldVsn, extra etf.Term) error {
	if done, err := n.changeCodeIfIdle(to, b, oldVsn, extra); done {
		return err
	}
	v, err := n.exec(ctx, to, changeCodeFunc(b, oldVsn, extra))
	if err != nil {
		return err
	}
	return changeCodeError(v)
}

// changeCodeIfIdle is ChangeCode on a server that is idle now. It reports
// false, having changed nothing, when the server is busy or no local
// process: a change of many servers can move the idle ones first rather
// than wait for each busy one in turn.
func (n *Node) changeCodeIfIdle(to etf.Term, b Behaviour, oldVsn, extra etf.Term) (bool, error) {
	v, ok := n.execIfIdle(to, changeCodeFunc(b, oldVsn, extra))
	if !ok {
		return false, nil
	}
	return true, changeCodeError(v)
}

// changeCodeFunc returns what ChangeCode runs inside the server.
func changeCodeFunc(b Behaviour, oldVsn, extra etf.Term) func(*Process) any {
	return func(p *Process) any { return p.changeCode(b, oldVsn, extra) }
}

// changeCodeError returns the error of changeCode's reply v, or nil for ok.
func changeCodeError(v any) error {
	if t, ok := v.(etf.Tuple); ok {
		return &ExitError{Reason: t[1]}
	}
	return nil
}
