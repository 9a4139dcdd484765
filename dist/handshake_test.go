package dist

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/syncbuf"
)

// testConfig returns a configuration for node name whose handler ignores
// everything, and whose log goes to the returned buffer.
func testConfig(name string) (*Config, *syncbuf.Buffer) {
	logs := &syncbuf.Buffer{}
	return &Config{
		Name:     etf.Atom(name),
		Cookie:   "cookie",
		Creation: 0x6B07D8A5,
		Handler:  func(*Conn, Control) {},
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, logs
}

type handshakeResult struct {
	conn *Conn
	err  error
}

// handshakePair runs Initiate and Accept against each other over a pipe.
func handshakePair(t *testing.T, dialer, acceptor *Config, peer etf.Atom) (dialed, accepted handshakeResult) {
	t.Helper()
	a, b := net.Pipe()
	ctx := context.Background()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		accepted.conn, accepted.err = Accept(ctx, b, acceptor)
	}()
	dialed.conn, dialed.err = Initiate(ctx, a, peer, dialer)
	wg.Wait()
	for _, c := range []*Conn{dialed.conn, accepted.conn} {
		if c != nil {
			t.Cleanup(func() { c.Close(); <-c.Done() })
		}
	}
	return dialed, accepted
}

func TestHandshake(t *testing.T) {
	admit := func(s Status) func(etf.Atom, Flags) Status {
		return func(etf.Atom, Flags) Status { return s }
	}
	tests := []struct {
		name          string
		dialer        func(*Config)
		acceptor      func(*Config)
		peer          etf.Atom // what the dialer dials; b@host when empty
		wantDialErr   error
		wantAcceptErr error
		wantFlags     Flags
		wantLog       string // in the acceptor's log
	}{
		{name: "ok", wantFlags: DefaultFlags | FlagPublished},
		{name: "status ok", acceptor: func(c *Config) { c.Admit = admit(StatusOK) }, wantFlags: DefaultFlags | FlagPublished},
		{name: "ok_simultaneous", acceptor: func(c *Config) { c.Admit = admit(StatusOKSimultaneous) }, wantFlags: DefaultFlags | FlagPublished},
		{name: "alive, then true", acceptor: func(c *Config) { c.Admit = admit(StatusAlive) }, wantFlags: DefaultFlags | FlagPublished},
		{name: "hidden dialer", dialer: func(c *Config) { c.Hidden = true }, wantFlags: DefaultFlags},
		{name: "hidden acceptor", acceptor: func(c *Config) { c.Hidden = true }, wantFlags: DefaultFlags},
		{
			name:     "digest bit alone stands for the OTP 25 flags",
			dialer:   func(c *Config) { c.Flags = DefaultFlags &^ Mandatory25 },
			acceptor: func(c *Config) {}, wantFlags: DefaultFlags | FlagPublished,
		},
		{
			name:        "nok",
			acceptor:    func(c *Config) { c.Admit = admit(StatusNok) },
			wantDialErr: ErrSimultaneous, wantAcceptErr: ErrSimultaneous,
		},
		{
			name:        "not_allowed",
			acceptor:    func(c *Config) { c.Admit = admit(StatusNotAllowed) },
			wantDialErr: ErrNotAllowed, wantAcceptErr: ErrNotAllowed,
		},
		{
			name:        "wrong cookie",
			dialer:      func(c *Config) { c.Cookie = "other" },
			wantDialErr: io.ErrUnexpectedEOF, wantAcceptErr: ErrBadCookie,
			wantLog: "wrong cookie",
		},
		{
			name:        "dialer lacks mandatory flags",
			dialer:      func(c *Config) { c.Flags = DefaultFlags &^ (FlagUnlinkID | FlagV4NC) },
			wantDialErr: ErrNotAllowed, wantAcceptErr: &MissingFlagsError{Missing: FlagUnlinkID | FlagV4NC},
			wantLog: "peer cannot handle UNLINK_ID|V4_NC",
		},
		{
			name:        "acceptor lacks mandatory flags",
			acceptor:    func(c *Config) { c.Flags = DefaultFlags &^ FlagBigCreation &^ FlagMandatory25Digest },
			wantDialErr: &MissingFlagsError{Missing: FlagBigCreation}, wantAcceptErr: io.ErrUnexpectedEOF,
		},
		{
			name:        "acceptor is not the node dialed",
			peer:        "c@host",
			wantDialErr: ErrProtocol, wantAcceptErr: io.ErrUnexpectedEOF,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dialer, _ := testConfig("a@host")
			acceptor, logs := testConfig("b@host")
			acceptor.Creation = 42
			if tt.dialer != nil {
				tt.dialer(dialer)
			}
			if tt.acceptor != nil {
				tt.acceptor(acceptor)
			}
			peer := tt.peer
			if peer == "" {
				peer = "b@host"
			}
			dialed, accepted := handshakePair(t, dialer, acceptor, peer)
			checkHandshakeErr(t, "Initiate", dialed.err, tt.wantDialErr)
			checkHandshakeErr(t, "Accept", accepted.err, tt.wantAcceptErr)
			if tt.wantLog != "" && !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("acceptor's log lacks %q:\n%s", tt.wantLog, logs)
			}
			if dialed.err != nil || accepted.err != nil {
				return
			}
			for _, c := range []struct {
				conn     *Conn
				peer     etf.Atom
				creation uint32
			}{{dialed.conn, "b@host", 42}, {accepted.conn, "a@host", 0x6B07D8A5}} {
				if c.conn.Peer() != c.peer || c.conn.PeerCreation() != c.creation || c.conn.Flags() != tt.wantFlags {
					t.Errorf("connection to %s, creation %d, flags %v; want %s, %d, %v",
						c.conn.Peer(), c.conn.PeerCreation(), c.conn.Flags(), c.peer, c.creation, tt.wantFlags)
				}
			}
		})
	}
}

