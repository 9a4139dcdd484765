package host

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/gobuild"
	"github.com/creo-dev/creo/internal/wattest"
)

// wasmTestCache is where the Wasm tests keep built guests and compiled
// modules across runs, both keyed by content, as Go's build cache is: a
// run after the first builds and compiles nothing it has seen.
func wasmTestCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "creo", "host-test")
}

var guestBuilds struct {
	mu   sync.Mutex
	wasm map[string][]byte
}

// wasmGuest returns the Go guest guests/name, built once per test binary.
// It skips the test where there is no Go toolchain to build it.
func wasmGuest(t testing.TB, name string) []byte {
	t.Helper()
	return buildGuest(t, filepath.Join("..", "guests", name))
}

// buildGuest returns the Go guest in dir, relative to this package, built
// once per test binary.
func buildGuest(t testing.TB, dir string) []byte {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go toolchain to build Go guests")
	}
	guestBuilds.mu.Lock()
	defer guestBuilds.mu.Unlock()
	if wasm, ok := guestBuilds.wasm[dir]; ok {
		return wasm
	}
	wasm, _, err := gobuild.Build(context.Background(), dir, filepath.Join(wasmTestCache(), "guests"))
	if err != nil {
		t.Fatal(err)
	}
	if guestBuilds.wasm == nil {
		guestBuilds.wasm = map[string][]byte{}
	}
	guestBuilds.wasm[dir] = wasm
	return wasm
}

// watEchoWasm returns testdata/wasm_echo.wasm: guests/echo written by hand in
// the WebAssembly text format, which costs almost nothing in the guest.
func watEchoWasm(t testing.TB) []byte {
	t.Helper()
	return wattest.Read(t, filepath.Join("testdata", "wasm_echo"))
}

// testWasm returns a Wasm for the booted node n. When the test ends it
// shuts n's tree down, so that terminate runs on loaded modules, then
// closes the Wasm.
func testWasm(t testing.TB, n *Node) *Wasm {
	t.Helper()
	w, err := NewWasm(n, WasmConfig{CacheDir: wasmTestCache(), Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		n.Shutdown(ctx)
		w.Close(ctx)
	})
	return w
}

// loadGuest loads the guest guests/name in w under cfg; closing w unloads
// it.
func loadGuest(t testing.TB, w *Wasm, name string, cfg abi.ModuleConfig) *WasmModule {
	t.Helper()
	m, err := w.Load(context.Background(), wasmGuest(t, name), cfg)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return m
}

// bootedNode returns a node with its supervision tree, shut down when the
// test ends.
func bootedNode(t testing.TB) *Node {
	t.Helper()
	n := NewNode(Config{Name: "wasm@localhost", Creation: 7, Logger: testLogger(t)})
	if err := n.Boot(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Shutdown(context.Background()) })
	return n
}

// mustDecode decodes what a Wasm server answered: an etf.Raw.
func mustDecode(t testing.TB, v etf.Term) etf.Term {
	t.Helper()
	raw, ok := v.(etf.Raw)
	if !ok {
		return v
	}
	d, n, err := etf.DecodeTerm(raw, nil)
	if err != nil || n != len(raw) {
		t.Fatalf("decode %x: %v", []byte(raw), err)
	}
	return d
}

// TestWatEchoBuilt checks that testdata/wasm_echo.wasm is what wasm_echo.wat assembles to.
func TestWatEchoBuilt(t *testing.T) {
	wattest.CheckBuilt(t, filepath.Join("testdata", "wasm_echo"))
}
