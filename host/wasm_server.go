package host

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/creo-dev/creo/etf"
)

// Defaults of [WasmServerSpec]: Elixir's Supervisor allows 3 restarts in 5
// seconds.
const (
	DefaultWasmIntensity = 3
	DefaultWasmPeriod    = 5 * time.Second
)

// WasmServerSpec says how [Wasm.StartServer] starts and supervises a
// server of a module.
type WasmServerSpec struct {
	// Name is the server's registered name, and its id among the user
	// servers. Required.
	Name etf.Atom
	// Module is the module the server runs. Required; the server holds it
	// loaded.
	Module *WasmModule
	// Args is init's argument, at the start and at every restart. Nil
	// means [], what a module listed alone among an Elixir supervisor's
	// children gets.
	Args etf.Term
	// Restart says when the server is restarted; the zero value is
	// Permanent, as for an Elixir GenServer.
	Restart Restart
	// Intensity restarts within Period are allowed before the server's
	// supervisor gives up and the server stays down. Zero means
	// DefaultWasmIntensity and DefaultWasmPeriod.
	Intensity int
	Period    time.Duration
}

// WasmServer describes a server that [Wasm.StartServer] started.
type WasmServer struct {
	Name etf.Atom
	// Vsn is the vsn of the module it runs, or runs when restarted.
	Vsn string
	// Pid is its pid, or the zero Pid while it is down (restarting, or
	// given up on by its supervisor).
	Pid etf.Pid
}

// wasmServer is a server StartServer started: what its restarts need.
type wasmServer struct {
	name   etf.Atom
	args   etf.Term
	reload sync.Mutex // held by Reload
	// module is what the server runs and restarts from; under Wasm.mu.
	module *WasmModule
}

// StartServer starts a supervised server of spec.Module registered as
// spec.Name, running init with spec.Args, and returns its pid. It fails
// with {already_started, Pid} when the name is taken, with the reason init
// failed with (an *ExitError), or with ErrIgnored when init returned
// ignore.
func (w *Wasm) StartServer(ctx context.Context, spec WasmServerSpec) (etf.Pid, error) {
	if spec.Name == "" || spec.Module == nil {
		return etf.Pid{}, fmt.Errorf("host: wasm: a server needs a name and a module")
	}
	if spec.Intensity == 0 {
		spec.Intensity, spec.Period = DefaultWasmIntensity, DefaultWasmPeriod
	}
	if spec.Args == nil {
		spec.Args = etf.List{}
	}
	s := &wasmServer{name: spec.Name, args: spec.Args, module: spec.Module}
	w.mu.Lock()
	switch {
	case w.closed:
		w.mu.Unlock()
		return etf.Pid{}, errWasmClosed
	case w.servers[s.name] != nil:
		w.mu.Unlock()
		return etf.Pid{}, &ExitError{Reason: etf.Tuple{etf.Atom("already_started"), w.pidOf(s.name)}}
	}
	// The server holds its module from now: a restart may need it before
	// StartServer returns.
	w.servers[s.name] = s
	s.module.refs++
	w.mu.Unlock()
	pid, err := w.node.StartUserServer(ctx, ChildSpec{
		ID:      s.name,
		Start:   w.serverStart(s),
		Restart: spec.Restart,
		Modules: []etf.Atom{spec.Module.Module()},
	}, spec.Intensity, spec.Period)
	if err != nil {
		w.forget(s)
		return etf.Pid{}, startError(err)
	}
	return pid, nil
}

// startError returns the error of a server that did not start: the reason
// its init failed with, rather than how its own supervisor reports it,
// {shutdown, {failed_to_start_child, Name, Reason}}.
func startError(err error) error {
	if t, ok := ExitReason(err).(etf.Tuple); ok && len(t) == 2 && t[0] == Shutdown {
		if f, ok := t[1].(etf.Tuple); ok && len(f) == 3 && f[0] == etf.Atom("failed_to_start_child") {
			return &ExitError{Reason: f[2]}
		}
	}
	return err
}

// serverStart starts s from the module it last ran.
func (w *Wasm) serverStart(s *wasmServer) StartFunc {
	return func(sup *Process, extra etf.List) (etf.Pid, error) {
		w.mu.Lock()
		m := s.module
		w.mu.Unlock()
		return ServerStart(m, s.args, Options{Name: s.name})(sup, extra)
	}
}

// pidOf returns the pid registered as name, or the zero Pid.
func (w *Wasm) pidOf(name etf.Atom) etf.Pid {
	pid, _ := w.node.Whereis(name)
	return pid
}

// forget removes s from the servers and releases its module.
func (w *Wasm) forget(s *wasmServer) {
	w.mu.Lock()
	if w.servers[s.name] == s {
		delete(w.servers, s.name)
	}
	m := s.module
	w.mu.Unlock()
	w.release(m)
}

// StopServer stops the server name that StartServer started, as its
// supervisor shuts a child down (terminate runs, within 5 seconds), and
// forgets it.
func (w *Wasm) StopServer(ctx context.Context, name etf.Atom) error {
	w.mu.Lock()
	s := w.servers[name]
	w.mu.Unlock()
	if s == nil {
		return fmt.Errorf("host: wasm: no server %s", name)
	}
	if err := w.node.StopUserServer(ctx, name); err != nil {
		return err
	}
	w.forget(s)
	return nil
}

// switched records that the process p now runs m, after m's code_change:
// if p is a server of StartServer, it restarts from m from now on. It
// runs inside the server, so no crash can come between the switch and
// the record of it.
func (w *Wasm) switched(p *Process, m *WasmModule) {
	p.mu.Lock()
	name := p.name
	p.mu.Unlock()
	w.mu.Lock()
	s := w.servers[name]
	if s == nil || s.module == m {
		w.mu.Unlock()
		return
	}
	old := s.module
	s.module = m
	m.refs++
	w.mu.Unlock()
	w.release(old)
}

// Server describes the server name that StartServer started, and reports
// whether there is one.
func (w *Wasm) Server(name etf.Atom) (WasmServer, bool) {
	w.mu.Lock()
	s := w.servers[name]
	var vsn string
	if s != nil {
		vsn = s.module.Vsn()
	}
	w.mu.Unlock()
	if s == nil {
		return WasmServer{}, false
	}
	return WasmServer{Name: name, Vsn: vsn, Pid: w.pidOf(name)}, true
}

// Servers describes the servers StartServer started, by name.
func (w *Wasm) Servers() []WasmServer {
	w.mu.Lock()
	list := make([]WasmServer, 0, len(w.servers))
	for _, s := range w.servers {
		list = append(list, WasmServer{Name: s.name, Vsn: s.module.Vsn()})
	}
	w.mu.Unlock()
	for i := range list {
		list[i].Pid = w.pidOf(list[i].Name)
	}
	slices.SortFunc(list, func(a, b WasmServer) int { return strings.Compare(string(a.Name), string(b.Name)) })
	return list
}
