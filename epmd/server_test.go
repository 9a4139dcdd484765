package epmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creo-dev/creo/internal/syncbuf"
)

// loggedServer starts a server whose log the test can read.
func loggedServer(t *testing.T, cfg ServerConfig) (*Server, *syncbuf.Buffer) {
	t.Helper()
	logs := &syncbuf.Buffer{}
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	cfg.Logger = slog.New(slog.NewTextHandler(io.MultiWriter(logs, testWriter{t}), opts))
	return startServer(t, cfg), logs
}

func TestServerReplies(t *testing.T) {
	s, _ := loggedServer(t, ServerConfig{})
	if s.table.register(fake) == nil {
		t.Fatal("could not preload the table")
	}
	port := s.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name    string
		request string
		reply   []byte
	}{
		{"PORT_PLEASE2_REQ, as OTP's capture", "00 05 7A 66 61 6B 65", unhex(t, "77 00 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00")},
		{"PORT_PLEASE2_REQ ending in NUL", "00 06 7A 66 61 6B 65 00", unhex(t, "77 00 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00")},
		{"PORT_PLEASE2_REQ unknown, as OTP's capture", "00 05 7A 6E 6F 6E 65", unhex(t, "77 01")},
		{"NAMES_REQ", "00 01 6E", append(unhex(t, fmt.Sprintf("%08X", port)), "name fake at port 41609\n"...)},
		{"KILL_REQ is refused", "00 01 6B", []byte("NO")},
		{"ALIVE2_REQ of a taken name, as OTP's capture", "00 11 78 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00", unhex(t, "76 01 00 00 00 63")},
		{"version 5 ALIVE2_REQ of a taken name", "00 11 78 A2 89 48 00 00 05 00 05 00 04 66 61 6B 65 00 00", unhex(t, "79 01 00 63")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := roundTrip(t, s.Addr().String(), unhex(t, tc.request)); !bytes.Equal(got, tc.reply) {
				t.Errorf("got  % X\nwant % X", got, tc.reply)
			}
		})
	}
}

func TestServerRegisters(t *testing.T) {
	tests := []struct {
		name    string
		next    uint32
		request string
		reply   string
	}{
		{"version 6, as OTP's capture", 0x6B07D8A4, "00 11 78 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00", "76 00 6B 07 D8 A4"},
		{"version 6 skips creations 0 to 3", 0, "00 11 78 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00", "76 00 00 00 00 04"},
		{"version 5 gets 1 to 3", 0x6B07D8A4, "00 11 78 A2 89 48 00 00 05 00 05 00 04 66 61 6B 65 00 00", "79 00 00 03"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := loggedServer(t, ServerConfig{})
			s.table.next = tc.next
			c := dial(t, s.Addr().String())
			c.Write(unhex(t, tc.request))
			want := unhex(t, tc.reply)
			got, err := readN(c, len(want))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("got % X, %v; want % X", got, err, want)
			}
			if _, err := Lookup(context.Background(), s.Addr().String(), "fake"); err != nil {
				t.Errorf("registered node not found: %v", err)
			}
			c.Close()
			waitFor(t, "the node to be unregistered on close", func() bool {
				_, ok := s.table.lookup("fake")
				return !ok
			})
		})
	}
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(30 * time.Second))
	return c
}

