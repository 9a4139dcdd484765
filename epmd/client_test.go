package epmd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scripted is a fake EPMD for one connection: it reads a request, hands it
// to the test and writes reply; then it closes the connection, or with keep
// holds it as EPMD holds a registration: it hands it to the test too, reads
// until the other side ends, says on ends what ended the read, and closes.
type scripted struct {
	addr     string
	requests chan []byte
	conns    chan net.Conn
	ends     chan error
}

func newScripted(t *testing.T, reply []byte, keep bool) *scripted {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &scripted{addr: ln.Addr().String(), requests: make(chan []byte, 1), conns: make(chan net.Conn, 1), ends: make(chan error, 1)}
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		t.Cleanup(func() { c.Close() })
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		var req []byte
		if head, err := readN(c, 2); err == nil {
			body, _ := readN(c, int(head[0])<<8|int(head[1]))
			req = append(head, body...)
		}
		s.requests <- req
		if reply != nil {
			c.Write(reply)
		}
		if keep {
			s.conns <- c
			c.SetReadDeadline(time.Time{})
			_, err := c.Read(make([]byte, 1))
			s.ends <- err
		}
		c.Close()
	}()
	return s
}

func readN(r io.Reader, n int) ([]byte, error) {
	b := make([]byte, n)
	_, err := io.ReadFull(r, b)
	return b, err
}

func (s *scripted) request(t *testing.T) []byte {
	t.Helper()
	select {
	case req := <-s.requests:
		return req
	case <-time.After(10 * time.Second):
		t.Fatal("the fake EPMD got no request")
		return nil
	}
}

func TestRegister(t *testing.T) {
	tests := []struct {
		name     string
		node     Node
		request  string
		reply    string
		creation uint32
	}{
		{"hidden node, as OTP's capture", fake, "00 11 78 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00", "76 00 6B 07 D8 A4", 0x6B07D8A4},
		{"zero type and versions take OTP's defaults", Node{Name: "fake", Port: 0xA289},
			"00 11 78 A2 89 4D 00 00 06 00 05 00 04 66 61 6B 65 00 00", "76 00 00 00 00 07", 7},
		{"version 5 only gets the old reply", Node{Name: "fake", Port: 0xA289, Type: HiddenNode, HighestVersion: 5, LowestVersion: 5},
			"00 11 78 A2 89 48 00 00 05 00 05 00 04 66 61 6B 65 00 00", "79 00 00 03", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			epmd := newScripted(t, unhex(t, tc.reply), true)
			reg, err := Register(context.Background(), epmd.addr, tc.node)
			if err != nil {
				t.Fatal(err)
			}
			defer reg.Close()
			if got, want := epmd.request(t), unhex(t, tc.request); !bytes.Equal(got, want) {
				t.Errorf("request % X, want % X", got, want)
			}
			if reg.Creation() != tc.creation {
				t.Errorf("creation %#x, want %#x", reg.Creation(), tc.creation)
			}
			if err := reg.Err(); err != nil {
				t.Errorf("Err() = %v while registered", err)
			}
		})
	}
}

func TestRegisterErrors(t *testing.T) {
	tests := []struct {
		name  string
		node  Node
		reply string // "" sends nothing: the fake closes at once
		is    error
		want  string
	}{
		{"name in use, as OTP's capture", fake, "76 01 00 00 00 63", ErrNameInUse, `epmd: register "fake" at ADDR: epmd: name in use`},
		{"closed without reply", fake, "", io.EOF, `epmd: register "fake" at ADDR: EOF`},
		{"reply cut short", fake, "76 00 6B", io.ErrUnexpectedEOF, `epmd: register "fake" at ADDR: unexpected EOF`},
		{"garbage reply", fake, "48 54 54 50", nil, `epmd: register "fake" at ADDR: epmd: reply to ALIVE2_REQ starts with opcode(72)`},
		{"invalid name is not sent", Node{Name: "a\nb"}, "", nil, `epmd: register "a\nb" at ADDR: node name "a\nb" contains a control character`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			epmd := newScripted(t, unhex(t, tc.reply), false)
			_, err := Register(context.Background(), epmd.addr, tc.node)
			checkError(t, err, strings.ReplaceAll(tc.want, "ADDR", epmd.addr), tc.is)
		})
	}
}

