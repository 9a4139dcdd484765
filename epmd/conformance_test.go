package epmd

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creo-dev/creo/internal/erltest"
)

// TestConformance runs the same client checks against a real epmd and the
// embedded server: the embedded one must be indistinguishable.
func TestConformance(t *testing.T) {
	t.Run("real epmd", func(t *testing.T) { checkEPMD(t, erltest.Epmd(t)) })
	t.Run("embedded", func(t *testing.T) { checkEPMD(t, startServer(t, ServerConfig{}).Addr().String()) })
}

// startServer starts an embedded server on a free loopback port, closed when
// the test ends, logging into the test's log.
func startServer(t testing.TB, cfg ServerConfig) *Server {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(testWriter{t}, nil))
	}
	s, err := Listen("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// testWriter sends a logger's lines to t.Log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}

func checkEPMD(t *testing.T, addr string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	register := func(n Node) *Registration {
		t.Helper()
		r, err := Register(ctx, addr, n)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}

	visible := register(Node{Name: "conf_visible", Port: 5001})
	if c := visible.Creation(); c < 4 {
		t.Errorf("version 6 registration got creation %d, want 4 or more", c)
	}
	if _, err := Register(ctx, addr, Node{Name: "conf_visible", Port: 5002}); !errors.Is(err, ErrNameInUse) {
		t.Errorf("second registration of a name: got %v, want ErrNameInUse", err)
	}
	old := register(Node{Name: "conf_old", Port: 5003, HighestVersion: 5, LowestVersion: 5})
	if c := old.Creation(); c < 1 || c > 3 {
		t.Errorf("version 5 registration got creation %d, want 1 to 3", c)
	}
	register(Node{Name: "conf_hidden", Port: 5004, Type: HiddenNode, Extra: []byte("xtra")})

	lookups := []struct {
		name string
		want Node
	}{
		{"conf_visible", Node{Name: "conf_visible", Port: 5001, Type: VisibleNode, HighestVersion: 6, LowestVersion: 5}},
		{"conf_old", Node{Name: "conf_old", Port: 5003, Type: VisibleNode, HighestVersion: 5, LowestVersion: 5}},
		{"conf_hidden", Node{Name: "conf_hidden", Port: 5004, Type: HiddenNode, HighestVersion: 6, LowestVersion: 5, Extra: []byte("xtra")}},
	}
	for _, l := range lookups {
		got, err := Lookup(ctx, addr, l.name)
		if err != nil || !equalNode(got, l.want) {
			t.Errorf("Lookup(%q) = %+v, %v; want %+v", l.name, got, err, l.want)
		}
	}
	if _, err := Lookup(ctx, addr, "conf_missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Lookup of an unknown name: got %v, want ErrNotFound", err)
	}

	names, err := Names(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []Entry{{"conf_visible", 5001}, {"conf_old", 5003}, {"conf_hidden", 5004}} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() = %v, missing %v", names, want)
		}
	}
	// erl_epmd:names/1 refuses a reply whose port is not the one it asked.
	if port := namesPort(t, addr); strconv.Itoa(int(port)) != portOf(t, addr) {
		t.Errorf("NAMES reply gives port %d, want the EPMD's %s", port, portOf(t, addr))
	}

	// Close returns once EPMD has freed the name.
	first := visible.Creation()
	visible.Close()
	if _, err := Lookup(ctx, addr, "conf_visible"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Lookup after Close: got %v, want ErrNotFound", err)
	}
	again := register(Node{Name: "conf_visible", Port: 5001})
	if again.Creation() == first {
		t.Errorf("a name registered again kept creation %#x", first)
	}
}

// namesPort sends a NAMES_REQ and returns the port the reply starts with.
func namesPort(t *testing.T, addr string) uint32 {
	t.Helper()
	reply := roundTrip(t, addr, appendNamesReq(nil))
	if len(reply) < 4 {
		t.Fatalf("NAMES reply % X too short", reply)
	}
	return uint32(reply[0])<<24 | uint32(reply[1])<<16 | uint32(reply[2])<<8 | uint32(reply[3])
}

// roundTrip writes raw bytes to the EPMD at addr and returns all it answers
// before it closes the connection.
func roundTrip(t *testing.T, addr string, raw []byte) []byte {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(raw); err != nil {
		t.Fatal(err)
	}
	reply, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("reading the reply to % X: %v", raw, err)
	}
	return reply
}

func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// waitFor polls cond until it holds, failing the test after a generous
// time; it waits for effects that cross processes, and asserts no speed.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
