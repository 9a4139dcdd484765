package host

import "github.com/creo-dev/creo/etf"

// monitor is a monitor a process holds on another.
type monitor struct {
	pid  etf.Pid  // the monitored process, when known
	name etf.Atom // the registered name it was monitored by, if any
	node etf.Atom // the node of the monitored process
}

// object returns what a DOWN message names: the pid, or {Name, Node} for a
// monitor by name.
func (m monitor) object() etf.Term {
	if m.name != "" {
		return etf.Tuple{m.name, m.node}
	}
	return m.pid
}

// target returns the monitored process as MONITOR_P names it: the name
// for a monitor by name, else the pid.
func (m monitor) target() etf.Term {
	if m.name != "" {
		return m.name
	}
	return m.pid
}

// watcher is a process that monitors this one.
type watcher struct {
	pid  etf.Pid
	name etf.Atom // the name it monitors by, if any
}

// Monitor monitors target, as monitor(process, Target) does: target is a
// pid, a registered name (an Atom) or {Name, Node}. When the target ends,
// or does not exist, or its node goes down, the process receives
// {'DOWN', Ref, process, Object, Reason}, where Object is the pid, or
// {Name, Node} for a monitor by name, and Reason is the exit reason,
// noproc or noconnection.
func (p *Process) Monitor(target etf.Term) (etf.Ref, error) {
	d, err := p.node.destination(target)
	if err != nil || d.alias {
		return etf.Ref{}, ErrBadarg
	}
	ref := p.node.makeRef(p)
	p.monitor(ref, d)
	return ref, nil
}

// monitor sets up monitor ref on d, and returns the monitored process
// when it is local and alive. A DOWN with noproc fires at once when it is
// local and not alive.
func (p *Process) monitor(ref etf.Ref, d destination) *Process {
	n := p.node
	m := monitor{pid: d.pid, name: d.name, node: d.node}
	if !n.isLocal(d.node) {
		p.mu.Lock()
		p.monitors.set(ref, m)
		p.mu.Unlock()
		n.peers.track(d.node, p)
		n.cluster.Monitor(p.pid, d.node, m.target(), ref)
		return nil
	}
	t := n.lookup(d)
	if t != nil {
		m.pid = t.pid
	}
	p.mu.Lock()
	p.monitors.set(ref, m)
	p.mu.Unlock()
	if t == nil || !t.addWatcher(ref, watcher{pid: p.pid, name: d.name}) {
		p.monitorDown(ref, Noproc)
		return nil
	}
	return t
}

// addWatcher records that w monitors the process with ref, and reports
// false when the process is dead.
func (p *Process) addWatcher(ref etf.Ref, w watcher) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status == exited {
		return false
	}
	p.watchers.set(ref, w)
	return true
}

func (p *Process) dropWatcher(ref etf.Ref) {
	p.mu.Lock()
	p.watchers.del(ref)
	p.mu.Unlock()
}

// Demonitor turns off monitor ref, as demonitor(Ref, [flush]) does: no
// DOWN for it is delivered afterwards, and one already in the mailbox is
// removed. It reports whether the monitor was still active.
func (p *Process) Demonitor(ref etf.Ref) bool {
	p.mu.Lock()
	m, ok := p.monitors.del(ref)
	if !ok {
		if i := p.mail.find(func(x any) bool { return isDown(x, ref) }); i >= 0 {
			p.mail.removeAt(i)
		}
		p.mu.Unlock()
		return false
	}
	p.mu.Unlock()
	p.node.dropMonitor(p.pid, ref, m)
	return true
}

// dropMonitor tells the process monitor m watches that from no longer does.
func (n *Node) dropMonitor(from etf.Pid, ref etf.Ref, m monitor) {
	if !n.isLocal(m.node) {
		n.cluster.Demonitor(from, m.node, m.target(), ref)
		return
	}
	if t := n.process(m.pid); t != nil {
		t.dropWatcher(ref)
	}
}

// monitorExit tells watcher w that target, which it monitors with ref,
// ended with reason.
func (n *Node) monitorExit(target etf.Pid, w watcher, ref etf.Ref, reason etf.Term) {
	if !n.isLocal(w.pid.Node) {
		var from etf.Term = target
		if w.name != "" {
			from = w.name
		}
		n.cluster.MonitorExit(from, w.pid, ref, reason)
		return
	}
	if p := n.process(w.pid); p != nil {
		p.monitorDown(ref, reason)
	}
}

// monitorDown fires monitor ref with reason: the DOWN goes to a goroutine
// awaiting ref, or else to the mailbox.
func (p *Process) monitorDown(ref etf.Ref, reason etf.Term) {
	p.mu.Lock()
	m, ok := p.monitors.del(ref)
	if !ok || p.status == exited {
		p.mu.Unlock()
		return
	}
	start := false
	if p.wait != nil && p.wait.awaits(ref) {
		p.wait.arrive(arrival{ref: ref, down: true, reason: reason})
	} else {
		p.mail.push(etf.Tuple{etf.Atom("DOWN"), ref, etf.Atom("process"), m.object(), reason})
		start = p.schedule()
	}
	p.mu.Unlock()
	if start {
		activate(p)
	}
}

// isDown reports whether x is the DOWN message of monitor ref.
func isDown(x any, ref etf.Ref) bool {
	t, ok := x.(etf.Tuple)
	return ok && len(t) == 5 && t[0] == etf.Atom("DOWN") && t[1] == ref
}