func TestRegistrationClose(t *testing.T) {
	epmd := newScripted(t, unhex(t, "76 00 00 00 00 07"), true)
	reg, err := Register(context.Background(), epmd.addr, fake)
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Close(); err != nil {
		t.Fatal(err)
	}
	// Closing is what unregisters: EPMD must have seen the end of the
	// stream, and closed its side, before Close returns.
	select {
	case err := <-epmd.ends:
		if err != io.EOF {
			t.Errorf("EPMD's read ended with %v after Close; want EOF", err)
		}
	default:
		t.Error("Close returned before EPMD saw the end of the stream")
	}
	if !errors.Is(reg.Err(), ErrClosed) {
		t.Errorf("Err() = %v, want ErrClosed", reg.Err())
	}
	if err := reg.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// TestRegistrationCloseUnanswered checks that Close does not wait for ever
// on an EPMD that never closes its side.
func TestRegistrationCloseUnanswered(t *testing.T) {
	defer func(d time.Duration) { unregisterWait = d }(unregisterWait)
	unregisterWait = 10 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		t.Cleanup(func() { c.Close() }) // held open until the test ends
		if _, err := readN(c, 19); err == nil {
			c.Write(unhex(t, "76 00 00 00 00 07"))
		}
	}()
	reg, err := Register(context.Background(), ln.Addr().String(), fake)
	if err != nil {
		t.Fatal(err)
	}
	reg.Close()
	if !errors.Is(reg.Err(), ErrClosed) {
		t.Errorf("Err() = %v, want ErrClosed", reg.Err())
	}
}

func TestRegistrationLost(t *testing.T) {
	tests := []struct {
		name string
		end  func(net.Conn)
		want string
	}{
		{"EPMD closed the connection", func(c net.Conn) { c.Close() }, `epmd: registration of "fake" lost: EOF`},
		{"EPMD wrote after its reply", func(c net.Conn) { c.Write([]byte{0}) }, `epmd: registration of "fake" ended: EPMD sent unexpected data`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			epmd := newScripted(t, unhex(t, "76 00 00 00 00 07"), true)
			reg, err := Register(context.Background(), epmd.addr, fake)
			if err != nil {
				t.Fatal(err)
			}
			defer reg.Close()
			tc.end(<-epmd.conns)
			<-reg.Done()
			checkError(t, reg.Err(), tc.want, nil)
		})
	}
}

func TestRegisterContext(t *testing.T) {
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"cancelled while waiting for the reply", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
		{"deadline passed while waiting for the reply", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}, context.DeadlineExceeded},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			epmd := newScripted(t, nil, true) // reads the request, never replies
			ctx, cancel := tc.ctx()
			defer cancel()
			_, err := Register(ctx, epmd.addr, fake)
			if !errors.Is(err, tc.want) {
				t.Errorf("got error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestRegistrationOutlivesContext(t *testing.T) {
	epmd := newScripted(t, unhex(t, "76 00 00 00 00 07"), true)
	ctx, cancel := context.WithCancel(context.Background())
	reg, err := Register(ctx, epmd.addr, fake)
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	cancel()
	conn := <-epmd.conns
	// The registration's connection must still be open: a write from EPMD
	// reaches it and ends it as unexpected data, not as a cancelled read.
	conn.Write([]byte{0})
	<-reg.Done()
	if err := reg.Err(); err == nil || errors.Is(err, context.Canceled) || err.Error() != `epmd: registration of "fake" ended: EPMD sent unexpected data` {
		t.Errorf("Err() = %v, want the unexpected data", err)
	}
}

func TestLookup(t *testing.T) {
	epmd := newScripted(t, unhex(t, "77 00 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00"), false)
	got, err := Lookup(context.Background(), epmd.addr, "fake")
	if err != nil {
		t.Fatal(err)
	}
	if req, want := epmd.request(t), unhex(t, "00 05 7A 66 61 6B 65"); !bytes.Equal(req, want) {
		t.Errorf("request % X, want % X", req, want)
	}
	if !equalNode(got, fake) {
		t.Errorf("got %+v, want %+v", got, fake)
	}
}

func TestLookupErrors(t *testing.T) {
	tests := []struct {
		name   string
		lookup string
		reply  string
		is     error
		want   string
	}{
		{"not found, as OTP's capture", "fake", "77 01", ErrNotFound, `epmd: look up "fake" at ADDR: epmd: node not registered`},
		{"closed without reply", "fake", "", nil, `epmd: look up "fake" at ADDR: epmd: malformed PORT2_RESP: truncated`},
		{"empty name is not sent", "", "", nil, `epmd: look up "" at ADDR: empty node name`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			epmd := newScripted(t, unhex(t, tc.reply), false)
			_, err := Lookup(context.Background(), epmd.addr, tc.lookup)
			checkError(t, err, strings.ReplaceAll(tc.want, "ADDR", epmd.addr), tc.is)
		})
	}
}

