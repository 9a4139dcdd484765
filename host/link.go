package host

import "github.com/creo-dev/creo/etf"

// Link links the process to pid, as link/1 does: when either ends, the
// other receives an exit signal with its reason. Linking to a process that
// does not exist fails with noproc, or, when the process traps exits,
// delivers {'EXIT', Pid, noproc}. A link to a process of another node is
// set up asynchronously; if that node cannot be reached the exit signal
// comes with reason noconnection.
func (p *Process) Link(pid etf.Pid) error {
	if pid == p.pid {
		return nil
	}
	n := p.node
	p.mu.Lock()
	p.links.set(pid, 0)
	p.mu.Unlock()
	if !n.isLocal(pid.Node) {
		n.peers.track(pid.Node, p)
		n.cluster.Link(p.pid, pid)
		return nil
	}
	if t := n.process(pid); t != nil && t.addLink(p.pid) {
		return nil
	}
	p.mu.Lock()
	p.links.del(pid)
	trap := p.trapExit
	start := false
	if trap {
		p.mail.push(exitMessage(pid, Noproc))
		start = p.schedule()
	}
	p.mu.Unlock()
	if start {
		activate(p)
	}
	if !trap {
		return ErrNoproc
	}
	return nil
}

// addLink adds a link from pid, and reports false when the process is dead.
func (p *Process) addLink(pid etf.Pid) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status == exited {
		return false
	}
	p.links.set(pid, 0)
	return true
}

// Unlink removes the link to pid, as unlink/1 does: once it returns, the
// link has no effect on the process. An exit signal the link delivered
// before, as an {'EXIT', Pid, Reason} message, stays in the mailbox.
func (p *Process) Unlink(pid etf.Pid) {
	n := p.node
	p.mu.Lock()
	if _, ok := p.links.get(pid); !ok {
		p.mu.Unlock()
		return
	}
	if n.isLocal(pid.Node) {
		p.links.del(pid)
		p.mu.Unlock()
		if t := n.process(pid); t != nil {
			t.mu.Lock()
			t.links.del(p.pid)
			t.mu.Unlock()
		}
		return
	}
	// The new link protocol: the link stays, inactive, until the peer acks
	// the unlink with the same id, so that a LINK racing it is not lost.
	id := n.refs.Add(1)
	p.links.set(pid, id)
	p.mu.Unlock()
	n.cluster.Unlink(id, p.pid, pid)
}

// TrapExit sets whether the process traps exits, as
// process_flag(trap_exit, On) does, and returns the previous setting. A
// process that traps exits receives exit signals as {'EXIT', From, Reason}
// messages instead of dying, except kill.
func (p *Process) TrapExit(on bool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	old := p.trapExit
	p.trapExit = on
	return old
}

// Exit sends an exit signal with reason to pid, as exit/2 does: kill ends
// any process with reason killed; normal is ignored by a process that does
// not trap exits, unless the process sends it to itself; any other reason
// ends a process that does not trap exits.
func (p *Process) Exit(pid etf.Pid, reason etf.Term) {
	p.node.sendExit(p.pid, pid, reason, false)
}

// Exit sends an exit signal with reason to pid from no process, as exit/2
// does.
func (n *Node) Exit(pid etf.Pid, reason etf.Term) {
	n.sendExit(etf.Pid{}, pid, reason, false)
}

// sendExit sends an exit signal from from to to: the signal of a link
// that from ended with reason (link), or else one of exit/2.
func (n *Node) sendExit(from, to etf.Pid, reason etf.Term, link bool) {
	reason = decoded(reason)
	switch {
	case n.isLocal(to.Node):
		if t := n.process(to); t != nil {
			t.exitSignal(from, reason, link)
		}
	case link:
		n.cluster.Exit(from, to, reason)
	default:
		n.cluster.Exit2(from, to, reason)
	}
}

// exitSignal acts on an exit signal from from, sent by a link (link) or by
// exit/2, with OTP's rules. A link's signal counts only while the link is
// active.
func (p *Process) exitSignal(from etf.Pid, reason etf.Term, link bool) {
	p.mu.Lock()
	start := p.takeExitSignal(from, reason, link)
	p.mu.Unlock()
	if start {
		activate(p)
	}
}

// takeExitSignal is exitSignal with p.mu held; it reports whether the
// caller must start the process's goroutine.
func (p *Process) takeExitSignal(from etf.Pid, reason etf.Term, link bool) bool {
	if p.status == exited {
		return false
	}
	if link {
		if id, ok := p.links.get(from); !ok || id != 0 {
			return false
		}
		p.links.del(from)
	}
	switch {
	case !link && reason == Kill:
		reason = Killed
	case p.trapExit:
		p.mail.push(exitMessage(from, reason))
		return p.schedule()
	case reason == Normal && (link || from != p.pid):
		return false
	}
	if p.pending == nil {
		p.pending = reason
		p.doomed.Store(true)
		p.endLife(reason)
	}
	return p.interrupt()
}

// exitMessage returns {'EXIT', From, Reason}, a trapped exit signal.
func exitMessage(from etf.Pid, reason etf.Term) etf.Term {
	return etf.Tuple{etf.Atom("EXIT"), from, reason}
}
