package host

import (
	"bytes"
	"strings"
	"testing"

	"github.com/creo-dev/creo/abi"
)

// TestWasmLoadFindsLoaded: a Load of the bytes of a loaded module, under
// its configuration, returns that module, whatever slice holds them; the
// module keeps its own copy, so a caller that changes its slice after the
// Load changes nothing the next Load matches.
func TestWasmLoadFindsLoaded(t *testing.T) {
	w := testWasm(t, bootedNode(t))
	echo := watEchoWasm(t)
	mine := bytes.Clone(echo)
	first, err := w.Load(ctx(t), mine, abi.ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(first.Release)
	clear(mine) // no longer a module, and of the same length
	for _, tt := range []struct {
		name string
		wasm []byte
		cfg  abi.ModuleConfig
		same bool   // the first module is returned
		err  string // the Load fails so
	}{
		{name: "the same bytes in another slice", wasm: bytes.Clone(echo), same: true},
		{name: "the same bytes under another configuration", wasm: echo, cfg: abi.ModuleConfig{MaxInstances: 3}},
		{name: "the first Load's slice, changed since", wasm: mine, err: "host: wasm: abi: compile:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := w.Load(ctx(t), tt.wasm, tt.cfg)
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("Load: %v, want an error starting %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer m.Release()
			if (m == first) != tt.same {
				t.Fatalf("Load returned the first module: %v; want %v", m == first, tt.same)
			}
			if m.Vsn() != first.Vsn() {
				t.Fatalf("vsn %s, want %s", m.Vsn(), first.Vsn())
			}
		})
	}
}

// BenchmarkWasmLoadLoaded loads a module that is loaded already, as a
// reload to a module loaded just before does (the 4 MB counter guest).
func BenchmarkWasmLoadLoaded(b *testing.B) {
	w := testWasm(b, bootedNode(b))
	counter := wasmGuest(b, "counter")
	defer loadModule(b, w, counter).Release()
	for b.Loop() {
		loadModule(b, w, counter).Release()
	}
}