func TestNames(t *testing.T) {
	reply := append(unhex(t, "00 00 38 21"), "name fakev5 at port 41609\nname fake at port 41609\n"...)
	epmd := newScripted(t, reply, false)
	got, err := Names(context.Background(), epmd.addr)
	if err != nil {
		t.Fatal(err)
	}
	if req, want := epmd.request(t), unhex(t, "00 01 6E"); !bytes.Equal(req, want) {
		t.Errorf("request % X, want % X", req, want)
	}
	want := []Entry{{"fakev5", 41609}, {"fake", 41609}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestAddr(t *testing.T) {
	tests := []struct {
		name string
		env  string
		host string
		want string
		err  string
	}{
		{"default port", "", "127.0.0.1", "127.0.0.1:4369", ""},
		{"ERL_EPMD_PORT", "14369", "127.0.0.1", "127.0.0.1:14369", ""},
		{"IPv6 host", "14369", "::1", "[::1]:14369", ""},
		{"not a number", "x", "h", "", `epmd: ERL_EPMD_PORT="x" is not a port number`},
		{"out of range", "65536", "h", "", `epmd: ERL_EPMD_PORT="65536" is not a port number`},
		{"zero", "0", "h", "", `epmd: ERL_EPMD_PORT="0" is not a port number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("ERL_EPMD_PORT", tc.env)
			got, err := Addr(tc.host)
			if tc.err != "" {
				checkError(t, err, tc.err, nil)
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	s := startServer(t, ServerConfig{})
	port := portOf(t, s.Addr().String())
	epmdPort, err := strconv.Atoi(port)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := Register(context.Background(), s.Addr().String(), Node{Name: "peer", Port: 5001})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	tests := []struct {
		name string
		node string
		port int    // the EPMD port Resolve is given
		env  string // ERL_EPMD_PORT
		addr string
		err  string
		is   error
	}{
		{name: "registered node", node: "peer@127.0.0.1", port: epmdPort, addr: "127.0.0.1:5001"},
		{name: "port from ERL_EPMD_PORT", node: "peer@127.0.0.1", env: port, addr: "127.0.0.1:5001"},
		{name: "the port given goes first", node: "peer@127.0.0.1", port: epmdPort, env: "1", addr: "127.0.0.1:5001"},
		{name: "unknown node", node: "nobody@127.0.0.1", port: epmdPort,
			err: `epmd: look up "nobody" at 127.0.0.1:PORT: epmd: node not registered`, is: ErrNotFound},
		{name: "no host", node: "peer", port: epmdPort, err: `epmd: resolve "peer": not a node name of the form name@host`},
		{name: "empty name", node: "@127.0.0.1", port: epmdPort, err: `epmd: resolve "@127.0.0.1": not a node name of the form name@host`},
		{name: "bad ERL_EPMD_PORT", node: "peer@127.0.0.1", env: "x", err: `epmd: ERL_EPMD_PORT="x" is not a port number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("ERL_EPMD_PORT", tc.env)
			addr, n, err := Resolve(context.Background(), tc.node, tc.port)
			if tc.err != "" {
				checkError(t, err, strings.ReplaceAll(tc.err, ":PORT", ":"+port), tc.is)
				return
			}
			if err != nil || addr != tc.addr || n.Name != "peer" {
				t.Errorf("got %q, %+v, %v; want %q", addr, n, err, tc.addr)
			}
		})
	}
}
