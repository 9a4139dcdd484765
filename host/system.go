package host

import (
	"fmt"

	"github.com/creo-dev/creo/etf"
)

// systemServer is a registered server every distributed node runs.
type systemServer struct {
	name etf.Atom
	b    Behaviour
}

// systemServers returns the node's system servers, in start order: a
// visible node runs global_name_server too.
func (nw *network) systemServers() []systemServer {
	servers := []systemServer{
		{name: "net_kernel", b: netKernel{}},
		{name: "rex", b: rex{}},
		{name: "logger_proxy", b: sink{}},
	}
	if nw.global != nil {
		servers = append(servers, systemServer{name: globalServerName, b: nw.global.behaviour()})
	}
	return servers
}

// startSystem boots the node's supervision tree with the system servers
// under its system supervisor.
func (nw *network) startSystem() error {
	var specs []ChildSpec
	for _, s := range nw.systemServers() {
		specs = append(specs, ChildSpec{ID: s.name, Start: ServerStart(s.b, s.name, Options{Name: s.name})})
	}
	if err := nw.node.Boot(specs...); err != nil {
		return fmt.Errorf("host: node %s: boot: %w", nw.name, err)
	}
	return nil
}

// sink takes whatever is sent to it and drops it: logger_proxy, which OTP
// nodes send the log events of processes whose group leader is on another
// node.
type sink struct{ Defaults }

func (sink) Init(_ *Process, name etf.Term) Result { return Ok(name) }

func (sink) HandleCall(_ *Process, _ etf.Term, _ From, state etf.Term) Result {
	return NoReply(state)
}

func (sink) HandleCast(_ *Process, _, state etf.Term) Result { return NoReply(state) }

func (sink) HandleInfo(_ *Process, _, state etf.Term) Result { return NoReply(state) }

// ignore logs a request a system process does not serve and carries on.
func ignore(p *Process, kind string, msg, state etf.Term) Result {
	p.node.log.Debug("host: request ignored", "server", state, "kind", kind, "msg", decoded(msg))
	return NoReply(state)
}
