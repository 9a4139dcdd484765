package host

import (
	"fmt"
	"testing"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/erltest"
)

// Interop tests: a creo node and real Elixir and erl nodes on 127.0.0.1,
// registered with a private epmd.

// elixirPeer starts a creo node and an Elixir node, both registered with
// a private epmd, with cfg's extra settings for the Elixir node.
func elixirPeer(t *testing.T, cfg erltest.NodeConfig, modify ...func(*NetConfig)) (*Node, *erltest.Node) {
	t.Helper()
	epmdAddr := erltest.Epmd(t)
	creo := startNet(t, epmdAddr, modify...)
	cfg.Epmd, cfg.Elixir = epmdAddr, true
	if cfg.Cookie == "" {
		cfg.Cookie = testCookie
	}
	ex := erltest.StartNode(t, cfg)
	ex.WaitUp(t)
	return creo, ex
}

// atomEx returns a as an Elixir atom literal.
func atomEx(a etf.Atom) string { return fmt.Sprintf(":%q", string(a)) }

func TestElixirConnects(t *testing.T) {
	creo, ex := elixirPeer(t, erltest.NodeConfig{})
	node := atomEx(creo.Name())
	for _, tt := range []struct {
		name, code, want string
	}{
		{name: "connect", code: "Node.connect(" + node + ")", want: "true"},
		{name: "listed", code: "Enum.member?(Node.list(), " + node + ")", want: "true"},
		{name: "ping", code: ":net_adm.ping(" + node + ")", want: ":pong"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := ex.Eval(t, tt.code); got != tt.want {
				t.Fatalf("%s = %s, want %s", tt.code, got, tt.want)
			}
		})
	}
}
