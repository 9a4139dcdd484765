package abi

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/abiname"
)

// TestFaults runs each failure in handle_cast of a guest whose init works,
// and checks the exit reason, that the instance was thrown away, and that
// the module still serves the next callback on a new instance.
func TestFaults(t *testing.T) {
	tests := []struct {
		name   string
		cfg    ModuleConfig
		body   func(g *guest) []byte
		alloc  []byte // creo_alloc's body, if not the default
		kind   FaultKind
		reason etf.Term
	}{
		{
			name:   "unreachable",
			body:   func(*guest) []byte { return []byte{opUnreachable} },
			kind:   Trap,
			reason: etf.Tuple{etf.Atom("wasm_trap"), etf.Binary("wasm error: unreachable")},
		},
		{
			name: "guest trap",
			body: func(g *guest) []byte {
				trap := g.importHost(abiname.Trap)
				msg := g.put([]byte("boom: it broke"))
				return cat(i32c(int32(msg)), i32c(14), callFn(trap), []byte{opUnreachable})
			},
			kind:   Trap,
			reason: etf.Tuple{etf.Atom("wasm_trap"), etf.Binary("boom: it broke")},
		},
		{
			name:   "deadline",
			cfg:    ModuleConfig{Deadline: 100 * time.Millisecond},
			body:   func(*guest) []byte { return []byte{opLoop, blockVoid, opBr, 0, opEnd, opUnreachable} },
			kind:   Deadline,
			reason: etf.Tuple{etf.Atom("wasm_deadline"), etf.Int(100)},
		},
		{
			name: "deadline, guarded by wazero",
			cfg:  ModuleConfig{Deadline: 100 * time.Millisecond},
			body: func(g *guest) []byte {
				g.funcs = append(g.funcs, simdFunc)
				return []byte{opLoop, blockVoid, opBr, 0, opEnd, opUnreachable}
			},
			kind:   Deadline,
			reason: etf.Tuple{etf.Atom("wasm_deadline"), etf.Int(100)},
		},
		{
			name: "memory limit",
			cfg:  ModuleConfig{MemoryPages: 4},
			body: func(*guest) []byte {
				// loop: if memory.grow(1) == -1 { unreachable }; br loop
				return cat([]byte{opLoop, blockVoid}, i32c(1), []byte{opMemoryGrow, 0}, i32c(-1), []byte{opI32Eq, opIf, blockVoid, opUnreachable, opEnd, opBr, 0, opEnd, opUnreachable})
			},
			kind:   MemoryLimit,
			reason: etf.Tuple{etf.Atom("wasm_memory_limit"), etf.Int(4)},
		},
		{
			name:   "result outside memory",
			body:   func(*guest) []byte { return packed(65530, 10) },
			kind:   BadResult,
			reason: etf.Tuple{etf.Atom("wasm_bad_result"), etf.Binary("result at 65530, 10 bytes, is outside memory of 65536 bytes")},
		},
		{
			name: "result not ETF",
			body: func(g *guest) []byte {
				return packed(g.put([]byte("hello")), 5)
			},
			kind:   BadResult,
			reason: etf.Tuple{etf.Atom("wasm_bad_result"), etf.Binary("not an ETF term: no version byte 131")},
		},
		{
			name: "result with bytes after the term",
			body: func(g *guest) []byte {
				return packed(g.put([]byte{131, 106, 106}), 3)
			},
			kind:   BadResult,
			reason: etf.Tuple{etf.Atom("wasm_bad_result"), etf.Binary("1 bytes after the term")},
		},
		{
			name: "bad return value",
			body: func(g *guest) []byte {
				return g.returns(etf.Tuple{etf.Atom("reply"), etf.Int(1), etf.Int(2)})
			},
			kind:   BadReturn,
			reason: etf.Tuple{etf.Atom("bad_return_value"), etf.Tuple{etf.Atom("reply"), etf.Int(1), etf.Int(2)}},
		},
		{
			name:   "alloc outside memory",
			body:   func(g *guest) []byte { return g.returns(etf.Tuple{etf.Atom("noreply"), etf.Int(0)}) },
			alloc:  i32c(65535),
			kind:   Trap,
			reason: etf.Tuple{etf.Atom("wasm_trap"), etf.Binary("creo_alloc(256) returned 65535, not a buffer inside memory")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := okGuest(etf.Int(0))
			g.callback(abiname.HandleCast, tt.body(g))
			if tt.alloc != nil {
				g.allocBody = tt.alloc
			}
			m := load(t, g.bytes(), tt.cfg)
			p := newFakeProcess()
			_, err := m.HandleCast(context.Background(), p, etf.Atom("go"), encode(t, etf.Int(0)))
			f := asFault(t, err, tt.kind)
			if !etf.Equal(f.ExitReason(), tt.reason) {
				t.Errorf("reason = %v, want %v", f.ExitReason(), tt.reason)
			}
			if f.Callback != HandleCast {
				t.Errorf("callback = %s, want handle_cast", f.Callback)
			}
			if !errors.Is(err, &Fault{Kind: tt.kind}) {
				t.Errorf("errors.Is(err, %s sentinel) = false", tt.kind)
			}
			if st := m.Stats(); st.Busy != 0 {
				t.Errorf("after the fault: %+v, want nothing busy", st)
			}
			// A new instance serves the next server.
			if tt.alloc != nil {
				return // the module cannot serve anything
			}
			if _, err := m.Init(context.Background(), p, etf.List{}); err != nil {
				t.Errorf("init after the fault: %v", err)
			}
		})
	}
}

// simdFunc is a function with a SIMD instruction, which
// abi/internal/interrupt cannot instrument: a module with it runs in the
// runtime that wazero guards.
var simdFunc = wasmFunc{body: cat([]byte{0xfd, 0x0c}, make([]byte, 16), []byte{opDrop})}

func TestFaultError(t *testing.T) {
	tests := []struct {
		name  string
		fault *Fault
		want  string
	}{
		{"trap", &Fault{Kind: Trap, Callback: HandleCall, Detail: etf.Binary("wasm error: unreachable")}, "abi: handle_call wasm_trap: wasm error: unreachable"},
		{"deadline", &Fault{Kind: Deadline, Callback: Init, Detail: etf.Int(50)}, "abi: init wasm_deadline 50"},
		{"bad return", &Fault{Kind: BadReturn, Callback: HandleCast, Detail: etf.Atom("x")}, "abi: handle_cast bad_return_value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.fault.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
	if !errors.Is(&Fault{Kind: Deadline}, ErrDeadline) || errors.Is(&Fault{Kind: Trap}, ErrDeadline) {
		t.Error("errors.Is does not match Faults by kind")
	}
}
