package abi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/bufpool"
	"github.com/tetratelabs/wazero"
)

// Module is a loaded guest module: the callbacks of its servers. Every
// method is safe for concurrent use; each callback borrows an instance
// from the module's pool for its duration.
//
// Arguments that are etf.Raw are passed to the guest as they are, without
// decoding; a Result's parts are etf.Raw too, so a host that keeps a
// server's state encoded never decodes it. A callback's error is a *Fault
// when the server must exit with its ExitReason; any other error comes
// from encoding an argument, and the server's state is unchanged.
//
// A callback the module does not export behaves as Elixir's GenServer
// default (ABI.md section 6) without borrowing an instance.
type Module interface {
	// Vsn is the module's version: the SHA-256 of its bytes, in hex.
	Vsn() string
	// Exports reports whether the module exports cb.
	Exports(cb Callback) bool
	Init(ctx context.Context, p Process, args etf.Term) (Result, error)
	HandleCall(ctx context.Context, p Process, req, from, state etf.Term) (Result, error)
	HandleCast(ctx context.Context, p Process, msg, state etf.Term) (Result, error)
	HandleInfo(ctx context.Context, p Process, msg, state etf.Term) (Result, error)
	HandleContinue(ctx context.Context, p Process, cont, state etf.Term) (Result, error)
	Terminate(ctx context.Context, p Process, reason, state etf.Term) error
	CodeChange(ctx context.Context, p Process, oldVsn, state, extra etf.Term) (Result, error)
	// Stats counts the module's instances.
	Stats() PoolStats
	// Close throws away the module's instances; callbacks running finish
	// first. Later callbacks fail as {wasm_unavailable, Msg}.
	Close(ctx context.Context) error
}

type module struct {
	engine   *engine
	vsn      [sha256.Size]byte // of the module's bytes
	hash     [sha256.Size]byte // of the code compiled, maybe instrumented
	compiled *compiled
	// interruptible: the code checks the interrupt global at loop heads
	// and function entries.
	interruptible bool
	cfg           ModuleConfig
	log           *slog.Logger
	exports       [numCallbacks]bool
	pool          *pool

	// instanceConfig is the wazero configuration of every instance, built
	// once: no files, environment or arguments beyond what cfg grants,
	// real clocks and a cryptographic random source.
	instanceConfig wazero.ModuleConfig
	closeOnce      sync.Once
}

func newModule(r *runtime, e *engine, vsn, hash [sha256.Size]byte, c *compiled, cfg ModuleConfig) *module {
	m := &module{engine: e, vsn: vsn, hash: hash, compiled: c, cfg: cfg}
	m.log = r.log.With("module", m.Vsn()[:12])
	defs := c.cm.ExportedFunctions()
	for cb := range numCallbacks {
		_, m.exports[cb] = defs[cb.String()]
	}
	fs := wazero.NewFSConfig()
	for _, d := range cfg.Dirs {
		fs = fs.WithReadOnlyDirMount(d.HostPath, d.GuestPath)
	}
	mc := wazero.NewModuleConfig().
		WithName("").
		WithStartFunctions(). // _initialize runs under the deadline: see instance.start
		WithSysWalltime().
		WithSysNanotime(). // and a real sleep: see instance.sleep
		WithRandSource(rand.Reader).
		WithFSConfig(fs)
	for k, v := range cfg.Env {
		mc = mc.WithEnv(k, v)
	}
	m.instanceConfig = mc
	m.pool = newPool(cfg.MaxInstances, cfg.PoolWait, m.newInstance)
	return m
}

// deadlineLimit is the deadline the module's instances enforce: none for a
// trusted module.
func (m *module) deadlineLimit() time.Duration {
	if m.cfg.Trusted {
		return 0
	}
	return m.cfg.Deadline
}

func (m *module) Vsn() string { return hex.EncodeToString(m.vsn[:]) }

func (m *module) Exports(cb Callback) bool { return cb < numCallbacks && m.exports[cb] }

