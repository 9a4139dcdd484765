package abi

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

// TestCompilationCacheAcrossRuntimes loads one module in two runtimes that
// share a cache directory: the first writes the compiled code, the second
// reads it back. wazero's file cache writes an entry to a new file and
// renames it into place, so an entry whose inode did not change was not
// compiled again.
func TestCompilationCacheAcrossRuntimes(t *testing.T) {
	dir := t.TempDir()
	wasm := okGuest(etf.Int(0)).bytes()
	loadIn := func() {
		rt, err := NewRuntime(Config{CacheDir: dir, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		defer rt.Close(context.Background())
		if _, err := rt.Load(context.Background(), wasm, ModuleConfig{}); err != nil {
			t.Fatal(err)
		}
	}
	loadIn()
	entries := cacheEntries(t, dir)
	if len(entries) != 1 {
		t.Fatalf("cache holds %d entries after the first load, want 1", len(entries))
	}
	loadIn()
	again := cacheEntries(t, dir)
	for path, ino := range entries {
		if again[path] != ino {
			t.Errorf("%s was written again: the second runtime compiled instead of reading the cache", path)
		}
	}
}

// cacheEntries maps each file of the cache to its inode.
func cacheEntries(t *testing.T, dir string) map[string]uint64 {
	t.Helper()
	entries := map[string]uint64{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		entries[path] = info.Sys().(*syscall.Stat_t).Ino
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

// TestLoadConcurrently loads the same bytes from many goroutines: one
// compilation serves them all, and closing every module releases it.
func TestLoadConcurrently(t *testing.T) {
	rt, err := NewRuntime(Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close(context.Background())
	wasm := okGuest(etf.Int(0)).bytes()
	mods := make([]Module, 8)
	var wg sync.WaitGroup
	for i := range mods {
		wg.Go(func() {
			m, err := rt.Load(context.Background(), wasm, ModuleConfig{})
			if err != nil {
				t.Error(err)
				return
			}
			mods[i] = m
		})
	}
	wg.Wait()
	e, _ := rt.(*runtime).engine(context.Background(), plainEngine)
	if n := len(e.compiled); n != 1 {
		t.Errorf("%d compiled modules, want 1 shared", n)
	}
	for _, m := range mods {
		if m != nil {
			m.Close(context.Background())
		}
	}
	if n := len(e.compiled); n != 0 {
		t.Errorf("%d compiled modules after closing every module, want 0", n)
	}
}

// TestCloseDuringLoad closes a runtime while a Load compiles a Go guest
// (a second or so of wazero's compiler): Close waits for the Load, since
// wazero panics on a runtime closed under a compile, and a Load after
// Close fails.
func TestCloseDuringLoad(t *testing.T) {
	wasm := goGuest(t, "../guests/echo")
	rt, err := NewRuntime(Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	loaded := make(chan error, 1)
	go func() {
		m, err := rt.Load(context.Background(), wasm, ModuleConfig{})
		if err == nil {
			m.Close(context.Background())
		}
		loaded <- err
	}()
	time.Sleep(50 * time.Millisecond) // into the compile; the outcome is checked either way
	if err := rt.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-loaded; err != nil && !errors.Is(err, errClosed) {
		t.Errorf("Load during Close = %v, want a module or %v", err, errClosed)
	}
	if _, err := rt.Load(context.Background(), wasm, ModuleConfig{}); !errors.Is(err, errClosed) {
		t.Errorf("Load after Close = %v, want %v", err, errClosed)
	}
}
