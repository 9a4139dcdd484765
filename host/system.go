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

// systemServers returns the node's system servers, in start order.
func (nw *network) systemServers() []systemServer {
	return []systemServer{
		{name: "net_kernel", b: netKernel{}},
		{name: "rex", b: rex{}},
		{name: "logger_proxy", b: sink{}},
	}
}

// startSystem starts the system servers.
//
// TODO(node): run them under the node's system supervisor once the
// runtime has one.
func (nw *network) startSystem() error {
	for _, s := range nw.systemServers() {
		pid, err := nw.node.Start(s.b, s.name, Options{Name: s.name})
		if err != nil {
			return fmt.Errorf("host: start %s: %w", s.name, err)
		}
		nw.system = append(nw.system, pid)
	}
	return nil
}

// stopSystem stops the system servers, the last started first.
func (nw *network) stopSystem() {
	for i := len(nw.system) - 1; i >= 0; i-- {
		nw.node.Exit(nw.system[i], Shutdown)
	}
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
