package host

import (
	"sync"

	"github.com/creo-dev/creo/etf"
)

// registry holds the node's registered names. Lock order: registry, then
// a process.
type registry struct {
	mu    sync.RWMutex
	procs map[etf.Atom]*Process
}

func (r *registry) lookup(name etf.Atom) *Process {
	r.mu.RLock()
	p := r.procs[name]
	r.mu.RUnlock()
	return p
}

// add registers p as name. It fails with the process holding the name, or
// with badarg when p is dead or has a name already, as register/2 does.
func (r *registry) add(name etf.Atom, p *Process) (holder *Process, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if q := r.procs[name]; q != nil {
		return q, ErrBadarg
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status == exited || p.name != "" || name == "undefined" {
		return nil, ErrBadarg
	}
	if r.procs == nil {
		r.procs = make(map[etf.Atom]*Process)
	}
	r.procs[name] = p
	p.name = name
	return nil, nil
}

// remove drops name if p holds it.
func (r *registry) remove(name etf.Atom, p *Process) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.procs[name] != p {
		return false
	}
	delete(r.procs, name)
	p.mu.Lock()
	if p.name == name {
		p.name = ""
	}
	p.mu.Unlock()
	return true
}

// Register registers the living local process pid as name, as register/2
// does. It fails with badarg when the name is taken, the process is dead or
// already has a name.
func (n *Node) Register(name etf.Atom, pid etf.Pid) error {
	p := n.process(pid)
	if p == nil {
		return ErrBadarg
	}
	_, err := n.names.add(name, p)
	return err
}

// Unregister removes name, as unregister/1 does; it fails with badarg when
// nobody holds it.
func (n *Node) Unregister(name etf.Atom) error {
	p := n.names.lookup(name)
	if p == nil || !n.names.remove(name, p) {
		return ErrBadarg
	}
	return nil
}

// Whereis returns the pid registered as name, as whereis/1 does.
func (n *Node) Whereis(name etf.Atom) (etf.Pid, bool) {
	if p := n.names.lookup(name); p != nil {
		return p.pid, true
	}
	return etf.Pid{}, false
}
