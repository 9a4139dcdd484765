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
		{name: "logger_proxy", b: loggerProxy{}},
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

// systemDefaults are the callbacks of a system server for what it does
// not serve: requests are logged at debug level and dropped, calls left
// unanswered. A peer cannot crash a system process, and through its
// supervisor the node, by sending it nonsense. Its state is its registered
// name.
type systemDefaults struct{ Defaults }

func (systemDefaults) Init(_ *Process, name etf.Term) Result { return Ok(name) }

func (systemDefaults) HandleCall(p *Process, req etf.Term, _ From, state etf.Term) Result {
	return ignore(p, "call", req, state)
}

func (systemDefaults) HandleCast(p *Process, msg, state etf.Term) Result {
	return ignore(p, "cast", msg, state)
}

func (systemDefaults) HandleInfo(p *Process, msg, state etf.Term) Result {
	return ignore(p, "message", msg, state)
}

// ignore logs a request a system server does not serve and carries on.
func ignore(p *Process, kind string, msg, state etf.Term) Result {
	p.node.log.Debug("host: request ignored", "server", state, "kind", kind, "msg", decoded(msg))
	return NoReply(state)
}

// loggerProxy stands for OTP's logger_proxy, to which BEAM nodes send the
// log events of processes whose group leader is on this node, as
// {log, Level, Format, Args, Meta}: creo drops them.
type loggerProxy struct{ systemDefaults }

func (loggerProxy) Module() etf.Atom { return "logger_proxy" }
