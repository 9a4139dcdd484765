package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/host"
	"github.com/creo-dev/creo/internal/gobuild"
)

// goEcho is the echo server as a native Go behaviour: the work of
// guests/echo without Wasm, the baseline of the local comparisons.
type goEcho struct{ host.Defaults }

func (goEcho) Init(_ *host.Process, args etf.Term) host.Result { return host.Ok(args) }

func (goEcho) HandleCall(_ *host.Process, req etf.Term, _ host.From, state etf.Term) host.Result {
	return host.Reply(req, state)
}

// HandleCast sends Msg to Pid for {send, Pid, Msg}, as the guest does,
// and ignores anything else.
func (goEcho) HandleCast(p *host.Process, msg, state etf.Term) host.Result {
	if t, ok := msg.(etf.Tuple); ok && len(t) == 3 && t[0] == etf.Atom("send") {
		p.Send(t[1], t[2])
	}
	return host.NoReply(state)
}

// cacheDir is where the harness keeps built guests and compiled modules
// from one run to the next; both are keyed by content.
func cacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "creo", "bench")
}

// guest returns the module of the Go guest guests/name, built once per
// run (and once per content across runs).
func (b *bench) guest(name string) []byte {
	if wasm, ok := b.guests[name]; ok {
		return wasm
	}
	b.logf("building guests/%s", name)
	wasm, _, err := gobuild.Build(b.tb.Context(), filepath.Join(b.cfg.Root, "guests", name), filepath.Join(cacheDir(), "guests"))
	if err != nil {
		b.tb.Fatalf("bench: build guests/%s: %v", name, err)
	}
	if b.guests == nil {
		b.guests = map[string][]byte{}
	}
	b.guests[name] = wasm
	return wasm
}

// logger is the logger of creo's nodes: errors only, since the nodes the
// run stops at its end make creo's node warn.
func (b *bench) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b.progress, &slog.HandlerOptions{Level: slog.LevelError}))
}

// newWasm returns the Wasm of node n, closed with n when the run ends.
func (b *bench) newWasm(n *host.Node) *host.Wasm {
	w, err := host.NewWasm(n, host.WasmConfig{CacheDir: cacheDir(), Logger: b.logger()})
	if err != nil {
		b.tb.Fatalf("bench: %v", err)
	}
	b.tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		n.Shutdown(ctx)
		w.Close(ctx)
	})
	return w
}

// load loads the guest guests/name into w with the default bounds, those
// of an untrusted module.
func (b *bench) load(w *host.Wasm, name string) *host.WasmModule {
	m, err := w.Load(b.tb.Context(), b.guest(name), abi.ModuleConfig{})
	if err != nil {
		b.tb.Fatalf("bench: load guests/%s: %v", name, err)
	}
	return m
}
