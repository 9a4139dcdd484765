package epmd

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/creo-dev/creo/internal/erltest"
)

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(erltest.FreePort(t)))
}

func keep(t *testing.T, addr string, n Node, cfg KeepConfig) *Keeper {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	k, err := Keep(context.Background(), addr, n, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Close() })
	return k
}

func registeredNames(t *testing.T, addr string) []string {
	t.Helper()
	entries, err := Names(context.Background(), addr)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name)
	}
	return names
}

func TestKeepStartsServerWhenNoneAnswers(t *testing.T) {
	addr := freeAddr(t)
	k := keep(t, addr, Node{Name: "kept", Port: 5001}, KeepConfig{EmbedAddr: addr})
	if k.server == nil {
		t.Fatal("no server was started")
	}
	if names := registeredNames(t, addr); !slices.Equal(names, []string{"kept"}) {
		t.Errorf("Names() = %v, want [kept]", names)
	}
	if k.Creation() < 4 {
		t.Errorf("creation %d, want 4 or more", k.Creation())
	}
	k.Close()
	if _, err := Names(context.Background(), addr); !isRefused(err) {
		t.Errorf("after Close, Names() = %v; want the server gone", err)
	}
}

func TestKeepUsesRunningEPMD(t *testing.T) {
	tests := []struct {
		name  string
		start func(t *testing.T) string
	}{
		{"real epmd", func(t *testing.T) string { return erltest.Epmd(t) }},
		{"embedded server", func(t *testing.T) string { return startServer(t, ServerConfig{}).Addr().String() }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := tc.start(t)
			k := keep(t, addr, Node{Name: "kept", Port: 5001}, KeepConfig{EmbedAddr: addr})
			if k.server != nil {
				t.Error("started a server though an EPMD was running")
			}
			if names := registeredNames(t, addr); !slices.Contains(names, "kept") {
				t.Errorf("Names() = %v, want kept", names)
			}
		})
	}
}

func TestKeepErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, addr string) KeepConfig
		is    error
	}{
		{"nothing answers and embedding is off", func(t *testing.T, addr string) KeepConfig { return KeepConfig{} }, syscall.ECONNREFUSED},
		{"name in use", func(t *testing.T, addr string) KeepConfig {
			keep(t, addr, Node{Name: "kept", Port: 1}, KeepConfig{EmbedAddr: addr})
			return KeepConfig{EmbedAddr: addr}
		}, ErrNameInUse},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := freeAddr(t)
			cfg := tc.setup(t, addr)
			cfg.Logger = slog.New(slog.DiscardHandler)
			k, err := Keep(context.Background(), addr, Node{Name: "kept", Port: 2}, cfg)
			if !errors.Is(err, tc.is) {
				t.Errorf("got %v, %v; want %v", k, err, tc.is)
			}
		})
	}
}

// TestKeepReregisters stops the process-wide EPMD under a node: the node's
// Keeper must start a new server, register again and report the new
// creation.
func TestKeepReregisters(t *testing.T) {
	addr := freeAddr(t)
	holder := keep(t, addr, Node{Name: "holder", Port: 5001}, KeepConfig{EmbedAddr: addr})
	creations := make(chan uint32, 1)
	other := keep(t, addr, Node{Name: "other", Port: 5002}, KeepConfig{
		EmbedAddr:  addr,
		OnCreation: func(c uint32) { creations <- c },
	})
	first := other.Creation()
	if other.server != nil {
		t.Fatal("a second server was started beside the first")
	}

	holder.Close() // takes its embedded server, and other's registration, with it
	got := <-creations
	if got == first || got != other.Creation() {
		t.Errorf("new creation %#x (Creation() %#x), want one other than %#x", got, other.Creation(), first)
	}
	if names := registeredNames(t, addr); !slices.Equal(names, []string{"other"}) {
		t.Errorf("Names() = %v, want [other]", names)
	}
}

// TestEnsureRace starts nodes at once on an address where nothing listens:
// exactly one server must result, and every node must be registered there.
func TestEnsureRace(t *testing.T) {
	const nodes = 4
	addr := freeAddr(t)
	keepers := make([]*Keeper, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() {
			k, err := Keep(context.Background(), addr, Node{Name: "racer" + strconv.Itoa(i), Port: uint16(5000 + i)},
				KeepConfig{EmbedAddr: addr, Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Error(err)
				return
			}
			keepers[i] = k
		})
	}
	wg.Wait()
	servers := 0
	for _, k := range keepers {
		if k == nil {
			t.FailNow()
		}
		t.Cleanup(func() { k.Close() })
		if k.server != nil {
			servers++
		}
	}
	if servers != 1 {
		t.Errorf("%d servers started, want 1", servers)
	}
	if names := registeredNames(t, addr); len(names) != nodes {
		t.Errorf("Names() = %v, want %d racers", names, nodes)
	}
}

func TestEnsureErrors(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T) string
		want  string
	}{
		{"port held by a socket that does not listen", func(t *testing.T) string {
			// A connection bound to the port holds it without answering.
			peer, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { peer.Close() })
			local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: erltest.FreePort(t)}
			c, err := (&net.Dialer{LocalAddr: local}).Dial("tcp", peer.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			return local.String()
		}, "epmd: ensure an EPMD at ADDR: the address is in use but nothing answers there"},
		{"something else answers", func(t *testing.T) string {
			return newScripted(t, []byte("HTTP/1.1 400 Bad Request\r\n\r\n"), false).addr
		}, "epmd: ensure an EPMD at ADDR: epmd: names at ADDR: epmd: malformed NAMES line \"/1.1 400 Bad Request\\r\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := tc.setup(t)
			s, err := Ensure(context.Background(), addr, ServerConfig{})
			if s != nil {
				s.Close()
			}
			checkError(t, err, strings.ReplaceAll(tc.want, "ADDR", addr), nil)
		})
	}
}

// TestKeepRetries loses the EPMD under a Keeper that may not start one: it
// must keep trying, with backoff, until an EPMD returns.
func TestKeepRetries(t *testing.T) {
	first := startServer(t, ServerConfig{})
	addr := first.Addr().String()
	creations := make(chan uint32, 1)
	k := keep(t, addr, Node{Name: "kept", Port: 5001}, KeepConfig{OnCreation: func(c uint32) { creations <- c }})
	lost := k.Creation()
	first.Close()

	waitFor(t, "a failed attempt", func() bool {
		_, err := Names(context.Background(), addr)
		return isRefused(err)
	})
	second, err := Listen(addr, ServerConfig{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Close() })
	if got := <-creations; got == lost {
		t.Errorf("registered again with the lost creation %#x", got)
	}
	if names := registeredNames(t, addr); !slices.Equal(names, []string{"kept"}) {
		t.Errorf("Names() = %v, want [kept]", names)
	}
}

// TestKeepCloseWhileRetrying closes a Keeper that has no EPMD to register
// with: Close must end its retries and start nothing.
func TestKeepCloseWhileRetrying(t *testing.T) {
	s := startServer(t, ServerConfig{})
	addr := s.Addr().String()
	k := keep(t, addr, Node{Name: "kept", Port: 5001}, KeepConfig{})
	s.Close()
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Names(context.Background(), addr); !isRefused(err) {
		t.Errorf("after Close, Names() = %v; want nothing listening", err)
	}
}
