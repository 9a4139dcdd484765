package host

import (
	"context"
	"fmt"
	"time"

	"github.com/creo-dev/creo/etf"
)

// restore reads the manifest back and starts every server it lists again,
// on the module it last ran. What cannot be restored is logged and kept:
// a manifest that does not read is set aside, and a server that does not
// start stays in the manifest as broken (see [Manager]).
func (m *Manager) restore(ctx context.Context) {
	entries, err := m.store.readManifest()
	m.manifest = newManifest(m.store, entries)
	if err != nil {
		aside, asideErr := m.store.setManifestAside(time.Now())
		if asideErr != nil {
			// Writing a new manifest would destroy the old one: better
			// refuse what needs a write than lose what it holds.
			m.manifest.readOnly = fmt.Errorf("%w; setting it aside failed: %w", err, asideErr)
			m.log.Error("host: creo: the manifest does not read and cannot be set aside; nothing can be deployed", "err", err, "set_aside", asideErr)
		} else {
			m.log.Error("host: creo: the manifest does not read; no server restored, and it was set aside", "err", err, "path", aside)
		}
	}
	byVsn := map[string][]serverEntry{}
	var order []string
	for _, e := range entries {
		if byVsn[e.Vsn] == nil {
			order = append(order, e.Vsn)
		}
		byVsn[e.Vsn] = append(byVsn[e.Vsn], e)
		m.modules[e.Vsn]++
	}
	if removed, err := m.store.sweep(func(vsn string) bool { return m.modules[vsn] > 0 }); err != nil || removed > 0 {
		m.log.Info("host: creo: deleted the modules no deployed server runs", "removed", removed, "err", err)
	}
	restored := 0
	for _, vsn := range order {
		restored += m.restoreModule(ctx, vsn, byVsn[vsn])
	}
	if len(entries) > 0 {
		m.log.Info("host: creo: restored the deployed servers", "restored", restored, "failed", len(entries)-restored)
	}
}

// restoreModule starts the servers of entries, which run the module vsn,
// and returns how many started.
func (m *Manager) restoreModule(ctx context.Context, vsn string, entries []serverEntry) int {
	fail := func(e serverEntry, err error) {
		reason := managerReason(err)
		m.log.Error("host: creo: a deployed server could not be restored", "name", e.Name, "vsn", vsn, "reason", reason)
		m.broken[e.Name] = reason
	}
	wasm, err := m.store.get(vsn)
	var mod *WasmModule
	if err != nil {
		err = refuseWith("module_unreadable", err)
	} else {
		mod, err = m.load(ctx, wasm)
	}
	if err != nil {
		for _, e := range entries {
			fail(e, err)
		}
		return 0
	}
	defer mod.Release()
	started := 0
	for _, e := range entries {
		if _, err := m.startServer(ctx, e, mod); err != nil {
			fail(e, err)
			continue
		}
		started++
	}
	return started
}

// brokenReason returns why the deployed server name could not be
// restored, or nil.
func (m *Manager) brokenReason(name etf.Atom) etf.Term {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.broken[name]
}
