package epmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/creo-dev/creo/internal/erltest"
)

// TestBEAMNodesUseEmbeddedServer proves real erl and elixir nodes work with
// the embedded server alone: they register, see each other in
// net_adm:names/0, find each other to ping, and a node that dies is
// forgotten at once.
func TestBEAMNodesUseEmbeddedServer(t *testing.T) {
	erltest.Erl(t)
	s := startServer(t, ServerConfig{})
	addr := s.Addr().String()
	ctx := context.Background()
	start := func(elixir bool) (*erltest.Node, string) {
		n := erltest.StartNode(t, erltest.NodeConfig{Cookie: "epmdtest", Epmd: addr, Elixir: elixir})
		// Distribution, registration included, is up once the node answers.
		probe := "ok."
		if elixir {
			probe = ":ok"
		}
		n.Eval(t, probe)
		return n, strings.TrimSuffix(n.Name, "@127.0.0.1")
	}

	a, aShort := start(false)
	nodeA, err := Lookup(ctx, addr, aShort)
	if err != nil {
		t.Fatal(err)
	}
	if nodeA.Type != VisibleNode || nodeA.HighestVersion != 6 || nodeA.LowestVersion != 5 || nodeA.Port == 0 {
		t.Errorf("%s registered as %+v, want a visible node, versions 6 and 5, a port", a.Name, nodeA)
	}

	b, bShort := start(false)
	if got := b.Eval(t, fmt.Sprintf("net_adm:ping('%s').", a.Name)); got != "pong" {
		t.Errorf("erl %s pinging %s through the embedded server: %s", b.Name, a.Name, got)
	}
	names := b.Eval(t, "net_adm:names().")
	for _, want := range []string{fmt.Sprintf(`{"%s",%d}`, aShort, nodeA.Port), fmt.Sprintf(`{"%s",`, bShort)} {
		if !strings.Contains(names, want) {
			t.Errorf("net_adm:names() = %s, missing %s", names, want)
		}
	}

	ex, _ := start(true)
	if got := ex.Eval(t, fmt.Sprintf(`Node.ping(:"%s")`, a.Name)); got != ":pong" {
		t.Errorf("elixir %s pinging %s through the embedded server: %s", ex.Name, a.Name, got)
	}

	// A killed node's registration connection is closed by the kernel, as
	// in a crash: the name must go at once.
	a.Kill()
	waitFor(t, a.Name+" to be unregistered", func() bool {
		_, err := Lookup(ctx, addr, aShort)
		return errors.Is(err, ErrNotFound)
	})
}