func (m *module) Stats() PoolStats { return m.pool.stats() }

func (m *module) Close(context.Context) error {
	m.closeOnce.Do(func() {
		m.pool.close()
		m.engine.release(m.hash, m.compiled)
	})
	return nil
}

func (m *module) Init(ctx context.Context, p Process, args etf.Term) (Result, error) {
	return m.invoke(ctx, p, Init, args)
}

func (m *module) HandleCall(ctx context.Context, p Process, req, from, state etf.Term) (Result, error) {
	if !m.exports[HandleCall] {
		return stopWith("bad_call", req, state)
	}
	return m.invoke(ctx, p, HandleCall, req, from, state)
}

func (m *module) HandleCast(ctx context.Context, p Process, msg, state etf.Term) (Result, error) {
	if !m.exports[HandleCast] {
		return stopWith("bad_cast", msg, state)
	}
	return m.invoke(ctx, p, HandleCast, msg, state)
}

func (m *module) HandleInfo(ctx context.Context, p Process, msg, state etf.Term) (Result, error) {
	if !m.exports[HandleInfo] {
		p.Logger().Warn("abi: unhandled message; the module has no handle_info", "msg", msg)
		return withState(Result{Tag: TagNoReply}, state)
	}
	return m.invoke(ctx, p, HandleInfo, msg, state)
}

func (m *module) HandleContinue(ctx context.Context, p Process, cont, state etf.Term) (Result, error) {
	if !m.exports[HandleContinue] {
		return stopWith("bad_continue", cont, state)
	}
	return m.invoke(ctx, p, HandleContinue, cont, state)
}

func (m *module) Terminate(ctx context.Context, p Process, reason, state etf.Term) error {
	if !m.exports[Terminate] {
		return nil
	}
	_, err := m.invoke(ctx, p, Terminate, reason, state)
	return err
}

func (m *module) CodeChange(ctx context.Context, p Process, oldVsn, state, extra etf.Term) (Result, error) {
	if !m.exports[CodeChange] {
		return withState(Result{Tag: TagOK}, state)
	}
	return m.invoke(ctx, p, CodeChange, oldVsn, state, extra)
}

// invoke runs one callback on a borrowed instance.
func (m *module) invoke(ctx context.Context, p Process, cb Callback, parts ...etf.Term) (Result, error) {
	in, err := m.pool.get(ctx)
	if err != nil {
		var f *Fault
		if errors.As(err, &f) {
			f.Callback = cb
			return Result{}, f
		}
		return Result{}, &Fault{Kind: Unavailable, Callback: cb, Detail: etf.Binary(err.Error()), Err: err}
	}
	if err := in.arg.prepare(parts); err != nil {
		in.arg.clear()
		m.pool.put(in)
		return Result{}, err
	}
	in.proc, in.caller = p, ctx
	res, err := in.call(cb)
	if err != nil {
		m.pool.discard(in)
		m.log.Debug("abi: instance thrown away", "callback", cb.String(), "err", err)
		return Result{}, err
	}
	if cb == HandleCall && len(res) >= bufpool.MinSize && lendsReply(ctx) {
		return m.lendOrCopy(in, res, parts)
	}
	res = copyResult(res)
	m.pool.put(in)
	return parseCopy(cb, res, parts)
}

// stopWith is the default result {stop, {Tag, Msg}, State} of a callback
// the module does not export.
func stopWith(tag etf.Atom, msg, state etf.Term) (Result, error) {
	reason, err := etf.AppendTerm(nil, etf.Tuple{tag, msg})
	if err != nil {
		return Result{}, err
	}
	return withState(Result{Tag: TagStop, Reason: reason}, state)
}

// withState sets r's State to state, encoded.
func withState(r Result, state etf.Term) (Result, error) {
	raw, ok := state.(etf.Raw)
	if !ok {
		b, err := etf.AppendTerm(nil, state)
		if err != nil {
			return Result{}, err
		}
		raw = b
	}
	r.State = raw
	return r, nil
}
