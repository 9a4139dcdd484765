package host

import (
	"github.com/creo-dev/creo/etf"
)

// globalRegistrar is global's registrar: it registers and unregisters the
// names the Go API asks for on every known node, one request at a time,
// under global's lock (trans_all_known), so that no sync session
// exchanges names meanwhile.
type globalRegistrar struct {
	Defaults
	g *Global
}

func (r *globalRegistrar) Init(*Process, etf.Term) Result { return Ok(etf.Atom("registrar")) }

// HandleCall runs {register, Name, Pid, Method} and {unregister, Name}
// on every known node, and answers as global:register_name/3 and
// global:unregister_name/1 do.
func (r *globalRegistrar) HandleCall(p *Process, req etf.Term, from From, state etf.Term) Result {
	g := r.g
	t, _ := decoded(req).(etf.Tuple)
	switch {
	case len(t) == 4 && t[0] == atomRegister:
		pid, _ := t[2].(etf.Pid)
		return Reply(r.transAllKnown(p, func(nodes []etf.Atom) etf.Term {
			g.mu.RLock()
			named := g.tables.pidNames[pid] > 0
			g.mu.RUnlock()
			if _, taken := g.WhereisName(t[1]); taken || named {
				return etf.Atom("no")
			}
			g.multiCall(p, nodes, t)
			return atomYes
		}), state)
	case len(t) == 2 && t[0] == atomUnregister:
		return Reply(r.transAllKnown(p, func(nodes []etf.Atom) etf.Term {
			g.multiCall(p, nodes, t)
			return atomOk
		}), state)
	}
	p.node.log.Warn("host: global registrar got an unexpected call", "request", req, "from", from.Pid)
	return NoReply(state)
}

// transAllKnown runs f on this node and every known node while it holds
// global's lock, {global, Registrar}, on all of them, and a node that
// became known meanwhile is locked too (global's trans_all_known/1).
func (r *globalRegistrar) transAllKnown(p *Process, f func(nodes []etf.Atom) etf.Term) etf.Term {
	g := r.g
	id := etf.Tuple{globalResource, p.Self()}
	var nodes []etf.Atom
	for times := 0; ; times++ {
		known := g.knownNodes()
		nodes = append([]etf.Atom{p.node.name}, known...)
		boss := theBoss(nodes)
		if g.setLockOn(p, id, []etf.Atom{boss}) {
			if g.setLockOn(p, id, nodes) && len(without(g.knownNodes(), known...)) == 0 {
				break
			}
			g.delLockOn(p, id, []etf.Atom{boss})
		}
		randomSleep(times)
	}
	defer g.deleteGlobalLock(p, id, nodes)
	return f(nodes)
}