// checkHandshakeErr checks err is nil when want is, and otherwise a
// ConnectionError matching want (by errors.Is, or by message for a
// MissingFlagsError).
func checkHandshakeErr(t *testing.T, who string, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Errorf("%s: %v", who, err)
		}
		return
	}
	var cerr *ConnectionError
	switch {
	case !errors.As(err, &cerr):
		t.Errorf("%s: error %v (%T), want a *ConnectionError", who, err, err)
	case errors.Is(err, want):
	case errors.As(want, new(*MissingFlagsError)) && strings.HasSuffix(err.Error(), want.Error()):
	default:
		t.Errorf("%s: error %v, want %v", who, err, want)
	}
}

// scriptedPeer plays one side of a handshake from raw messages, on a
// goroutine of its own: a failure ends that goroutine.
type scriptedPeer struct {
	t  *testing.T
	nc net.Conn
}

func (p scriptedPeer) fail(format string, args ...any) {
	p.t.Errorf("scripted peer: "+format, args...)
	runtime.Goexit()
}

func (p scriptedPeer) send(msg []byte) {
	frame := binary.BigEndian.AppendUint16(nil, uint16(len(msg)))
	if _, err := p.nc.Write(append(frame, msg...)); err != nil {
		p.fail("send: %v", err)
	}
}

func (p scriptedPeer) recv() []byte {
	var size [2]byte
	if _, err := io.ReadFull(p.nc, size[:]); err != nil {
		p.fail("receive: %v", err)
	}
	msg := make([]byte, binary.BigEndian.Uint16(size[:]))
	if _, err := io.ReadFull(p.nc, msg); err != nil {
		p.fail("receive: %v", err)
	}
	return msg
}

// acceptScripted runs Accept against script, played on the other end.
func acceptScripted(t *testing.T, cfg *Config, script func(p scriptedPeer)) (*Conn, error) {
	t.Helper()
	a, b := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		script(scriptedPeer{t, a})
	}()
	// The script's end is closed once Accept has returned, not when the
	// script ends: a net.Pipe whose other end is closed fails even the
	// SetDeadline that ends a handshake, which a TCP socket would not.
	c, err := Accept(context.Background(), b, cfg)
	a.Close()
	<-done
	if c != nil {
		t.Cleanup(func() { c.Close(); <-c.Done() })
	}
	return c, err
}

