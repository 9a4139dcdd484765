package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/host"
)

// creoModule is the module path of creo's go.mod, which marks the root
// the default server is found under.
const creoModule = "github.com/creo-dev/creo"

// exampleName and examplePath are the server the node runs when none is
// configured: the server of the seed blog post, which the README's iex
// session calls. examplePath is relative to creo's module root.
const (
	exampleName etf.Atom = "example"
	examplePath          = "guests/example"
)

// serveFlagUsage documents --serve; pflag shows the quoted word as the
// flag's argument.
const serveFlagUsage = "run the Wasm module at PATH, a .wasm file or a Go guest package directory, as a supervised server registered as NAME; one `NAME=PATH` per server (with no servers configured: example=" + examplePath + ")"

// addServed adds the servers of --serve NAME=PATH values to those of the
// config file, with the node's limits and init's default argument.
func addServed(servers []serverConfig, values []string, l limits) ([]serverConfig, error) {
	for _, v := range values {
		name, path, ok := strings.Cut(v, "=")
		if !ok || name == "" || path == "" {
			return nil, usageError{fmt.Errorf("--serve %q is not NAME=PATH", v)}
		}
		if err := checkAtom(name); err != nil {
			return nil, usageError{fmt.Errorf("--serve %q: %w", v, err)}
		}
		if slices.ContainsFunc(servers, func(s serverConfig) bool { return s.name == etf.Atom(name) }) {
			return nil, usageError{fmt.Errorf("--serve %q: %s is served twice", v, name)}
		}
		servers = append(servers, defaultServer(etf.Atom(name), path, l))
	}
	return servers, nil
}

// defaultServer returns the server name of the module at path as a config
// file's server with no other keys: with the node's limits, restarted
// always, and [] for init's argument (defaultInitArgs).
func defaultServer(name etf.Atom, path string, l limits) serverConfig {
	return serverConfig{name: name, module: path, initArgs: etf.List{}, restart: host.Permanent, limits: l}
}

// serveWasm starts the configured Wasm servers on n, each of which must
// start (else none runs and serveWasm fails); with none configured it
// starts the example of the seed blog post, which the node can do
// without: when it cannot be found or built the node runs anyway and the
// log says why. Close the Wasm it returns after the node.
func serveWasm(ctx context.Context, n *host.Node, cfg config, log *slog.Logger) (*host.Wasm, error) {
	w, err := host.NewWasm(n, host.WasmConfig{CacheDir: cfg.dataDir, Logger: log})
	if err != nil {
		return nil, err
	}
	if len(cfg.servers) == 0 {
		if err := serveExample(ctx, w, cfg.limits, log); err != nil {
			log.Warn("host: not serving example", "why", err)
		}
		return w, nil
	}
	for i, srv := range cfg.servers {
		if err := startServer(ctx, w, srv, log); err != nil {
			if ctx.Err() != nil {
				break // the node is stopping anyway
			}
			for _, started := range cfg.servers[:i] {
				w.StopServer(context.Background(), started.name)
			}
			w.Close(context.Background())
			return nil, err
		}
	}
	return w, nil
}

// serveExample serves guests/example of the creo module this command runs
// in: its working directory or one of its parents.
func serveExample(ctx context.Context, w *host.Wasm, l limits, log *slog.Logger) error {
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	root, err := moduleRoot(wd)
	if err != nil {
		return err
	}
	return startServer(ctx, w, defaultServer(exampleName, filepath.Join(root, filepath.FromSlash(examplePath)), l), log)
}

// startServer reads, or builds, the module of srv, loads it and starts
// the server. Its errors are those of the host package, which name what
// failed, with the server's name added.
//
// A Go guest package is built as host build builds it (readModule): with
// the local toolchain, cached in the user's cache directory under the
// SHA-256 of the Go version, GOFLAGS, and the path and content of every Go
// file, go.mod and go.sum the package and its dependencies outside the
// standard library are built from (internal/gobuild). A restart that finds
// nothing changed runs go list, not a build; the compiled code is cached
// too, under the data directory.
func startServer(ctx context.Context, w *host.Wasm, srv serverConfig, log *slog.Logger) error {
	wasm, err := readModule(ctx, srv.module)
	if err != nil {
		return fmt.Errorf("%w (server %s)", err, srv.name)
	}
	m, err := w.Load(ctx, wasm, srv.limits.moduleConfig())
	if err != nil {
		return fmt.Errorf("%w (server %s)", err, srv.name)
	}
	defer m.Release() // the server holds it
	pid, err := w.StartServer(ctx, host.WasmServerSpec{Name: srv.name, Module: m, Args: srv.initArgs, Restart: srv.restart})
	if err != nil {
		return fmt.Errorf("%w (server %s)", err, srv.name)
	}
	log.Info("host: serving a wasm module", "name", string(srv.name), "pid", pid, "module", srv.module, "vsn", m.Vsn())
	return nil
}

// moduleConfig returns the abi configuration of a module under l.
func (l limits) moduleConfig() abi.ModuleConfig {
	return abi.ModuleConfig{MemoryPages: uint32(l.memoryPages), Deadline: l.deadline, MaxInstances: l.poolSize}
}

// moduleRoot returns dir, or the nearest of its parents, that holds creo's
// go.mod.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if isCreoModule(filepath.Join(d, "go.mod")) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod of %s in %s or its parents", creoModule, dir)
		}
	}
}

// isCreoModule reports whether the go.mod at path is creo's.
func isCreoModule(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`) == creoModule
		}
	}
	return false
}
