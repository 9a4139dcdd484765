package host

import "github.com/creo-dev/creo/etf"

// Alias returns a new alias of the process, as alias/0 does: a reference
// that messages can be sent to, until Unalias.
func (p *Process) Alias() etf.Ref {
	ref := p.node.makeRef(p)
	p.mu.Lock()
	p.aliases.set(ref, struct{}{})
	p.mu.Unlock()
	return ref
}

// Unalias deactivates alias, as unalias/1 does, and reports whether it was
// active.
func (p *Process) Unalias(alias etf.Ref) bool {
	p.mu.Lock()
	_, ok := p.aliases.del(alias)
	p.mu.Unlock()
	return ok
}

// sendAlias sends msg to alias. A message to an inactive alias is dropped.
func (n *Node) sendAlias(from etf.Pid, alias etf.Ref, msg etf.Term) {
	if !n.isLocal(alias.Node) {
		n.cluster.SendAlias(from, alias, msg)
		return
	}
	if p := n.refOwner(alias); p != nil {
		p.aliasDeliver(alias, false, msg)
	}
}

// aliasDeliver delivers what was sent to alias: to a goroutine awaiting
// it, or else to the mailbox while the alias is active. A reply made on
// this node goes bare to an awaiting goroutine, or as
// {[alias | Alias], Reply} to the mailbox.
func (p *Process) aliasDeliver(alias etf.Ref, reply bool, msg any) {
	p.mu.Lock()
	start := false
	switch {
	case p.status == exited:
	case p.wait != nil && p.wait.awaits(alias):
		p.wait.arrive(arrival{ref: alias, msg: msg, direct: reply})
	default:
		term, ok := msg.(etf.Term)
		if _, active := p.aliases.get(alias); ok && active {
			if reply {
				term = etf.Tuple{aliasTag(alias), term}
			}
			p.mail.push(term)
			start = p.schedule()
		}
	}
	p.mu.Unlock()
	if start {
		activate(p)
	}
}
