// Package gobuild builds Go guest modules with the local toolchain:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared
//
// and keeps what it builds in a content-addressed cache, so building an
// unchanged guest again costs one go list, not a link.
//
// The cache key is the SHA-256 of the Go version, the build flags, and the
// path and contents of every Go file, go.mod and go.sum the package and
// its non-standard dependencies are built from. The standard library is
// covered by the Go version.
package gobuild

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Build builds the Go main package in dir as a creo guest and returns the
// module's bytes. With a cacheDir, a build whose inputs did not change is
// read from there, and cached reports it.
func Build(ctx context.Context, dir, cacheDir string) (wasm []byte, cached bool, err error) {
	key, err := cacheKey(ctx, dir)
	if err != nil {
		return nil, false, err
	}
	var path string
	if cacheDir != "" {
		path = filepath.Join(cacheDir, key+".wasm")
		if wasm, err := os.ReadFile(path); err == nil {
			return wasm, true, nil
		}
		if err := os.MkdirAll(cacheDir, 0o755); err != nil {
			return nil, false, fmt.Errorf("gobuild: %w", err)
		}
	}
	out, err := os.CreateTemp(cacheDir, "build-*.wasm")
	if err != nil {
		return nil, false, fmt.Errorf("gobuild: %w", err)
	}
	out.Close()
	defer os.Remove(out.Name())
	if _, err := goCmd(ctx, dir, "build", "-buildmode=c-shared", "-o", out.Name(), "."); err != nil {
		return nil, false, err
	}
	wasm, err = os.ReadFile(out.Name())
	if err != nil {
		return nil, false, fmt.Errorf("gobuild: %w", err)
	}
	if path != "" {
		// Rename is atomic: a reader sees the whole module or none.
		if err := os.Rename(out.Name(), path); err != nil {
			return nil, false, fmt.Errorf("gobuild: %w", err)
		}
	}
	return wasm, false, nil
}

// cacheKey hashes what a build of dir depends on.
func cacheKey(ctx context.Context, dir string) (string, error) {
	list, err := goCmd(ctx, dir, "list", "-deps",
		"-f", `{{if not .Standard}}{{.Dir}}{{range .GoFiles}} {{.}}{{end}}{{with .Module}} {{.GoMod}}{{end}}{{end}}`, ".")
	if err != nil {
		return "", err
	}
	version, err := goCmd(ctx, dir, "env", "GOVERSION", "GOFLAGS")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(version)
	sc := bufio.NewScanner(bytes.NewReader(list))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		for _, f := range fields[1:] {
			path := f
			if !filepath.IsAbs(path) {
				path = filepath.Join(fields[0], f)
			}
			if err := hashFile(h, path); err != nil {
				return "", err
			}
			if filepath.Base(path) == "go.mod" {
				if err := hashFile(h, filepath.Join(filepath.Dir(path), "go.sum")); err != nil && !errors.Is(err, os.ErrNotExist) {
					return "", err
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashFile(h io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(h, "%s\x00", path)
	_, err = io.Copy(h, f)
	return err
}

// goCmd runs the go command in dir for wasip1/wasm and returns its output.
func goCmd(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("gobuild: go %s in %s: %v\n%s", args[0], dir, err, stderr.Bytes())
	}
	return out, nil
}
