package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/host"
	"github.com/creo-dev/creo/internal/erltest"
)

// BenchmarkCall measures what a subcommand costs: `host call echo hi` run
// in-process (start a hidden node, connect, call, close), beside the same
// call over a connection already made, the baseline.
func BenchmarkCall(b *testing.B) {
	ctx := context.Background()
	epmdAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(erltest.FreePort(b)))
	const cookie, target = "benchcookie", "creo_cli_bench@127.0.0.1"
	n, err := host.StartNode(ctx, host.NetConfig{Name: target, Cookie: cookie, EPMD: epmdAddr, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	w, err := host.NewWasm(n, host.WasmConfig{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		n.Close()
		w.Close(ctx)
	})
	wasm, err := readModule(ctx, filepath.Join("..", "..", "guests", "echo"))
	if err != nil {
		b.Fatal(err)
	}
	m, err := w.Load(ctx, wasm, abi.ModuleConfig{})
	if err != nil {
		b.Fatal(err)
	}
	_, err = w.StartServer(ctx, host.WasmServerSpec{Name: "echo", Module: m})
	m.Release()
	if err != nil {
		b.Fatal(err)
	}

	b.Run("command", func(b *testing.B) {
		args := []string{"call", "echo", "hi", "--node", target, "--cookie", cookie, "--epmd", epmdAddr}
		for b.Loop() {
			if got := run(args, io.Discard, io.Discard); got != 0 {
				b.Fatalf("status %d", got)
			}
		}
	})
	b.Run("connected", func(b *testing.B) {
		c := &client{target: nodeSettings{name: target, cookie: cookie, epmd: epmdAddr}, timeout: defaultTimeout}
		defer c.close()
		for b.Loop() {
			if _, err := c.call(ctx, "call echo", "echo", etf.Atom("hi")); err != nil {
				b.Fatal(err)
			}
		}
	})
}
