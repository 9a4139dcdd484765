package host

import "github.com/creo-dev/creo/etf"

// Options are the options of a start, as gen_server:start/4 takes them.
type Options struct {
	// Name registers the server under this name ({local, Name}) before
	// Init runs; a start fails with {already_started, Pid} when the name
	// is taken.
	Name etf.Atom
}

// Start starts a gen_server running b, as gen_server:start/3,4 does: Init
// runs with args before Start returns, and a failed Init fails the start
// with its reason. It returns ErrIgnored when Init returned Ignore.
func (n *Node) Start(b Behaviour, args etf.Term, opts Options) (etf.Pid, error) {
	return n.start(nil, false, b, args, opts)
}

// Start starts a gen_server as [Node.Start] does, with this process as
// the new one's ancestor.
func (p *Process) Start(b Behaviour, args etf.Term, opts Options) (etf.Pid, error) {
	return p.node.start(p, false, b, args, opts)
}

// StartLink starts a gen_server linked to this process, its parent, as
// gen_server:start_link/3,4 does. If Init fails the link is removed before
// StartLink returns the reason, so the failure comes back as an error and
// never also as an exit signal (as in OTP 26).
func (p *Process) StartLink(b Behaviour, args etf.Term, opts Options) (etf.Pid, error) {
	return p.node.start(p, true, b, args, opts)
}

// start creates the process and runs Init on the calling goroutine, which
// owns the new process until Init returns: no goroutine is made for a
// server until it has a message. Init's callbacks may block (call other
// servers) as any callback may.
func (n *Node) start(starter *Process, link bool, b Behaviour, args etf.Term, opts Options) (etf.Pid, error) {
	c := n.newProcess(b)
	c.parent = c.pid
	c.startName = opts.Name
	if starter != nil {
		c.ancestor = starter.pid
	}
	if opts.Name != "" {
		if holder, err := n.names.add(opts.Name, c); err != nil {
			c.exit(Normal)
			if holder != nil {
				return etf.Pid{}, &ExitError{Reason: etf.Tuple{etf.Atom("already_started"), holder.pid}}
			}
			return etf.Pid{}, err
		}
	}
	if link {
		c.parent = starter.pid
		if sup, ok := starter.behaviour.(*supervisor); ok && sup.starting > 0 {
			c.mu.Lock()
			c.restarts = sup.starting
			c.mu.Unlock()
		}
		starter.addLink(c.pid)
		c.addLink(starter.pid)
	}
	r, crash := c.invoke(cbInit, args, From{})
	if crash == nil && !cbInit.allows(r) {
		crash = etf.Tuple{etf.Atom("bad_return_value"), r.Term()}
	}
	switch {
	case crash != nil:
	case r.Kind == KindOk:
		c.state = r.State
		if r.Action.Kind == ActionContinue {
			c.cont = r.Action.Continue
		} else {
			c.act(r.Action)
		}
		c.release()
		return c.pid, nil
	case r.Kind == KindIgnore:
		c.failStart(starter, link, Normal)
		return etf.Pid{}, ErrIgnored
	default:
		crash = r.Reason
	}
	c.failStart(starter, link, crash)
	return etf.Pid{}, &ExitError{Reason: crash}
}

// failStart ends a process whose Init failed, unlinked from its starter.
// Terminate does not run: the server never started.
func (p *Process) failStart(starter *Process, link bool, reason etf.Term) {
	if !IsClean(reason) {
		p.node.log.Error("host: init failed", "pid", p.pid, "name", p.startName, "reason", reason)
	}
	if link {
		starter.mu.Lock()
		starter.links.del(p.pid)
		starter.mu.Unlock()
		p.mu.Lock()
		p.links.del(starter.pid)
		p.mu.Unlock()
	}
	p.exit(reason)
}
