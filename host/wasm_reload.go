package host

import (
	"context"
	"errors"
	"fmt"

	"github.com/creo-dev/creo/etf"
)

// errNoServer is what Reload fails with, wrapped, for a name StartServer
// did not start.
var errNoServer = errors.New("no server")

// Reload switches the running server name to module m between two of its
// messages: m's code_change gets the old module's vsn, the state and
// extra, and its new state is the server's. If code_change fails, or the
// server is not running, the server keeps its module and state and Reload
// returns the reason. The server's restarts then start from m.
func (w *Wasm) Reload(ctx context.Context, name etf.Atom, m *WasmModule, extra etf.Term) error {
	s := w.reloadTargets([]etf.Atom{name}).servers[0]
	if s == nil {
		return fmt.Errorf("host: wasm: %w %s", errNoServer, name)
	}
	_, err := w.reload(ctx, s, m, extra, nil, true)
	return err
}

// reloadTargets are the servers a reload moves, looked up under one hold
// of the Wasm's lock, which a reload of thousands of servers would
// otherwise take once per server, against each other and every restart.
type reloadTargets struct {
	// servers are those of the names asked for, in their order; nil for a
	// name StartServer did not start.
	servers []*wasmServer
	// vsns are the vsns of the modules they ran when looked up, spelt once
	// per module rather than once per server.
	vsns map[*WasmModule]etf.Binary
}

// reloadTargets looks up the servers of names.
func (w *Wasm) reloadTargets(names []etf.Atom) reloadTargets {
	t := reloadTargets{servers: make([]*wasmServer, len(names)), vsns: map[*WasmModule]etf.Binary{}}
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, name := range names {
		s := w.servers[name]
		if s == nil {
			continue
		}
		t.servers[i] = s
		if _, ok := t.vsns[s.module]; !ok {
			t.vsns[s.module] = etf.Binary(s.module.Vsn())
		}
	}
	return t
}

// reload is Reload of the server s; vsns may hold the vsn of the module it
// runs (see reloadTargets). Unless wait, a server busy with a message is
// left as it is, and done is false.
func (w *Wasm) reload(ctx context.Context, s *wasmServer, m *WasmModule, extra etf.Term, vsns map[*WasmModule]etf.Binary, wait bool) (done bool, err error) {
	// One reload at a time, so the old vsn is the one the server runs:
	// its module changes only here and at a restart, which starts it
	// from s.module too.
	s.reload.Lock()
	defer s.reload.Unlock()
	w.mu.Lock()
	old := s.module
	w.mu.Unlock()
	oldVsn, ok := vsns[old]
	if !ok {
		// Spelt out of the Wasm's lock, which every server's reload takes.
		oldVsn = etf.Binary(old.Vsn())
	}
	if !wait {
		return w.node.changeCodeIfIdle(s.name, m, oldVsn, extra)
	}
	return true, w.node.ChangeCode(ctx, s.name, m, oldVsn, extra)
}
