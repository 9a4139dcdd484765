package main

import (
	"context"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/host"
	"github.com/creo-dev/creo/internal/erltest"
)

// beamCode is the Elixir the BEAM nodes run: the echo server and the
// driver.
//
//go:embed beam/*.ex
var beamCode embed.FS

// cookie is the cookie of every node of a run; they are all on loopback.
const cookie = "creo-bench"

// cluster is what the comparisons with the BEAM share: a private EPMD,
// creo's node in this process, an Elixir node serving the BEAM's echo
// server, and an Elixir node that drives the calls and times the BEAM's
// codec. Everything in it stops when the run ends.
type cluster struct {
	creo   *host.Node
	wasm   *host.Wasm
	server *erltest.Node
	driver *erltest.Node
}

var nodeCount atomic.Int64

// nodeName returns a node name unique to this run.
func nodeName(role string) string {
	return fmt.Sprintf("bench%d_%s%d", os.Getpid(), role, nodeCount.Add(1))
}

// epmd returns the address of the run's private EPMD, started on first
// use.
func (b *bench) epmd() string {
	if b.epmdAddr == "" {
		b.epmdAddr = erltest.Epmd(b.tb)
	}
	return b.epmdAddr
}

// theCluster starts the cluster on first use.
func (b *bench) theCluster() *cluster {
	if b.cluster != nil {
		return b.cluster
	}
	b.logf("starting EPMD, creo's node and two Elixir nodes")
	c := &cluster{}
	ctx, cancel := context.WithTimeout(b.tb.Context(), time.Minute)
	defer cancel()
	creo, err := host.StartNode(ctx, host.NetConfig{
		Name:   etf.Atom(nodeName("creo") + "@127.0.0.1"),
		Cookie: cookie,
		EPMD:   b.epmd(),
		Logger: b.logger(),
	})
	if err != nil {
		b.tb.Fatalf("bench: start creo's node: %v", err)
	}
	b.tb.Cleanup(func() { creo.Close() })
	c.creo, c.wasm = creo, b.newWasm(creo)
	spec := host.WasmServerSpec{Name: "echo", Module: b.load(c.wasm, "echo"), Args: etf.Atom("nil")}
	if _, err := c.wasm.StartServer(ctx, spec); err != nil {
		b.tb.Fatalf("bench: start creo's Wasm echo: %v", err)
	}
	if _, err := creo.Start(goEcho{}, etf.Atom("nil"), host.Options{Name: "echo_go"}); err != nil {
		b.tb.Fatalf("bench: start creo's Go echo: %v", err)
	}
	c.server = b.startElixir("beam")
	c.server.Eval(b.tb, `{:ok, _} = GenServer.start(Bench.Echo, nil, name: :echo)`)
	c.driver = b.startElixir("driver")
	c.driver.Eval(b.tb, "Bench.Driver.put_shapes()")
	b.cluster = c
	return c
}

// startElixir starts an Elixir node with the bench's code loaded, on the
// cluster's EPMD, with extra erl flags.
func (b *bench) startElixir(role string, erlArgs ...string) *erltest.Node {
	n := erltest.StartNode(b.tb, erltest.NodeConfig{
		Name:   nodeName(role),
		Cookie: cookie,
		Epmd:   b.epmd(),
		Elixir: true,
		Args:   erlArgs,
	})
	dir := b.tb.TempDir()
	files, err := beamCode.ReadDir("beam")
	if err != nil {
		b.tb.Fatalf("bench: %v", err)
	}
	for _, f := range files {
		src, err := beamCode.ReadFile("beam/" + f.Name())
		if err != nil {
			b.tb.Fatalf("bench: %v", err)
		}
		path := filepath.Join(dir, f.Name())
		if err := os.WriteFile(path, src, 0o644); err != nil {
			b.tb.Fatalf("bench: %v", err)
		}
		n.Eval(b.tb, fmt.Sprintf("Code.require_file(%q)", path))
	}
	return n
}

var integers = regexp.MustCompile(`-?\d+`)

// evalInts evaluates Elixir code on n that returns a list of integers,
// and returns them.
func (b *bench) evalInts(n *erltest.Node, code string) []int64 {
	out := n.Eval(b.tb, code)
	var ints []int64
	for _, s := range integers.FindAllString(out, -1) {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			b.tb.Fatalf("bench: %s returned %s: %v", code, out, err)
		}
		ints = append(ints, v)
	}
	return ints
}
