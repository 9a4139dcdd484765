package abi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"

	"github.com/creo-dev/creo/abi/internal/interrupt"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// Runtime loads guest modules. It is safe for concurrent use.
type Runtime interface {
	// Load compiles wasm, or finds it compiled already (by content hash, in
	// this runtime or in the cache directory), checks its imports and
	// exports, makes a first instance to check it starts, and returns it
	// ready to run callbacks under cfg. Each Load returns a new Module with
	// its own pool: load a module once and share it among its servers.
	Load(ctx context.Context, wasm []byte, cfg ModuleConfig) (Module, error)
	// Close closes every module and releases the compiled code, once the
	// Loads in progress have ended; Loads after it fail.
	Close(ctx context.Context) error
}

// NewRuntime returns a Runtime with the compilation cache in
// cfg.CacheDir/wasm, or in memory when it is empty.
func NewRuntime(cfg Config) (Runtime, error) {
	r := &runtime{log: cfg.Logger}
	if r.log == nil {
		r.log = slog.Default()
	}
	if cfg.CacheDir == "" {
		r.cache = wazero.NewCompilationCache()
		return r, nil
	}
	cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(cfg.CacheDir, "wasm"))
	if err != nil {
		return nil, fmt.Errorf("abi: compilation cache: %w", err)
	}
	r.cache = cache
	return r, nil
}

type runtime struct {
	log   *slog.Logger
	cache wazero.CompilationCache

	mu      sync.Mutex
	engines [2]*engine // by engineKind
	closed  bool
	// loads counts the Loads in progress, which Close waits for: a
	// wazero runtime closed under a compile panics.
	loads sync.WaitGroup
}

// engineKind says how a wazero runtime lets the deadline stop a guest.
type engineKind uint8

const (
	// plainEngine runs modules whose loops check the interrupt global
	// (abi/internal/interrupt), and trusted modules that could not be
	// instrumented.
	plainEngine engineKind = iota
	// guardedEngine runs untrusted modules that could not be instrumented,
	// with WithCloseOnContextDone: it calls into Go at every loop back-edge
	// and starts a goroutine per call, which is much slower.
	guardedEngine
)

// engine is one wazero runtime with WASI and the creo host module, and the
// modules compiled in it.
type engine struct {
	wz wazero.Runtime

	mu       sync.Mutex
	compiled map[[sha256.Size]byte]*compiled
}

// compiled is a compiled module shared by every Module loaded from the same
// bytes; the last one closed releases it.
type compiled struct {
	ready chan struct{} // closed once cm or err is set
	cm    wazero.CompiledModule
	err   error
	refs  int
}

// errClosed is the error of a Load after Close.
var errClosed = errors.New("abi: runtime closed")

// startLoad counts a Load in, unless the runtime is closed.
func (r *runtime) startLoad() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errClosed
	}
	r.loads.Add(1)
	return nil
}

func (r *runtime) engine(ctx context.Context, kind engineKind) (*engine, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.engines[kind]; e != nil {
		return e, nil
	}
	wz := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigCompiler().
		WithCompilationCache(r.cache).
		WithCloseOnContextDone(kind == guardedEngine))
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, wz); err != nil {
		return nil, fmt.Errorf("abi: wasi: %w", err)
	}
	if err := instantiateHostModule(ctx, wz); err != nil {
		return nil, fmt.Errorf("abi: host module: %w", err)
	}
	e := &engine{wz: wz, compiled: map[[sha256.Size]byte]*compiled{}}
	r.engines[kind] = e
	return e, nil
}

// compile compiles wasm once however many loads ask for it at once.
func (e *engine) compile(ctx context.Context, hash [sha256.Size]byte, wasm []byte) (*compiled, error) {
	e.mu.Lock()
	c, found := e.compiled[hash]
	if !found {
		c = &compiled{ready: make(chan struct{})}
		e.compiled[hash] = c
	}
	c.refs++
	e.mu.Unlock()
	if !found {
		c.cm, c.err = e.wz.CompileModule(ctx, wasm)
		close(c.ready)
	}
	<-c.ready
	if c.err != nil {
		e.release(hash, c)
		return nil, c.err
	}
	return c, nil
}

// release drops one reference to a compiled module, closing it after the
// last.
func (e *engine) release(hash [sha256.Size]byte, c *compiled) {
	e.mu.Lock()
	c.refs--
	last := c.refs == 0
	if last {
		delete(e.compiled, hash)
	}
	e.mu.Unlock()
	if last && c.cm != nil {
		_ = c.cm.Close(context.Background())
	}
}

func (r *runtime) Load(ctx context.Context, wasm []byte, cfg ModuleConfig) (Module, error) {
	if err := r.startLoad(); err != nil {
		return nil, err
	}
	defer r.loads.Done()
	cfg = cfg.withDefaults()
	vsn := sha256.Sum256(wasm)
	// Every module gets the interrupt checks at loop heads and function
	// entries: untrusted ones for the deadline, and all of them so that
	// long-running code still lets the Go runtime preempt it
	// (see abi/internal/interrupt).
	code, kind, interruptible := wasm, plainEngine, true
	instrumented, err := interrupt.Instrument(wasm)
	switch {
	case err == nil:
		code = instrumented
	case errors.Is(err, interrupt.ErrUnsupported):
		r.log.Warn("abi: module not instrumented; a long loop in it can hold up the host's GC", "module", hex.EncodeToString(vsn[:6]), "why", err)
		interruptible = false
		if !cfg.Trusted {
			kind = guardedEngine
		}
	default:
		return nil, fmt.Errorf("abi: compile: %w", err)
	}
	e, err := r.engine(ctx, kind)
	if err != nil {
		return nil, err
	}
	hash := sha256.Sum256(code)
	c, err := e.compile(ctx, hash, code)
	if err != nil {
		return nil, fmt.Errorf("abi: compile: %w", err)
	}
	if err := validate(c.cm, cfg); err != nil {
		e.release(hash, c)
		return nil, fmt.Errorf("abi: module %x: %w", vsn[:6], err)
	}
	m := newModule(r, e, vsn, hash, c, cfg)
	m.interruptible = interruptible
	// A first instance proves the module starts, and is kept for its first
	// callback.
	in, err := m.pool.get(ctx)
	if err != nil {
		m.Close(ctx)
		return nil, fmt.Errorf("abi: module %x: %w", vsn[:6], err)
	}
	m.pool.put(in)
	return m, nil
}

func (r *runtime) Close(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.loads.Wait()
	r.mu.Lock()
	engines := r.engines
	r.engines = [2]*engine{}
	r.mu.Unlock()
	var errs []error
	for _, e := range engines {
		if e != nil {
			errs = append(errs, e.wz.Close(ctx))
		}
	}
	errs = append(errs, r.cache.Close(ctx))
	return errors.Join(errs...)
}