func TestAcceptVersion5(t *testing.T) {
	// An OTP 23 or 24 node that did not look this node up in EPMD sends
	// the old send_name, and the high flags and creation in a complement.
	cfg, _ := testConfig("b@host")
	c, err := acceptScripted(t, cfg, func(p scriptedPeer) {
		flags := uint64(DefaultFlags)
		p.send(append(binary.BigEndian.AppendUint32([]byte{'n', 0, 5}, uint32(flags)), "a@host"...))
		if status := p.recv(); string(status) != "sok" {
			t.Errorf("status %q", status)
		}
		ch, err := parseChallenge(p.recv())
		if err != nil {
			t.Error(err)
			return
		}
		p.send(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32([]byte{'c'}, uint32(flags>>32)), 99))
		p.send(appendReply(nil, 5, genDigest(ch.challenge, "cookie")))
		if ack, _ := parseAck(p.recv()); !bytes.Equal(ack, digestOf(5, "cookie")) {
			t.Errorf("ack digest %x", ack)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.PeerCreation() != 99 || c.Flags() != DefaultFlags {
		t.Errorf("creation %d, flags %v", c.PeerCreation(), c.Flags())
	}
}

func TestAcceptVersion5WithoutName(t *testing.T) {
	// The old send_name's name is the rest of the message; an empty one is
	// no node name.
	cfg, _ := testConfig("b@host")
	_, err := acceptScripted(t, cfg, func(p scriptedPeer) {
		p.send(binary.BigEndian.AppendUint32([]byte{'n', 0, 5}, uint32(DefaultFlags&0xffffffff)))
	})
	checkHandshakeErr(t, "Accept", err, ErrProtocol)
}

func TestAcceptAliveFalse(t *testing.T) {
	cfg, _ := testConfig("b@host")
	cfg.Admit = func(etf.Atom, Flags) Status { return StatusAlive }
	_, err := acceptScripted(t, cfg, func(p scriptedPeer) {
		p.send(appendName(nil, nameMsg{flags: DefaultFlags, creation: 1, name: "a@host"}))
		if status := p.recv(); string(status) != "salive" {
			t.Errorf("status %q", status)
		}
		p.send([]byte("sfalse"))
	})
	checkHandshakeErr(t, "Accept", err, ErrAlreadyConnected)
}

// TestInitiateAliveAborted: an initiator given up (its ctx cancelled) when
// the acceptor reports the connection it has from this node alive never
// tells it that connection is dead: the node gave up this dial for the
// peer's own connection, which the peer must keep.
func TestInitiateAliveAborted(t *testing.T) {
	cfg, _ := testConfig("a@host")
	a, b := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	answer := make(chan string, 1)
	go func() {
		defer a.Close()
		p := scriptedPeer{t, a}
		p.recv() // send_name
		cancel()
		// The initiator may have given up and closed its end before the
		// status is written: that too is no answer.
		_, err := a.Write([]byte("\x00\x06salive"))
		var size [2]byte
		if err == nil {
			_, err = io.ReadFull(a, size[:])
		}
		msg := make([]byte, binary.BigEndian.Uint16(size[:]))
		if err == nil {
			_, err = io.ReadFull(a, msg)
		}
		if err != nil {
			msg = nil // closed without a whole answer
		}
		answer <- string(msg)
	}()
	_, err := Initiate(ctx, b, "b@host", cfg)
	checkHandshakeErr(t, "Initiate", err, context.Canceled)
	if got := <-answer; got != "sfalse" && got != "" {
		t.Errorf("the initiator answered %q to alive, want sfalse or no answer", got)
	}
}

func TestInitiateBadAck(t *testing.T) {
	// An acceptor that does not know the cookie cannot digest the
	// initiator's challenge.
	cfg, _ := testConfig("a@host")
	a, b := net.Pipe()
	go func() {
		defer a.Close()
		p := scriptedPeer{t, a}
		p.recv()
		p.send([]byte("sok"))
		p.send(appendChallenge(nil, challengeMsg{flags: DefaultFlags, challenge: 1, creation: 2, name: "b@host"}))
		p.recv()
		p.send(appendAck(nil, genDigest(1, "wrong")))
	}()
	_, err := Initiate(context.Background(), b, "b@host", cfg)
	checkHandshakeErr(t, "Initiate", err, ErrBadCookie)
}

func TestHandshakeTimeout(t *testing.T) {
	cfg, logs := testConfig("b@host")
	cfg.HandshakeTimeout = 10 * time.Millisecond
	_, err := acceptScripted(t, cfg, func(p scriptedPeer) {
		p.nc.Read(make([]byte, 1)) // silent until Accept gives up
	})
	checkHandshakeErr(t, "Accept", err, os.ErrDeadlineExceeded)
	if !strings.Contains(logs.String(), "handshake failed") {
		t.Errorf("log lacks the failure:\n%s", logs)
	}
}

func TestHandshakeCancel(t *testing.T) {
	cfg, _ := testConfig("a@host")
	a, b := net.Pipe()
	defer a.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		scriptedPeer{t, a}.recv() // take send_name, then never answer
		cancel()
	}()
	_, err := Initiate(ctx, b, "b@host", cfg)
	checkHandshakeErr(t, "Initiate", err, context.Canceled)
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   string
	}{
		{"name", func(c *Config) { c.Name = "nohost" }, `dist: config: invalid node name "nohost"`},
		{"creation", func(c *Config) { c.Creation = 0 }, "dist: config: creation is zero"},
		{"handler", func(c *Config) { c.Handler = nil }, "dist: config: no handler"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _ := testConfig("a@host")
			tt.modify(cfg)
			a, b := net.Pipe()
			defer a.Close()
			_, err := Accept(context.Background(), b, cfg)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func digestOf(challenge uint32, cookie string) []byte {
	d := genDigest(challenge, cookie)
	return d[:]
}
