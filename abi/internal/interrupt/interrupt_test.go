package interrupt

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// A module with one exported function spin(n i32) -> i32 that loops n
// times (or forever for n < 0), in two nested loops to check every head
// gets a check, and one imported global to check the new global's index.
var spinModule = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	// type: (i32) -> i32
	0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
	// import: env.g global i32 const
	0x02, 0x0a, 0x01, 0x03, 'e', 'n', 'v', 0x01, 'g', 0x03, 0x7f, 0x00,
	// function: one of type 0
	0x03, 0x02, 0x01, 0x00,
	// memory: one page
	0x05, 0x03, 0x01, 0x00, 0x01,
	// export: spin = func 0
	0x07, 0x08, 0x01, 0x04, 's', 'p', 'i', 'n', 0x00, 0x00,
	// code
	0x0a, 0x18, 0x01, 0x16, 0x00,
	0x03, 0x40, // loop
	0x03, 0x40, // loop (inner, runs once)
	0x0b,                                     // end inner
	0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, // local.get 0; i32.const 1; i32.sub; local.tee 0
	0x41, 0x00, 0x47, 0x0d, 0x00, // i32.const 0; i32.ne; br_if 0
	0x0b,             // end outer
	0x20, 0x00, 0x0b, // local.get 0; end
}

// fibModule is a module with one exported function fib(n i32) -> i32 that
// recurses, with no loop: fib(60) runs for hours.
var fibModule = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	// type: (i32) -> i32
	0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,
	// function: one of type 0
	0x03, 0x02, 0x01, 0x00,
	// memory: one page
	0x05, 0x03, 0x01, 0x00, 0x01,
	// export: fib = func 0
	0x07, 0x07, 0x01, 0x03, 'f', 'i', 'b', 0x00, 0x00,
	// code
	0x0a, 0x1e, 0x01, 0x1c, 0x00,
	0x20, 0x00, 0x41, 0x02, 0x49, // local.get 0; i32.const 2; i32.lt_u
	0x04, 0x7f, 0x20, 0x00, // if (result i32) local.get 0
	0x05,                                     // else
	0x20, 0x00, 0x41, 0x01, 0x6b, 0x10, 0x00, // local.get 0; i32.const 1; i32.sub; call 0
	0x20, 0x00, 0x41, 0x02, 0x6b, 0x10, 0x00, // local.get 0; i32.const 2; i32.sub; call 0
	0x6a, 0x0b, // i32.add; end
	0x0b,
}

// TestInstrumentInterrupts runs guests instrumented: each must compute as
// before, and, running for ever, let collections through and stop at the
// interrupt.
func TestInstrumentInterrupts(t *testing.T) {
	tests := []struct {
		name        string
		module      []byte
		export      string
		arg, result int32
		forever     int32 // an argument it runs for ever, or hours, with
		globals     uint32
		checks      int
	}{
		{"loops", spinModule, "spin", 1000, 0, -1, 1, 2}, // one check per loop, none at the entry
		{"recursion", fibModule, "fib", 20, 6765, 60, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Instrument(tt.module)
			if err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(out, checkCode(tt.globals, tt.globals+1)); n != tt.checks {
				t.Errorf("%d checks of globals %d and %d, want %d", n, tt.globals, tt.globals+1, tt.checks)
			}
			ctx := context.Background()
			rt := wazero.NewRuntime(ctx)
			defer rt.Close(ctx)
			if _, err := rt.InstantiateWithConfig(ctx, envModule, wazero.NewModuleConfig().WithName("env")); err != nil {
				t.Fatal(err)
			}
			mod, err := rt.Instantiate(ctx, out)
			if err != nil {
				t.Fatal(err)
			}
			fn := mod.ExportedFunction(tt.export)
			if res, err := fn.Call(ctx, api.EncodeI32(tt.arg)); err != nil || api.DecodeI32(res[0]) != tt.result {
				t.Fatalf("%s(%d) = %v, %v; want %d", tt.export, tt.arg, res, err, tt.result)
			}
			flag, ok := mod.ExportedGlobal(Export).(api.MutableGlobal)
			if !ok {
				t.Fatalf("no mutable global %s", Export)
			}
			started, done := make(chan struct{}), make(chan error)
			go func() {
				close(started)
				_, err := fn.Call(ctx, api.EncodeI32(tt.forever))
				done <- err
			}()
			<-started
			// A collection needs every goroutine at a safe point, the
			// running one too: without the trips into Go it would wait for
			// ever.
			for range 3 {
				runtime.GC()
			}
			flag.Set(1)
			if err := <-done; err == nil || !strings.Contains(err.Error(), "unreachable") {
				t.Errorf("%s(%d) after the interrupt: %v, want an unreachable trap", tt.export, tt.forever, err)
			}
		})
	}
}

