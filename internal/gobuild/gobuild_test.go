package gobuild

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func TestBuildCaches(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go toolchain")
	}
	dir := filepath.Join("..", "..", "guests", "counter")
	cache := t.TempDir()
	ctx := context.Background()
	first, cached, err := Build(ctx, dir, cache)
	if err != nil {
		t.Fatal(err)
	}
	if cached {
		t.Error("first build came from an empty cache")
	}
	if !bytes.HasPrefix(first, []byte("\x00asm")) {
		t.Fatalf("not a wasm module: % x", first[:min(8, len(first))])
	}
	second, cached, err := Build(ctx, dir, cache)
	if err != nil {
		t.Fatal(err)
	}
	if !cached || !bytes.Equal(first, second) {
		t.Errorf("second build: cached %v, same bytes %v; want a cache hit", cached, bytes.Equal(first, second))
	}
	entries, _ := os.ReadDir(cache)
	if len(entries) != 1 {
		t.Errorf("cache holds %d files, want 1", len(entries))
	}
}

func TestBuildErrors(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go toolchain")
	}
	_, _, err := Build(context.Background(), t.TempDir(), "")
	if err == nil {
		t.Fatal("built a directory with no Go files")
	}
}
