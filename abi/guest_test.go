package abi

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/abiname"
	"github.com/tetratelabs/wazero/api"
)

// Byte-built test guests: memory of one page, creo_alloc always returns
// argBuf, and constant terms live in data segments from dataAt on.
const (
	dataAt = 64
	argBuf = 32768
)

// guest assembles a test guest from callbacks and the creo imports they
// call (import i is function i).
type guest struct {
	imports    []wasmImport
	funcs      []wasmFunc
	data       []wasmData
	next       uint32
	memPages   uint32
	hideMemory bool
	version    int32
	allocBody  []byte
}

func newGuest() *guest {
	return &guest{next: dataAt, memPages: 1, version: abiname.Version, allocBody: i32c(argBuf)}
}

// importHost adds an import of the creo function name and returns its
// function index.
func (g *guest) importHost(name string) uint32 {
	for _, f := range hostFuncs {
		if f.name == name {
			g.imports = append(g.imports, wasmImport{abiname.Module, name, valueTypeBytes(f.params), valueTypeBytes(f.results)})
			return uint32(len(g.imports) - 1)
		}
	}
	panic("no host function " + name)
}

func valueTypeBytes(ts []api.ValueType) []byte {
	out := make([]byte, len(ts))
	for i, t := range ts {
		out[i] = byte(t)
	}
	return out
}

// put stores b in memory and returns its address.
func (g *guest) put(b []byte) uint32 {
	at := g.next
	g.data = append(g.data, wasmData{at, b})
	g.next += uint32(len(b))
	return at
}

// term stores t with its version byte and returns its place.
func (g *guest) term(t etf.Term) (ptr, size uint32) {
	b, err := etf.Encode(t)
	if err != nil {
		panic(err)
	}
	return g.put(b), uint32(len(b))
}

// returns is the body of a callback that returns t.
func (g *guest) returns(t etf.Term) []byte { return packed(g.term(t)) }

// callback adds a callback export with body.
func (g *guest) callback(export string, body []byte, locals ...byte) *guest {
	g.funcs = append(g.funcs, wasmFunc{export: export, params: []byte{wI32, wI32}, results: []byte{wI64}, locals: locals, body: body})
	return g
}

func (g *guest) bytes() []byte {
	funcs := append([]wasmFunc{
		{export: abiname.ABIVersion, results: []byte{wI32}, body: i32c(g.version)},
		{export: abiname.Alloc, params: []byte{wI32}, results: []byte{wI32}, body: g.allocBody},
	}, g.funcs...)
	return wasmModule{imports: g.imports, funcs: funcs, memPages: g.memPages, noMemExp: g.hideMemory, data: g.data}.encode()
}

// okGuest returns a guest whose init answers {ok, State}.
func okGuest(state etf.Term) *guest {
	g := newGuest()
	return g.callback(abiname.Init, g.returns(etf.Tuple{etf.Atom("ok"), state}))
}

// load loads wasm in a fresh runtime closed at the end of the test.
func load(t testing.TB, wasm []byte, cfg ModuleConfig) Module {
	t.Helper()
	rt, err := NewRuntime(Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rt.Close(context.Background()) })
	m, err := rt.Load(context.Background(), wasm, cfg)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return m
}

// encode returns t encoded without its version byte, as a Result holds it.
func encode(t testing.TB, term etf.Term) etf.Raw {
	t.Helper()
	b, err := etf.AppendTerm(nil, term)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakeProcess records what a guest asks of its server.
type fakeProcess struct {
	pid etf.Pid
	log *slog.Logger

	mu      sync.Mutex
	sent    []sent
	replies []sent
	timers  map[etf.Ref]time.Duration
	// call answers Call; nil answers the request itself.
	call func(ctx context.Context, dest, req etf.Term, timeout time.Duration) (etf.Term, error)
}

type sent struct{ to, msg etf.Term }

func newFakeProcess() *fakeProcess {
	return &fakeProcess{
		pid:    etf.Pid{Node: "creo@127.0.0.1", ID: 42, Serial: 1, Creation: 7},
		log:    slog.New(slog.DiscardHandler),
		timers: map[etf.Ref]time.Duration{},
	}
}

func (p *fakeProcess) Self() etf.Pid { return p.pid }

func (p *fakeProcess) Send(dest, msg etf.Term) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if dest == etf.Atom("nobody") {
		return reasonError{etf.Atom("badarg")}
	}
	p.sent = append(p.sent, sent{dest, msg})
	return nil
}

func (p *fakeProcess) Call(ctx context.Context, dest, req etf.Term, timeout time.Duration) (etf.Term, error) {
	if p.call != nil {
		return p.call(ctx, dest, req, timeout)
	}
	return req, nil
}

func (p *fakeProcess) Reply(from, reply etf.Term) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.replies = append(p.replies, sent{from, reply})
	return nil
}

func (p *fakeProcess) SendAfter(dest, msg etf.Term, delay time.Duration) (etf.Ref, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ref := etf.Ref{Node: p.pid.Node, Creation: 7, Len: 3, ID: [5]uint32{uint32(len(p.timers)) + 1, 2, 3}}
	p.timers[ref] = delay
	return ref, nil
}

func (p *fakeProcess) CancelTimer(ref etf.Ref) (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	left, ok := p.timers[ref]
	delete(p.timers, ref)
	return left, ok
}

func (p *fakeProcess) Logger() *slog.Logger { return p.log }

// reasonError is a Process error with an Erlang reason.
type reasonError struct{ reason etf.Term }

func (e reasonError) Error() string        { return "exit" }
func (e reasonError) ExitReason() etf.Term { return e.reason }
