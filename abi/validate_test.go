package abi

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/abiname"
)

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		wasm func() []byte
		cfg  ModuleConfig
		want string // the error after "abi: module <hash>: "
	}{
		{
			name: "no init",
			wasm: func() []byte { return newGuest().bytes() },
			want: "missing export init",
		},
		{
			name: "memory not exported",
			wasm: func() []byte { g := okGuest(etf.Int(0)); g.hideMemory = true; return g.bytes() },
			want: "missing export memory",
		},
		{
			name: "init of the wrong type",
			wasm: func() []byte {
				g := newGuest()
				g.funcs = append(g.funcs, wasmFunc{export: abiname.Init, params: []byte{wI32}, results: []byte{wI64}, body: i64c(0)})
				return g.bytes()
			},
			want: "init has type (i32) -> (i64), want (i32 i32) -> (i64)",
		},
		{
			name: "handle_call of the wrong type",
			wasm: func() []byte {
				g := okGuest(etf.Int(0))
				g.funcs = append(g.funcs, wasmFunc{export: abiname.HandleCall, params: []byte{wI32, wI32}, results: []byte{wI32}, body: i32c(0)})
				return g.bytes()
			},
			want: "handle_call has type (i32 i32) -> (i32), want (i32 i32) -> (i64)",
		},
		{
			name: "a command, not a reactor",
			wasm: func() []byte {
				g := okGuest(etf.Int(0))
				g.funcs = append(g.funcs, wasmFunc{export: abiname.Start})
				return g.bytes()
			},
			want: "exports _start: build it as a reactor (-buildmode=c-shared)",
		},
		{
			name: "unknown import module",
			wasm: func() []byte {
				g := okGuest(etf.Int(0))
				g.imports = append(g.imports, wasmImport{module: "env", name: "open"})
				return g.bytes()
			},
			want: "imports env.open: only creo and wasi_snapshot_preview1 are provided",
		},
		{
			name: "unknown host function",
			wasm: func() []byte {
				g := okGuest(etf.Int(0))
				g.imports = append(g.imports, wasmImport{module: abiname.Module, name: "spawn"})
				return g.bytes()
			},
			want: "imports creo.spawn, which the host does not provide",
		},
		{
			name: "host function of the wrong type",
			wasm: func() []byte {
				g := okGuest(etf.Int(0))
				g.imports = append(g.imports, wasmImport{module: abiname.Module, name: abiname.Self, params: []byte{wI32}, results: []byte{wI32}})
				return g.bytes()
			},
			want: "self has type (i32) -> (i32), want (i32 i32) -> (i32)",
		},
		{
			name: "memory over the limit",
			wasm: func() []byte { g := okGuest(etf.Int(0)); g.memPages = 8; return g.bytes() },
			cfg:  ModuleConfig{MemoryPages: 4},
			want: "memory starts at 8 pages, over the limit of 4",
		},
		{
			name: "ABI version too new",
			wasm: func() []byte { g := okGuest(etf.Int(0)); g.version = 3; return g.bytes() },
			want: "abi: init wasm_unavailable: creo_abi_version is 3, want 1 to 2",
		},
		{
			name: "ABI version too old",
			wasm: func() []byte { g := okGuest(etf.Int(0)); g.version = 0; return g.bytes() },
			want: "abi: init wasm_unavailable: creo_abi_version is 0, want 1 to 2",
		},
		{
			name: "_initialize traps",
			wasm: func() []byte {
				g := okGuest(etf.Int(0))
				g.funcs = append(g.funcs, wasmFunc{export: abiname.Initialize, body: []byte{opUnreachable}})
				return g.bytes()
			},
			want: "abi: init wasm_unavailable: _initialize: wasm error: unreachable",
		},
		{
			name: "_initialize never returns",
			wasm: func() []byte {
				g := okGuest(etf.Int(0))
				g.funcs = append(g.funcs, wasmFunc{export: abiname.Initialize, body: []byte{opLoop, blockVoid, opBr, 0, opEnd}})
				return g.bytes()
			},
			cfg:  ModuleConfig{Deadline: 100 * time.Millisecond},
			want: "abi: init wasm_deadline 100",
		},
	}
	rt, err := NewRuntime(Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(context.Background())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := rt.Load(context.Background(), tt.wasm(), tt.cfg)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			// Drop the module's hash: "abi: module 0123456789ab: ".
			_, got, _ := strings.Cut(err.Error(), ": ")
			_, got, _ = strings.Cut(got, ": ")
			if got != tt.want {
				t.Errorf("Load error\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestLoadNotWasm(t *testing.T) {
	rt, err := NewRuntime(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(context.Background())
	_, err = rt.Load(context.Background(), []byte("not wasm"), ModuleConfig{})
	if err == nil || !strings.HasPrefix(err.Error(), "abi: compile: ") {
		t.Errorf("err = %v, want an abi: compile: error", err)
	}
}