// TestInstrumentFunc checks where the checks go in function bodies (each
// starts with its empty vector of locals).
func TestInstrumentFunc(t *testing.T) {
	check := checkCode(5, 6)
	call := []byte{opCall, 0}
	loop := []byte{opLoop, blockEmpty}
	long := append(bytes.Repeat([]byte{opNop}, shortLeaf), opEnd)
	tests := []struct {
		name string
		fn   []byte
		want []byte
	}{
		{"no call, no loop", []byte{0, opI32Const, 1, opDrop, opEnd}, []byte{0, opI32Const, 1, opDrop, opEnd}},
		{"no call, a loop", cat(loop, []byte{opEnd, opEnd}), cat(loop, check, []byte{opEnd, opEnd})},
		{"a call, no loop", cat(call, []byte{opEnd}), cat(check, call, []byte{opEnd})},
		{"a loop first", cat(loop, call, []byte{opEnd, opEnd}), cat(loop, check, call, []byte{opEnd, opEnd})},
		{
			name: "blocks and plain instructions, then a loop",
			fn:   cat([]byte{opI32Const, 0, opDrop, opBlock, blockEmpty, opNop}, loop, call, []byte{opEnd, opEnd, opEnd}),
			want: cat([]byte{opI32Const, 0, opDrop, opBlock, blockEmpty, opNop}, loop, check, call, []byte{opEnd, opEnd, opEnd}),
		},
		{
			name: "a call before the loop",
			fn:   cat(call, loop, []byte{opEnd, opEnd}),
			want: cat(check, call, loop, check, []byte{opEnd, opEnd}),
		},
		{
			name: "a branch around the loop",
			fn:   cat([]byte{opBlock, blockEmpty, opI32Const, 0, 0x0d, 0}, loop, call, []byte{opEnd, opEnd, opEnd}), // br_if 0
			want: cat(check, []byte{opBlock, blockEmpty, opI32Const, 0, 0x0d, 0}, loop, check, call, []byte{opEnd, opEnd, opEnd}),
		},
		{"a long function that calls nothing", long, cat(check, long)},
		{"call_indirect", []byte{opI32Const, 0, 0x11, 0, 0, opEnd}, cat(check, []byte{opI32Const, 0, 0x11, 0, 0, opEnd})},
		{"return_call", []byte{0x12, 0, opEnd}, cat(check, []byte{0x12, 0, opEnd})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := instrumentFunc(nil, append([]byte{0}, tt.fn...), check)
			if err != nil {
				t.Fatal(err)
			}
			if want := append([]byte{0}, tt.want...); !bytes.Equal(got, want) {
				t.Errorf("instrumented\n% x\nwant\n% x", got, want)
			}
		})
	}
}

func cat(parts ...[]byte) []byte { return slices.Concat(parts...) }

// envModule exports the global g that spinModule imports.
var envModule = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x06, 0x06, 0x01, 0x7f, 0x00, 0x41, 0x07, 0x0b, // global i32 const 7
	0x07, 0x05, 0x01, 0x01, 'g', 0x03, 0x00, // export g
}

func TestInstrumentErrors(t *testing.T) {
	noMemory := bytes.Replace(spinModule, []byte{0x05, 0x03, 0x01, 0x00, 0x01}, nil, 1)
	simd := bytes.Clone(spinModule)
	// Replace local.get 0 after the loops with a SIMD prefix.
	simd[len(simd)-3] = 0xfd
	// Replace fib's first call with call_ref, of typed function references.
	callRef := bytes.Replace(fibModule, []byte{0x10, 0x00}, []byte{0x14, 0x00}, 1)
	tests := []struct {
		name   string
		module []byte
		want   error
		msg    string
	}{
		{"not wasm", []byte("hello"), nil, "interrupt: not a wasm module"},
		{"truncated", spinModule[:len(spinModule)-4], nil, "interrupt: section 10: truncated"},
		{"simd", simd, ErrUnsupported, "interrupt: function 0: interrupt: unsupported instruction 0xfd at offset 19"},
		{"call_ref", callRef, ErrUnsupported, "interrupt: function 0: interrupt: unsupported instruction 0x14 at offset 16"},
		{"no memory", noMemory, ErrUnsupported, "interrupt: unsupported: no memory for memory.grow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Instrument(tt.module)
			if err == nil || err.Error() != tt.msg {
				t.Fatalf("err = %v, want %q", err, tt.msg)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("errors.Is(err, %v) = false", tt.want)
			}
		})
	}
}

// FuzzInstrument checks that Instrument never panics, and that a module
// wazero accepts stays acceptable instrumented. (wazero only sees inputs
// Instrument could read: its own decoder can take very long over a huge
// vector count in a tiny input.)
func FuzzInstrument(f *testing.F) {
	f.Add(spinModule)
	f.Add(fibModule)
	f.Add(envModule)
	ctx := context.Background()
	rt := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfigInterpreter())
	defer rt.Close(ctx)
	f.Fuzz(func(t *testing.T, module []byte) {
		out, err := Instrument(module)
		if err != nil {
			return
		}
		cm, err := rt.CompileModule(ctx, module)
		if err != nil {
			return
		}
		cm.Close(ctx)
		cm, err = rt.CompileModule(ctx, out)
		if err != nil {
			t.Fatalf("instrumented module is invalid: %v", err)
		}
		cm.Close(ctx)
	})
}
