package interrupt

import (
	"bytes"
	"context"
	"errors"
	"runtime"
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

func TestInstrumentInterrupts(t *testing.T) {
	out, err := Instrument(spinModule)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(out, loopCheck(1, 2)); n != 2 {
		t.Errorf("%d checks of globals 1 and 2, want 2 (one per loop)", n)
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	env, err := rt.InstantiateWithConfig(ctx, envModule, wazero.NewModuleConfig().WithName("env"))
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close(ctx)
	mod, err := rt.Instantiate(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	spin := mod.ExportedFunction("spin")
	if res, err := spin.Call(ctx, 1000); err != nil || res[0] != 0 {
		t.Fatalf("spin(1000) = %v, %v; want 0, nil", res, err)
	}
	flag, ok := mod.ExportedGlobal(Export).(api.MutableGlobal)
	if !ok {
		t.Fatalf("no mutable global %s", Export)
	}
	started, done := make(chan struct{}), make(chan error)
	go func() {
		close(started)
		_, err := spin.Call(ctx, api.EncodeI32(-1))
		done <- err
	}()
	<-started
	// A collection needs every goroutine at a safe point, the spinning one
	// too: without the trips into Go it would wait for ever.
	for range 3 {
		runtime.GC()
	}
	flag.Set(1)
	if err := <-done; err == nil || !bytes.Contains([]byte(err.Error()), []byte("unreachable")) {
		t.Errorf("spin(-1) after the interrupt: %v, want an unreachable trap", err)
	}
}

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
	tests := []struct {
		name   string
		module []byte
		want   error
		msg    string
	}{
		{"not wasm", []byte("hello"), nil, "interrupt: not a wasm module"},
		{"truncated", spinModule[:len(spinModule)-4], nil, "interrupt: section 10: truncated"},
		{"simd", simd, ErrUnsupported, "interrupt: function 0: interrupt: unsupported instruction 0xfd at offset 19"},
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
