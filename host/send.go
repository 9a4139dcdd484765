package host

import "github.com/creo-dev/creo/etf"

// destination is where a message, call or monitor goes, as erlang:send/2
// names it: a pid, a registered name on a node, or an alias.
type destination struct {
	pid   etf.Pid
	name  etf.Atom // a registered name, when set
	node  etf.Atom
	alias bool // ref is an alias
	ref   etf.Ref
	local bool // name was given without a node
}

// destination parses to: a Pid, an Atom (a local name), {Name, Node}, or a
// Ref (an alias).
func (n *Node) destination(to etf.Term) (destination, error) {
	switch t := to.(type) {
	case etf.Pid:
		return destination{pid: t, node: t.Node}, nil
	case etf.Atom:
		return destination{name: t, node: n.name, local: true}, nil
	case etf.Ref:
		return destination{alias: true, ref: t, node: t.Node}, nil
	case etf.Tuple:
		if len(t) == 2 {
			name, ok1 := t[0].(etf.Atom)
			node, ok2 := t[1].(etf.Atom)
			if ok1 && ok2 {
				return destination{name: name, node: node}, nil
			}
		}
	}
	return destination{}, ErrBadarg
}

// lookup returns the living local process d names, or nil.
func (n *Node) lookup(d destination) *Process {
	if d.name != "" {
		return n.names.lookup(d.name)
	}
	return n.process(d.pid)
}

// Send sends msg to to, as erlang:send/2 does: to is a pid, a registered
// name (an Atom), {Name, Node} or an alias (a Ref). A message to a process
// that does not exist is dropped; only a local name nobody registered, or
// a to that names no process at all, fails, with badarg.
func (p *Process) Send(to, msg etf.Term) error {
	return p.node.send(p.pid, to, msg)
}

// Send sends msg to to from no process, as [Process.Send] does.
func (n *Node) Send(to, msg etf.Term) error {
	return n.send(etf.Pid{}, to, msg)
}

func (n *Node) send(from etf.Pid, to, msg etf.Term) error {
	d, err := n.destination(to)
	if err != nil {
		return err
	}
	switch {
	case d.alias:
		n.sendAlias(from, d.ref, msg)
	case !n.isLocal(d.node) && d.name != "":
		n.cluster.SendName(from, d.node, d.name, msg)
	case !n.isLocal(d.node):
		n.cluster.Send(from, d.pid, msg)
	default:
		t := n.lookup(d)
		if t == nil && d.local {
			return ErrBadarg
		}
		if t != nil {
			t.deliver(msg)
		}
	}
	return nil
}
