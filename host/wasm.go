package host

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
)

// Wasm runs WebAssembly modules as gen_servers on a node: it loads modules
// ([Wasm.Load]), starts supervised servers of them under registered names
// ([Wasm.StartServer]) and swaps the module of a running server
// ([Wasm.Reload]). An Elixir node calls such a server as any other
// GenServer; nothing on the wire tells it apart.
//
// # Decisions
//
// One abi.Runtime per node, its compilation cache under the node's data
// directory, so a restarted node does not compile a module it knows. A
// module is loaded once per content and configuration, and all its
// servers share it: servers own no instance, a callback borrows one from
// the module's pool, so an idle server costs its process and its state
// (see [WasmModule]).
//
// A server started by StartServer runs under the user supervisor, in a
// supervisor of its own ([Node.StartUserServer]) whose child is the server,
// with the id and the registered name the server's name. It restarts from
// the module the server last ran: after a Reload a crash brings the server
// back on the new module, with init and its start arguments, as OTP
// restarts a child with the code loaded at the time.
//
// A reload calls the new module's code_change with the old vsn as a binary
// of hex digits, the form [WasmModule.Vsn] returns, and Extra as given; if
// it fails, the server goes on with the old module and state.
//
// A module stays loaded while a Load of it is not released or a server of
// StartServer runs it; a server whose supervisor gave up still counts,
// until StopServer forgets it.
//
// # Measured
//
// The benchmarks run three echo servers side by side in one run: a native
// Behaviour, guests/echo (the Go SDK) and testdata/wasm_echo.wat (the same
// server by hand, whose guest code costs next to nothing, so it shows
// what the host costs). Medians of runs of `go test -bench Wasm ./host` on
// the team's 2-core machine, in CPU time per callback, since the machine's
// other load made wall time swing threefold (calls and casts: 3 runs with
// ABI version 2 and the SDK of the performance round; spawn and idle
// memory: 10 runs before it):
//
//	                         native   wat guest        Go guest
//	call, one caller          886 ns    1602 ns 1.8x    2585 ns  2.9x
//	call, a caller per core   807 ns    1464 ns 1.8x    2338 ns  2.9x
//	cast                      217 ns     441 ns 2.0x    1358 ns  6.3x
//	spawn (init runs)         407 ns    1260 ns 3.1x    3905 ns  9.6x
//	abi alone, handle_call       -       356 ns         1195 ns
//	idle server, 10k to 100k  464 B      505 B  1.09x    505 B   1.09x
//
// So both cores can run 4.5 million casts or 1.35 million calls a second
// into servers of the hand-written guest, and 1.5 million casts or 850,000
// calls into guests/echo, whose code in the guest takes about 0.85 of the
// 1.2 µs abi spends on its callback (bench/notes/callbacks.md says where it
// goes). 100,000 idle servers of one module share one instance. Of a call,
// the adapter itself costs about 360 ns beyond the native call and abi:
// the From encoded for the guest and the result mapped, with four
// allocations (the From's bytes and their box, the reply's and the
// state's boxes).
type Wasm struct {
	node *Node
	rt   abi.Runtime
	log  *slog.Logger

	mu      sync.Mutex
	modules map[string]*WasmModule // by vsn and configuration
	servers map[etf.Atom]*wasmServer
	closed  bool
}

// WasmConfig configures a node's [Wasm].
type WasmConfig struct {
	// CacheDir is where compiled modules are kept across restarts (in
	// CacheDir/wasm): the node's data directory. Empty keeps them in memory
	// only.
	CacheDir string
	// Logger receives what guests print and the life of their instances.
	// Nil means slog.Default().
	Logger *slog.Logger
}

// NewWasm returns the Wasm of node n. Close it after the node: the node's
// shutdown runs the terminate callbacks of its servers.
func NewWasm(n *Node, cfg WasmConfig) (*Wasm, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	rt, err := abi.NewRuntime(abi.Config{CacheDir: cfg.CacheDir, Logger: log})
	if err != nil {
		return nil, fmt.Errorf("host: wasm: %w", err)
	}
	return &Wasm{
		node:    n,
		rt:      rt,
		log:     log,
		modules: map[string]*WasmModule{},
		servers: map[etf.Atom]*wasmServer{},
	}, nil
}

// errWasmClosed is what the methods of a closed Wasm fail with.
var errWasmClosed = errors.New("host: wasm: closed")

// Load compiles wasm, or finds it loaded with the same configuration, and
// returns it ready to run servers under cfg's bounds (zero fields take
// abi's defaults). Release it when done; servers started with StartServer
// hold it meanwhile. Safe for concurrent use: loads of the same module
// share one compilation.
//
// A loaded module keeps a copy of its bytes, and a Load compares wasm with
// the copies of the modules loaded under the same configuration rather
// than hashing it: a reload to a module loaded just before found it by
// hashing its 4 MB again, 3.9 ms where the comparison takes 0.12
// (BenchmarkWasmLoadLoaded, medians). The copy costs the module's size
// once more in memory, beside code compiled from it that is several
// times larger; what the caller does with wasm afterwards does not touch
// it. A module not loaded yet is hashed by abi alone.
func (w *Wasm) Load(ctx context.Context, wasm []byte, cfg abi.ModuleConfig) (*WasmModule, error) {
	conf := fmt.Sprintf("%+v", cfg) // fmt prints maps sorted
	if m, err := w.loaded(wasm, conf); m != nil || err != nil {
		return m, err
	}
	mod, err := w.rt.Load(ctx, wasm, cfg)
	if err != nil {
		return nil, fmt.Errorf("host: wasm: %w", err)
	}
	m := &WasmModule{
		mod: mod, name: etf.Atom("wasm_" + mod.Vsn()[:12]), wasm: w,
		key: mod.Vsn() + conf, source: bytes.Clone(wasm), conf: conf, refs: 1,
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch other := w.modules[m.key]; {
	case w.closed:
		m.close()
		return nil, errWasmClosed
	case other != nil: // a concurrent Load won
		m.close()
		other.refs++
		return other, nil
	}
	w.modules[m.key] = m
	return m, nil
}

// loaded returns the module loaded from the bytes of wasm under the
// configuration conf, with one more reference, or nil. The bytes are
// compared outside w.mu, each candidate held meanwhile.
func (w *Wasm) loaded(wasm []byte, conf string) (*WasmModule, error) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return nil, errWasmClosed
	}
	var candidates []*WasmModule
	for _, m := range w.modules {
		if m.conf == conf && len(m.source) == len(wasm) {
			m.refs++
			candidates = append(candidates, m)
		}
	}
	w.mu.Unlock()
	var found *WasmModule
	for _, m := range candidates {
		if found == nil && bytes.Equal(m.source, wasm) {
			found = m
			continue
		}
		w.release(m)
	}
	return found, nil
}

// release drops one reference to m and unloads it after the last.
func (w *Wasm) release(m *WasmModule) {
	w.mu.Lock()
	m.refs--
	last := m.refs == 0
	if last && w.modules[m.key] == m {
		delete(w.modules, m.key)
	}
	w.mu.Unlock()
	if last {
		m.close()
	}
}

func (m *WasmModule) close() {
	m.closeOnce.Do(func() { m.mod.Close(context.Background()) })
}

// Close unloads every module. Close the node first.
func (w *Wasm) Close(ctx context.Context) error {
	w.mu.Lock()
	w.closed = true
	w.modules, w.servers = map[string]*WasmModule{}, map[etf.Atom]*wasmServer{}
	w.mu.Unlock()
	return w.rt.Close(ctx)
}