// TestServerRefuses sends bad requests: each must close its connection with
// no reply and a log line saying why, and the server must keep serving
// what it had accepted.
func TestServerRefuses(t *testing.T) {
	tests := []struct {
		name    string
		request string
		log     string
	}{
		{"zero length", "00 00", "epmd: request length 0 out of range 1..2053"},
		{"oversized length", "FF FF", "epmd: request length 65535 out of range 1..2053"},
		{"body cut short", "00 05 7A 66", "epmd: read 5-byte request: unexpected EOF"},
		{"no body", "00 05", "epmd: read 5-byte request: unexpected EOF"},
		{"length cut short", "00", "epmd: read request length: unexpected EOF"},
		{"malformed ALIVE2_REQ", "00 05 78 00 01 4D 00", "epmd: malformed ALIVE2_REQ: truncated"},
		{"malformed PORT_PLEASE2_REQ", "00 02 7A FF", `epmd: malformed PORT_PLEASE2_REQ: node name \"\\xff\" is not valid UTF-8`},
		{"DUMP_REQ", "00 01 64", "epmd: DUMP_REQ not supported"},
		{"STOP_REQ", "00 05 73 66 61 6B 65", "epmd: STOP_REQ not supported"},
		{"unknown request", "00 01 01", "epmd: opcode(1) not supported"},
	}
	s, logs := loggedServer(t, ServerConfig{})
	ctx := context.Background()
	kept, err := Register(ctx, s.Addr().String(), fake)
	if err != nil {
		t.Fatal(err)
	}
	defer kept.Close()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mark := logs.Len()
			c := dial(t, s.Addr().String())
			c.Write(unhex(t, tc.request))
			c.(*net.TCPConn).CloseWrite()
			if reply, err := io.ReadAll(c); len(reply) > 0 || err != nil {
				t.Errorf("got reply % X, %v; want the connection closed", reply, err)
			}
			if logged := logs.String()[mark:]; !strings.Contains(logged, "level=WARN") || !strings.Contains(logged, tc.log) {
				t.Errorf("log does not warn %s:\n%s", tc.log, logged)
			}
			if n, err := Lookup(ctx, s.Addr().String(), "fake"); err != nil || n.Port != fake.Port {
				t.Errorf("after a bad request the registered node is %+v, %v", n, err)
			}
		})
	}
	if err := kept.Err(); err != nil {
		t.Errorf("bad requests ended a registration: %v", err)
	}
}

// TestServerProbe connects and closes without a byte, as Ensure's probes
// and health checks do: that is no broken request to warn about.
func TestServerProbe(t *testing.T) {
	s, logs := loggedServer(t, ServerConfig{})
	dial(t, s.Addr().String()).Close()
	waitFor(t, "the probe to be logged", func() bool {
		return strings.Contains(logs.String(), "epmd: connection closed without a request")
	})
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("a probe was warned about:\n%s", logs)
	}
}

func TestServerRequestTimeout(t *testing.T) {
	s, logs := loggedServer(t, ServerConfig{RequestTimeout: 50 * time.Millisecond})
	c := dial(t, s.Addr().String())
	c.Write([]byte{0}) // half a length, then silence
	if reply, err := io.ReadAll(c); len(reply) > 0 || err != nil {
		t.Errorf("got reply % X, %v; want the connection closed", reply, err)
	}
	if want := "epmd: read request length: read tcp"; !strings.Contains(logs.String(), want) || !strings.Contains(logs.String(), "i/o timeout") {
		t.Errorf("log does not report the timeout:\n%s", logs)
	}
}

func TestServerMaxConns(t *testing.T) {
	s, logs := loggedServer(t, ServerConfig{MaxConns: 1})
	ctx := context.Background()
	reg, err := Register(ctx, s.Addr().String(), fake)
	if err != nil {
		t.Fatal(err)
	}
	// The registration holds the only slot: a second connection is
	// closed unanswered (reset, as the request was not read).
	c := dial(t, s.Addr().String())
	c.Write(appendNamesReq(nil))
	if n, err := c.Read(make([]byte, 1)); n > 0 || err == nil {
		t.Errorf("over the limit, got a reply")
	}
	if !strings.Contains(logs.String(), "epmd: too many connections") {
		t.Errorf("log does not report the limit:\n%s", logs)
	}
	reg.Close()
	waitFor(t, "the slot to be free", func() bool {
		_, err := Names(ctx, s.Addr().String())
		return err == nil
	})
}

