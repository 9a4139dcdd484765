package abi

import (
	"context"
	"testing"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/abiname"
	"github.com/tetratelabs/wazero/api"
)

// TestHostFunctionStatus calls each host function from a byte-built guest
// with bad pointers and bad terms: each must answer a status code, and the
// guest traps unless it is the one expected.
func TestHostFunctionStatus(t *testing.T) {
	const outside = 70000 // past the guest's one page
	type arg struct {
		term etf.Term // placed in memory: pushes ptr, len
		raw  []byte   // placed in memory as is: pushes ptr, len
		v    int64    // pushed as is
	}
	val := func(v int64) arg { return arg{v: v} }
	term := func(t etf.Term) arg { return arg{term: t} }
	raw := func(b []byte) arg { return arg{raw: b} }
	ref := etf.Ref{Node: "creo@127.0.0.1", Creation: 7, Len: 3, ID: [5]uint32{9, 9, 9}}
	pid := etf.Pid{Node: "a@b", ID: 1, Creation: 1}
	tests := []struct {
		name string
		fn   string
		args []arg
		want int64
	}{
		{"self out outside memory", abiname.Self, []arg{val(outside), val(100)}, abiname.ErrMemory},
		{"send dest outside memory", abiname.Send, []arg{val(outside), val(10), term(etf.Atom("m"))}, abiname.ErrMemory},
		{"send msg outside memory", abiname.Send, []arg{term(pid), val(1), val(outside)}, abiname.ErrMemory},
		{"send msg not ETF", abiname.Send, []arg{term(pid), raw([]byte("xx"))}, abiname.ErrBadTerm},
		{"send msg truncated", abiname.Send, []arg{term(pid), raw([]byte{131, 109, 0, 0, 0, 9, 1})}, abiname.ErrBadTerm},
		{"send to an integer", abiname.Send, []arg{term(etf.Int(5)), term(etf.Atom("m"))}, abiname.ErrBadTerm},
		{"send to a name not registered", abiname.Send, []arg{term(etf.Atom("nobody")), term(etf.Atom("m"))}, abiname.ErrFailed},
		{"send to {name, node}", abiname.Send, []arg{term(etf.Tuple{etf.Atom("n"), etf.Atom("a@b")}), term(etf.Atom("m"))}, abiname.OK},
		{"call dest outside memory", abiname.Call, []arg{val(outside), val(4), term(etf.Atom("r")), val(-1), val(0), val(0)}, abiname.ErrMemory},
		{"call out outside memory", abiname.Call, []arg{term(pid), term(etf.Atom("r")), val(-1), val(outside), val(100)}, abiname.ErrMemory},
		{"reply from outside memory", abiname.Reply, []arg{val(outside), val(4), term(etf.Atom("r"))}, abiname.ErrMemory},
		{"reply ok", abiname.Reply, []arg{term(etf.Tuple{pid, etf.Atom("tag")}), term(etf.Atom("r"))}, abiname.OK},
		{"send_after negative delay", abiname.SendAfter, []arg{term(pid), term(etf.Atom("m")), val(-5), val(0), val(0)}, abiname.ErrFailed},
		{"cancel_timer not a ref", abiname.CancelTimer, []arg{term(etf.Atom("x"))}, abiname.ErrBadTerm},
		{"cancel_timer unknown ref", abiname.CancelTimer, []arg{term(ref)}, abiname.ErrNoTimer},
		{"cancel_timer outside memory", abiname.CancelTimer, []arg{val(outside), val(8)}, abiname.ErrMemory},
		{"random_bytes outside memory", abiname.RandomBytes, []arg{val(outside - 100), val(200)}, abiname.ErrMemory},
		{"random_bytes", abiname.RandomBytes, []arg{val(100), val(16)}, abiname.OK},
		{"log bad level", abiname.Log, []arg{val(9), raw([]byte("hi"))}, abiname.ErrFailed},
		{"log outside memory", abiname.Log, []arg{val(1), val(outside), val(2)}, abiname.ErrMemory},
		{"log", abiname.Log, []arg{val(abiname.LevelInfo), raw([]byte("hi"))}, abiname.OK},
		{"result with nothing held", abiname.Result, []arg{val(0), val(100)}, abiname.ErrNoResult},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := okGuest(etf.Int(0))
			fn := g.importHost(tt.fn)
			var f hostFunc
			for _, h := range hostFuncs {
				if h.name == tt.fn {
					f = h
				}
			}
			var body []byte
			i := 0 // parameter index
			for _, a := range tt.args {
				switch {
				case a.term != nil || a.raw != nil:
					b := a.raw
					if a.term != nil {
						b, _ = etf.Encode(a.term)
					}
					body = cat(body, i32c(int32(g.put(b))), i32c(int32(len(b))))
					i += 2
				case f.params[i] == api.ValueTypeI64:
					body, i = cat(body, i64c(a.v)), i+1
				default:
					body, i = cat(body, i32c(int32(a.v))), i+1
				}
			}
			if f.results[0] == api.ValueTypeI64 {
				body = cat(body, callFn(fn), i64c(tt.want), []byte{0x52}) // i64.ne
			} else {
				body = cat(body, callFn(fn), i32c(int32(tt.want)), []byte{opI32Ne})
			}
			body = cat(body, []byte{opIf, blockVoid, opUnreachable, opEnd}, g.returns(etf.Tuple{etf.Atom("reply"), etf.Atom("ok"), etf.Int(0)}))
			g.callback(abiname.HandleCall, body)
			m := load(t, g.bytes(), ModuleConfig{})
			if _, err := m.HandleCall(context.Background(), newFakeProcess(), etf.Atom("go"), etf.Atom("from"), etf.Int(0)); err != nil {
				t.Errorf("%s did not return %d: %v", tt.fn, tt.want, err)
			}
		})
	}
}

// TestHostFunctionsInInitialize calls host functions from _initialize,
// where there is no server: those that act for one fail with no_process,
// the others work. The guest traps on any other status.
func TestHostFunctionsInInitialize(t *testing.T) {
	g := okGuest(etf.Int(0))
	self := g.importHost(abiname.Self)
	cancel := g.importHost(abiname.CancelTimer)
	result := g.importHost(abiname.Result)
	mono := g.importHost(abiname.MonotonicTime)
	noProcess, _ := etf.Encode(etf.Atom("no_process"))
	failUnless := []byte{opI32Ne, opIf, blockVoid, opUnreachable, opEnd}
	g.funcs = append(g.funcs, wasmFunc{export: abiname.Initialize, body: cat(
		i32c(100), i32c(64), callFn(self), i32c(abiname.ErrFailed), failUnless,
		i32c(100), i32c(64), callFn(result), i32c(int32(len(noProcess))), failUnless,
		i32c(100), i32c(8), callFn(cancel), i64c(abiname.ErrFailed), []byte{0x52, opIf, blockVoid, opUnreachable, opEnd},
		callFn(mono), i64c(0), []byte{0x57, opIf, blockVoid, opUnreachable, opEnd}, // i64.le_s
	)})
	load(t, g.bytes(), ModuleConfig{}) // fails the test if _initialize traps
}
