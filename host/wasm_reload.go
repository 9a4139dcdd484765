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
	_, err := w.reload(ctx, name, m, extra, true)
	return err
}

// reload is Reload; unless wait, a server busy with a message is left as
// it is, and done is false.
func (w *Wasm) reload(ctx context.Context, name etf.Atom, m *WasmModule, extra etf.Term, wait bool) (done bool, err error) {
	w.mu.Lock()
	s := w.servers[name]
	w.mu.Unlock()
	if s == nil {
		return true, fmt.Errorf("host: wasm: %w %s", errNoServer, name)
	}
	// One reload at a time, so the old vsn is the one the server runs:
	// its module changes only here and at a restart, which starts it
	// from s.module too.
	s.reload.Lock()
	defer s.reload.Unlock()
	w.mu.Lock()
	old := s.module
	w.mu.Unlock()
	// Its vsn is spelt out of the Wasm's lock, which every server's
	// reload takes.
	oldVsn := etf.Binary(old.Vsn())
	if !wait {
		return w.node.changeCodeIfIdle(name, m, oldVsn, extra)
	}
	return true, w.node.ChangeCode(ctx, name, m, oldVsn, extra)
}