func TestServerDataAfterRegistration(t *testing.T) {
	s, logs := loggedServer(t, ServerConfig{})
	c := dial(t, s.Addr().String())
	c.Write(appendAlive2Req(nil, fake))
	if _, err := readN(c, 6); err != nil {
		t.Fatal(err)
	}
	c.Write([]byte{0})
	if rest, err := io.ReadAll(c); len(rest) > 0 || err != nil {
		t.Errorf("got % X, %v; want the connection closed", rest, err)
	}
	if _, ok := s.table.lookup("fake"); ok {
		t.Error("node still registered after its connection closed")
	}
	if want := "epmd: data on a registration connection"; !strings.Contains(logs.String(), want) {
		t.Errorf("log does not say %s:\n%s", want, logs)
	}
}

func TestServerClose(t *testing.T) {
	s, _ := loggedServer(t, ServerConfig{})
	reg, err := Register(context.Background(), s.Addr().String(), fake)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	<-reg.Done()
	if err := reg.Err(); errors.Is(err, ErrClosed) || err == nil {
		t.Errorf("Err() = %v, want the registration lost", err)
	}
	if _, err := Names(context.Background(), s.Addr().String()); err == nil {
		t.Error("a closed server still answers")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestServerHammer registers, looks up and unregisters from many
// goroutines at once: every creation must be unique and nothing may be
// left behind.
func TestServerHammer(t *testing.T) {
	s, _ := loggedServer(t, ServerConfig{Logger: slog.New(slog.DiscardHandler)})
	const workers, rounds = 8, 10
	addr := s.Addr().String()
	var mu sync.Mutex
	seen := make(map[uint32]string)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			ctx := context.Background()
			for r := range rounds {
				name := fmt.Sprintf("hammer%d_%d", w, r)
				reg, err := Register(ctx, addr, Node{Name: name, Port: uint16(w*rounds + r + 1)})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if other, dup := seen[reg.Creation()]; dup {
					t.Errorf("%s and %s share creation %d", name, other, reg.Creation())
				}
				seen[reg.Creation()] = name
				mu.Unlock()
				if n, err := Lookup(ctx, addr, name); err != nil || n.Name != name {
					t.Errorf("Lookup(%q) = %+v, %v", name, n, err)
				}
				reg.Close()
			}
		})
	}
	wg.Wait()
	if left := s.table.entries(); len(left) != 0 {
		t.Errorf("registered after every Close returned: %v", left)
	}
}

func TestIsLocal(t *testing.T) {
	tcp := func(ip string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: 4369} }
	tests := []struct {
		name          string
		remote, local net.Addr
		want          bool
	}{
		{"IPv4 loopback", tcp("127.0.0.1"), tcp("127.0.0.1"), true},
		{"other 127/8 address", tcp("127.1.2.3"), tcp("127.0.0.1"), true},
		{"IPv6 loopback", tcp("::1"), tcp("::1"), true},
		{"IPv4-mapped loopback", tcp("::ffff:127.0.0.1"), tcp("::ffff:127.0.0.1"), true},
		{"this host's own address", tcp("10.0.0.2"), tcp("10.0.0.2"), true},
		{"another host", tcp("10.0.0.3"), tcp("10.0.0.2"), false},
		{"not TCP", &net.UnixAddr{Name: "/tmp/x", Net: "unix"}, tcp("127.0.0.1"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := isLocal(tc.remote, tc.local); got != tc.want {
				t.Errorf("isLocal(%v, %v) = %v, want %v", tc.remote, tc.local, got, tc.want)
			}
		})
	}
}

func TestTableCreations(t *testing.T) {
	tests := []struct {
		name    string
		next    uint32
		version uint16
		want    []uint32
	}{
		{"sequential", 100, 6, []uint32{100, 101, 102}},
		{"skips 0 to 3", 2, 6, []uint32{4, 5, 6}},
		{"wraps past 2^32-1 to 4", 0xFFFFFFFF, 6, []uint32{0xFFFFFFFF, 4, 5}},
		{"version 5 cycles 1 to 3", 99, 5, []uint32{1, 2, 3, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tab := newTable()
			tab.next = tc.next
			for i, want := range tc.want {
				r := tab.register(Node{Name: fmt.Sprint("n", i), HighestVersion: tc.version})
				if r.creation != want {
					t.Errorf("registration %d: creation %#x, want %#x", i, r.creation, want)
				}
			}
		})
	}
}
