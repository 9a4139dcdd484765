package host

import (
	"slices"
	"strings"

	"github.com/creo-dev/creo/etf"
)

// ServerInfo describes a server the [Manager] lists.
type ServerInfo struct {
	Name etf.Atom
	// Pid is the server's pid, or the zero Pid while it is down.
	Pid etf.Pid
	// Vsn is the version of the module it runs: its SHA-256 in hex.
	Vsn string
	// Deployed says the server was deployed through creo, and so is in
	// the manifest; Restart is then its restart type.
	Deployed bool
	Restart  Restart
	// Status, Restarts and MessageQueueLen are what process_info says of
	// the running server.
	Status          Status
	Restarts        int
	MessageQueueLen int
	// RestoreFailed is why a deployed server could not be started again
	// when the node restarted, or nil.
	RestoreFailed etf.Term
}

// Servers describes the servers the manager knows, deployed through it or
// started otherwise on the node's Wasm, sorted by name.
func (m *Manager) Servers() []ServerInfo {
	m.manifest.mu.Lock()
	byName := make(map[etf.Atom]ServerInfo, len(m.manifest.entries))
	for name, e := range m.manifest.entries {
		byName[name] = deployedInfo(e)
	}
	m.manifest.mu.Unlock()
	for _, s := range m.wasm.Servers() {
		if _, deployed := byName[s.Name]; !deployed {
			byName[s.Name] = ServerInfo{Name: s.Name, Vsn: s.Vsn}
		}
	}
	list := make([]ServerInfo, 0, len(byName))
	for _, s := range byName {
		list = append(list, m.describe(s))
	}
	slices.SortFunc(list, func(a, b ServerInfo) int { return strings.Compare(string(a.Name), string(b.Name)) })
	return list
}

// Server describes the server name, if the manager knows it.
func (m *Manager) Server(name etf.Atom) (ServerInfo, bool) {
	if e, ok := m.entry(name); ok {
		return m.describe(deployedInfo(e)), true
	}
	if s, ok := m.wasm.Server(name); ok {
		return m.describe(ServerInfo{Name: name, Vsn: s.Vsn}), true
	}
	return ServerInfo{}, false
}

// deployedInfo returns what the manifest entry e says of its server.
func deployedInfo(e serverEntry) ServerInfo {
	return ServerInfo{Name: e.Name, Vsn: e.Vsn, Deployed: true, Restart: e.Restart}
}

// describe completes s with what the running server says of itself.
func (m *Manager) describe(s ServerInfo) ServerInfo {
	if s.Deployed {
		s.RestoreFailed = m.brokenReason(s.Name)
	}
	pid, ok := m.node.Whereis(s.Name)
	if !ok {
		return s
	}
	if info, ok := m.node.ProcessInfo(pid); ok {
		s.Pid, s.Status, s.Restarts, s.MessageQueueLen = pid, info.Status, info.Restarts, info.MessageQueueLen
	}
	return s
}

// pidTerm returns the pid of s, or undefined when it is down.
func (s ServerInfo) pidTerm() etf.Term {
	if s.Pid == (etf.Pid{}) {
		return etf.Undefined
	}
	return s.Pid
}

// whichTerm returns s as which_servers lists it: {Name, Pid, Vsn}.
func (s ServerInfo) whichTerm() etf.Term {
	return etf.Tuple{s.Name, s.pidTerm(), etf.Binary(s.Vsn)}
}

// infoTerm returns s as the map of servers and info (see [Manager]).
func (s ServerInfo) infoTerm() etf.Term {
	var status, restart etf.Term = etf.Atom(s.Status.String()), etf.Undefined
	switch {
	case s.RestoreFailed != nil:
		status = etf.Tuple{etf.Atom("restore_failed"), s.RestoreFailed}
	case s.Pid == (etf.Pid{}):
		status = etf.Atom("down")
	}
	if s.Deployed {
		restart = etf.Atom(s.Restart.String())
	}
	return etf.Map{
		{Key: etf.Atom("name"), Value: s.Name},
		{Key: etf.Atom("pid"), Value: s.pidTerm()},
		{Key: etf.Atom("vsn"), Value: etf.Binary(s.Vsn)},
		{Key: etf.Atom("restart"), Value: restart},
		{Key: etf.Atom("restarts"), Value: etf.Int(s.Restarts)},
		{Key: etf.Atom("message_queue_len"), Value: etf.Int(s.MessageQueueLen)},
		{Key: etf.Atom("status"), Value: status},
		{Key: etf.Atom("deployed"), Value: boolAtom(s.Deployed)},
	}
}
