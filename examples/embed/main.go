// Command embed is a Go program that embeds creo as a library: it starts a
// distributed node, serves a WebAssembly module as a GenServer registered
// as example, calls it from Go, and serves it to the cluster until
// interrupted, so that Elixir can call it too:
//
//	go run ./cmd/host build ./guests/example -o example.wasm
//	go run ./examples/embed -cookie "$(cat ~/.erlang.cookie)" example.wasm
//
//	iex --name a@127.0.0.1
//	iex> GenServer.call({:example, :"embed@127.0.0.1"}, :hi)
//	"hello"
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/host"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "embed:", err)
		os.Exit(1)
	}
}

// run runs the program with the command line args until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := flag.NewFlagSet("embed", flag.ContinueOnError)
	flags.SetOutput(stderr)
	name := flags.String("name", "embed@127.0.0.1", "the node's name")
	cookie := flags.String("cookie", "", "the cluster's cookie (required)")
	epmd := flags.String("epmd", "", "the EPMD to register with (default: this machine's)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *cookie == "" || flags.NArg() != 1 {
		return errors.New("usage: embed -cookie COOKIE [-name NAME] [-epmd ADDR] MODULE.wasm")
	}
	wasm, err := os.ReadFile(flags.Arg(0))
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))

	// A node other Erlang nodes connect to, as to any other.
	node, err := host.StartNode(ctx, host.NetConfig{Name: etf.Atom(*name), Cookie: *cookie, EPMD: *epmd, Logger: log})
	if err != nil {
		return err
	}
	// The node's WebAssembly runtime. It closes after the node, whose
	// shutdown runs the terminate callbacks of the servers.
	w, err := host.NewWasm(node, host.WasmConfig{Logger: log})
	if err != nil {
		node.Close()
		return err
	}
	defer func() {
		node.Close()
		w.Close(context.Background())
	}()

	// Load the module with tighter bounds than the defaults, then start a
	// supervised server of it registered as example, which holds the
	// module loaded as long as it runs.
	m, err := w.Load(ctx, wasm, abi.ModuleConfig{MemoryPages: 128, Deadline: time.Second})
	if err != nil {
		return err
	}
	pid, err := w.StartServer(ctx, host.WasmServerSpec{Name: "example", Module: m})
	m.Release()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "started example %s, module vsn %s\n", etf.Format(pid), m.Vsn()[:12])

	// Call it from Go, as GenServer.call(:example, :hi) would.
	reply, err := node.Call(ctx, etf.Atom("example"), etf.Atom("hi"), 5*time.Second)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "example answered hi with %s\n", etf.Format(reply))

	fmt.Fprintf(stdout, "serving: GenServer.call({:example, :%q}, :hi) from iex; Ctrl-C to stop\n", *name)
	<-ctx.Done()
	return nil
}
