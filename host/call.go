package host

import (
	"context"
	"time"

	"github.com/creo-dev/creo/etf"
)

// Infinity is the timeout of a call that waits as long as the server takes.
const Infinity time.Duration = -1

// requestKind is what a request asks of a server.
type requestKind uint8

const (
	reqCall   requestKind = iota // a gen_server call
	reqCast                      // a gen_server cast
	reqSystem                    // a sys request, as {system, From, Request}
	reqExec                      // run Go code inside the server (sys operations from Go)
)

// request is a call, cast or sys request made on this node: it goes into
// the server's mailbox as it is, without the wire tuple around it.
type request struct {
	kind requestKind
	from From
	msg  etf.Term
	exec func(*Process) any
}

// wire returns the request as the message OTP sends.
func (r *request) wire() etf.Term {
	switch r.kind {
	case reqCast:
		return etf.Tuple{atomGenCast, r.msg}
	case reqSystem:
		return etf.Tuple{atomSystem, r.from.Term(), r.msg}
	}
	return etf.Tuple{atomGenCall, r.from.Term(), r.msg}
}

// handleRequest handles a request made on this node. It reports whether
// the process lives on.
func (p *Process) handleRequest(r *request) bool {
	switch r.kind {
	case reqCall:
		return p.dispatch(cbCall, r.msg, r.from)
	case reqCast:
		return p.dispatch(cbCast, r.msg, From{})
	case reqSystem:
		return p.handleSystem(r.from, r.msg)
	}
	p.node.replyGo(r.from, r.exec(p))
	return true
}

// Call makes a gen_server call to to (a pid, a registered name or
// {Name, Node}) and waits for the reply at most timeout, or without limit
// when timeout is Infinity (any negative value), as gen_server:call/3
// does. The process's other messages wait in its mailbox meanwhile. It
// fails with the reason OTP's caller would exit with: noproc when there is
// no such process (at once, never after a timeout), timeout,
// {nodedown, Node} when the server's node went down, or the server's exit
// reason if it ended before replying. Callback-only.
func (p *Process) Call(ctx context.Context, to, req etf.Term, timeout time.Duration) (etf.Term, error) {
	reply, err := p.request(ctx, to, &request{kind: reqCall, msg: req}, timeout)
	if err != nil {
		return nil, err
	}
	return reply.(etf.Term), nil
}

// Call makes a gen_server call from a temporary process, as
// [Process.Call] does, for Go code that runs outside any process.
func (n *Node) Call(ctx context.Context, to, req etf.Term, timeout time.Duration) (etf.Term, error) {
	reply, err := n.request(ctx, to, &request{kind: reqCall, msg: req}, timeout)
	if err != nil {
		return nil, err
	}
	return reply.(etf.Term), nil
}

// Cast sends a gen_server cast to to, as gen_server:cast/2 does: it never
// fails, even when there is no such process.
func (p *Process) Cast(to, msg etf.Term) {
	p.node.cast(p.pid, to, msg)
}

// Cast sends a gen_server cast from no process, as [Process.Cast] does.
func (n *Node) Cast(to, msg etf.Term) {
	n.cast(etf.Pid{}, to, msg)
}

func (n *Node) cast(from etf.Pid, to, msg etf.Term) {
	r := &request{kind: reqCast, msg: msg}
	d, err := n.destination(to)
	switch {
	case err != nil || d.alias:
	case n.isLocal(d.node):
		if t := n.lookup(d); t != nil {
			t.deliver(r)
		}
	default:
		_ = n.send(from, to, r.wire())
	}
}

// request makes r of a temporary process, for Go code outside processes.
func (n *Node) request(ctx context.Context, to etf.Term, r *request, timeout time.Duration) (any, error) {
	c := n.newProcess(nil)
	defer c.exit(Normal)
	return c.request(ctx, to, r, timeout)
}

