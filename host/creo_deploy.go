package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/creo-dev/creo/etf"
)

// DeploySpec is a server to deploy with [Manager.Deploy].
type DeploySpec struct {
	// Name is the server's registered name.
	Name etf.Atom
	// Wasm is the module's bytes.
	Wasm []byte
	// Args is init's argument, at the start and at every restart; nil
	// means [].
	Args etf.Term
	// Restart says when the server is restarted; the zero value is
	// Permanent.
	Restart Restart
}

// Deploy validates and loads spec.Wasm, stores it, starts a supervised
// server of it registered as spec.Name, records it in the manifest and
// returns its pid, once all of that is durable. A refusal is a
// *ManagerError and changes nothing.
func (m *Manager) Deploy(ctx context.Context, spec DeploySpec) (etf.Pid, error) {
	if spec.Args == nil {
		spec.Args = etf.List{}
	}
	if err := checkName(spec.Name); err != nil {
		return etf.Pid{}, err
	}
	if err := m.checkSize(spec.Wasm); err != nil {
		return etf.Pid{}, err
	}
	if _, err := etf.Encode(spec.Args); err != nil {
		// Only Go callers can get here: terms from the wire encode.
		return etf.Pid{}, fmt.Errorf("host: creo: deploy %s: init args: %w", spec.Name, err)
	}
	defer m.lock(spec.Name)()
	if _, deployed := m.entry(spec.Name); deployed || m.isWasmServer(spec.Name) {
		return etf.Pid{}, refuse("already_started", m.pidTerm(spec.Name))
	}
	mod, err := m.load(ctx, spec.Wasm)
	if err != nil {
		return etf.Pid{}, err
	}
	defer mod.Release()
	vsn := mod.Vsn()
	if err := m.storeModule(vsn, spec.Wasm); err != nil {
		return etf.Pid{}, err
	}
	entry := serverEntry{Name: spec.Name, Vsn: vsn, Args: spec.Args, Restart: spec.Restart}
	pid, err := m.startServer(ctx, entry, mod)
	if err != nil {
		m.releaseModule(vsn)
		return etf.Pid{}, err
	}
	if err := m.manifest.put(entry); err != nil {
		// Undo, so that nothing runs that a restart would not bring back.
		if stopErr := m.wasm.StopServer(ctx, spec.Name); stopErr != nil {
			m.log.Error("host: creo: a server whose manifest entry failed could not be stopped", "name", spec.Name, "err", stopErr)
		}
		_ = m.manifest.remove(spec.Name)
		m.releaseModule(vsn)
		return etf.Pid{}, refuseWith("store_failed", err)
	}
	m.log.Info("host: creo: deployed", "name", spec.Name, "vsn", vsn, "pid", pid)
	return pid, nil
}

// Stop stops the server name, as its supervisor shuts it down, and removes
// it from the manifest, so that a restart of the node does not bring it
// back.
func (m *Manager) Stop(ctx context.Context, name etf.Atom) error {
	if err := checkName(name); err != nil {
		return err
	}
	defer m.lock(name)()
	entry, deployed := m.entry(name)
	running := m.isWasmServer(name)
	if !deployed && !running {
		return ErrNotFound
	}
	if running {
		if err := m.wasm.StopServer(ctx, name); err != nil {
			return err
		}
	}
	if !deployed {
		return nil
	}
	m.mu.Lock()
	delete(m.broken, name)
	m.mu.Unlock()
	if err := m.manifest.remove(name); err != nil {
		return refuseWith("store_failed", err)
	}
	m.releaseModule(entry.Vsn)
	m.log.Info("host: creo: stopped", "name", name)
	return nil
}

// checkName refuses a name that cannot be registered.
func checkName(name etf.Atom) error {
	if name == "" || name == etf.Undefined {
		return refuse("bad_name", name)
	}
	return nil
}

// checkSize refuses a module over the size limit.
func (m *Manager) checkSize(wasm []byte) error {
	if len(wasm) > m.cfg.MaxModuleSize {
		return refuse("module_too_large", etf.Int(len(wasm)), etf.Int(m.cfg.MaxModuleSize))
	}
	return nil
}

// load loads wasm under the manager's module limits; a module that does
// not load is refused as invalid.
func (m *Manager) load(ctx context.Context, wasm []byte) (*WasmModule, error) {
	mod, err := m.wasm.Load(ctx, wasm, m.cfg.Module)
	switch {
	case err == nil:
		return mod, nil
	case errors.Is(err, errWasmClosed), ctx.Err() != nil:
		return nil, err // not the module's fault
	}
	return nil, refuseWith("invalid_module", err)
}

// storeModule writes the module vsn to disk, counting the request as one
// of its users until it releases it.
func (m *Manager) storeModule(vsn string, wasm []byte) error {
	m.holdModule(vsn)
	if err := m.store.put(vsn, wasm); err != nil {
		m.releaseModule(vsn)
		return refuseWith("store_failed", err)
	}
	return nil
}

// startServer starts the server of e, which runs mod; a failed init is
// refused with its reason.
func (m *Manager) startServer(ctx context.Context, e serverEntry, mod *WasmModule) (etf.Pid, error) {
	pid, err := m.wasm.StartServer(ctx, WasmServerSpec{
		Name:      e.Name,
		Module:    mod,
		Args:      e.Args,
		Restart:   e.Restart,
		Intensity: m.cfg.Intensity,
		Period:    m.cfg.Period,
	})
	if err == nil {
		return pid, nil
	}
	if errors.Is(err, ErrIgnored) {
		return etf.Pid{}, refuse("init_failed", etf.Atom("ignore"))
	}
	reason := ExitReason(err)
	if t, ok := reason.(etf.Tuple); ok && len(t) == 2 && t[0] == etf.Atom("already_started") {
		return etf.Pid{}, refuse("already_started", m.pidTerm(e.Name))
	}
	return etf.Pid{}, refuse("init_failed", reason)
}

// isWasmServer reports whether name is a server of the node's Wasm,
// deployed through creo or not.
func (m *Manager) isWasmServer(name etf.Atom) bool {
	_, ok := m.wasm.Server(name)
	return ok
}

// pidTerm returns the pid registered as name, or undefined.
func (m *Manager) pidTerm(name etf.Atom) etf.Term {
	if pid, ok := m.node.Whereis(name); ok {
		return pid
	}
	return etf.Undefined
}
