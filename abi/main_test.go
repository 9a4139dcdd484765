package abi

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/creo-dev/creo/internal/gobuild"
)

// buildDir holds the Go guests the tests build, once per test binary.
var buildDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "abi-guests-")
	if err != nil {
		panic(err)
	}
	buildDir = dir
	code := m.Run()
	if shared != nil {
		shared.Close(context.Background())
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	buildMu sync.Mutex
	built   = map[string][]byte{}
)

// goGuest builds the Go guest in dir (relative to this package), once per
// test binary. It skips the test where there is no Go toolchain.
func goGuest(t testing.TB, dir string) []byte {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go toolchain to build Go guests")
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	if wasm, ok := built[dir]; ok {
		return wasm
	}
	wasm, _, err := gobuild.Build(context.Background(), filepath.FromSlash(dir), buildDir)
	if err != nil {
		t.Fatal(err)
	}
	built[dir] = wasm
	return wasm
}

var (
	sharedOnce sync.Once
	shared     Runtime
)

// loadGo loads a Go guest in a runtime shared by the tests, so each guest
// compiles once per test binary.
func loadGo(t testing.TB, dir string, cfg ModuleConfig) Module {
	t.Helper()
	wasm := goGuest(t, dir)
	sharedOnce.Do(func() {
		rt, err := NewRuntime(Config{CacheDir: filepath.Join(buildDir, "cache"), Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			panic(err)
		}
		shared = rt
	})
	m, err := shared.Load(context.Background(), wasm, cfg)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	t.Cleanup(func() { m.Close(context.Background()) })
	return m
}