// request sends r to to as a call and awaits the reply: it monitors the
// server with a reference that is also the alias the reply comes to, as
// gen:call does since OTP 24.
func (p *Process) request(ctx context.Context, to etf.Term, r *request, timeout time.Duration) (any, error) {
	n := p.node
	d, err := n.destination(to)
	if err != nil || d.alias {
		return nil, ErrBadarg
	}
	local := n.isLocal(d.node)
	if !local && r.kind == reqExec {
		return nil, ErrBadarg
	}
	ref := n.makeRef(p)
	r.from = From{pid: p.pid, alias: ref}
	p.startWait(ref)
	defer p.stopWait()
	t := p.monitor(ref, d)
	switch {
	case t == p:
		p.Demonitor(ref)
		return nil, &ExitError{Reason: etf.Atom("calling_self")}
	case t != nil:
		t.deliver(r)
	case !local:
		if err := n.send(p.pid, to, r.wire()); err != nil {
			p.Demonitor(ref)
			return nil, err
		}
	}
	var expired <-chan time.Time
	if timeout >= 0 {
		timer := time.NewTimer(timeout)
		defer timer.Stop()
		expired = timer.C
	}
	a, err := p.await(ctx, expired)
	if err != nil {
		p.Demonitor(ref)
		return nil, err
	}
	if a.down {
		if a.reason == Noconnection {
			return nil, &ExitError{Reason: nodedown(d.node)}
		}
		return nil, &ExitError{Reason: a.reason}
	}
	p.Demonitor(ref)
	if a.direct {
		return a.msg, nil
	}
	return replyOf(a.msg.(etf.Term)), nil
}

// replyOf returns Reply from a reply message {Tag, Reply}, which comes to
// an awaited alias or pid and so has that shape.
func replyOf(m etf.Term) etf.Term {
	if r, ok := m.(etf.Raw); ok {
		if _, _, next, ok := rawHead(r); ok {
			return etf.Raw(r[next:])
		}
	}
	if t, ok := m.(etf.Tuple); ok && len(t) == 2 {
		return t[1]
	}
	return m
}

// Reply answers the call from, as gen_server:reply/2 does: to the alias in
// its tag, or else to its pid. Safe from any goroutine, so a server may
// hand From to another process that replies for it.
func (p *Process) Reply(from From, reply etf.Term) {
	p.node.reply(p.pid, from, reply)
}

// reply sends reply to the caller from, as sent by sender.
func (n *Node) reply(sender etf.Pid, from From, reply etf.Term) {
	n.replyThen(sender, from, reply, nil)
}

// replyThen is reply, for a reply whose memory the sender gives up:
// release, if set, is called once the reply is written to the caller's
// node, and never when it goes elsewhere (a caller on this node keeps
// it), which leaves the memory to the collector.
func (n *Node) replyThen(sender etf.Pid, from From, reply etf.Term, release func()) {
	if release != nil {
		if rc, ok := n.releasingTo(from); ok {
			rc.SendAliasReleasing(sender, from.alias, etf.Tuple{from.Tag(), reply}, release)
			return
		}
	}
	switch {
	case from.tag != nil:
		_ = n.send(sender, from.pid, etf.Tuple{from.tag, reply})
	case !n.isLocal(from.alias.Node):
		n.cluster.SendAlias(sender, from.alias, etf.Tuple{from.Tag(), reply})
	default:
		n.replyGo(from, reply)
	}
}

// releasingTo returns the cluster that writes a reply to from and then
// releases it: a reply to an alias on another node, through a cluster that
// sends releasing. ok is false for any other reply, which its caller on
// this node keeps, or which goes out without releasing.
func (n *Node) releasingTo(from From) (rc releasingCluster, ok bool) {
	if from.tag != nil || n.isLocal(from.alias.Node) {
		return nil, false
	}
	rc, ok = n.cluster.(releasingCluster)
	return rc, ok
}

// replyGo hands v, a reply or the result of a Go request, to its caller
// on this node.
func (n *Node) replyGo(from From, v any) {
	if o := n.refOwner(from.alias); o != nil {
		o.aliasDeliver(from.alias, true, v)
	}
}
