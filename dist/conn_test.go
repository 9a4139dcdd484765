package dist

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"net"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/syncbuf"
)

// testConn is one end of a connection under test, with what its handler
// received.
type testConn struct {
	*Conn
	got  chan Control
	logs *syncbuf.Buffer
}

// startConn runs a Conn with flags over nc, as after a handshake.
func startConn(t *testing.T, nc net.Conn, flags Flags, modify ...func(*Config)) testConn {
	t.Helper()
	cfg, logs := testConfig("a@host")
	got := make(chan Control, 1024)
	cfg.Handler = func(_ *Conn, m Control) { got <- m }
	for _, m := range modify {
		m(cfg)
	}
	s, err := cfg.settings()
	if err != nil {
		t.Fatal(err)
	}
	c := newConn(nc, s, "b@host", 1, flags)
	t.Cleanup(func() { c.Close(); <-c.Done() })
	return testConn{c, got, logs}
}

// connPair runs two Conns with flags against each other.
func connPair(t *testing.T, flags Flags, modify ...func(*Config)) (a, b testConn) {
	t.Helper()
	x, y := net.Pipe()
	return startConn(t, x, flags, modify...), startConn(t, y, flags, modify...)
}

// receive waits for the next control message c's handler got.
func (c testConn) receive(t *testing.T) Control {
	t.Helper()
	select {
	case m := <-c.got:
		return m
	case <-c.Done():
		// The handler has returned for the last time: what it got before
		// the end comes first.
		select {
		case m := <-c.got:
			return m
		default:
		}
		t.Fatalf("connection ended: %v", c.Err())
	case <-time.After(10 * time.Second):
		t.Fatal("no control message after 10 s")
	}
	return nil
}

var (
	pid2   = etf.Pid{Node: "b@host", ID: 70000, Serial: math.MaxUint32, Creation: 3}
	bigID  = uint64(math.MaxUint64)
	reason = etf.Tuple{etf.Atom("shutdown"), etf.Binary("bye")}
)

// everyControl has a value of every control type creo sends, in every form.
var everyControl = []struct {
	name string
	msg  Control
	// needs are the flags the message needs; without them Send refuses it.
	needs Flags
}{
	{"LINK", Link{From: pid, To: pid2}, 0},
	{"SEND_SENDER", Send{From: pid, To: pid2, Message: etf.List{etf.Int(1), etf.Atom("a")}}, 0},
	{"SEND", Send{To: pid2, Message: etf.Atom("no sender")}, 0},
	{"SEND_SENDER_TT", Send{From: pid, To: pid2, Message: etf.Int(1), Token: etf.Atom("token")}, 0},
	{"REG_SEND", RegSend{From: pid, To: "net_kernel", Message: etf.Tuple{etf.Atom("$gen_call"), etf.Int(1)}}, 0},
	{"REG_SEND_TT", RegSend{From: pid, To: "rex", Message: etf.Int(2), Token: etf.Int(9)}, 0},
	{"ALIAS_SEND", AliasSend{From: pid, Alias: ref, Message: etf.Atom("reply")}, FlagAlias},
	{"ALIAS_SEND_TT", AliasSend{From: pid, Alias: ref, Message: etf.Atom("reply"), Token: etf.Int(0)}, FlagAlias},
	{"EXIT", Exit{From: pid, To: pid2, Reason: reason}, 0},
	{"EXIT_TT", Exit{From: pid, To: pid2, Reason: etf.Atom("normal"), Token: etf.Int(1)}, 0},
	{"EXIT2", Exit2{From: pid, To: pid2, Reason: etf.Atom("kill")}, 0},
	{"EXIT2_TT", Exit2{From: pid, To: pid2, Reason: etf.Atom("kill"), Token: etf.Int(1)}, 0},
	{"MONITOR_P by pid", Monitor{From: pid, To: pid2, Ref: ref}, FlagDistMonitor},
	{"MONITOR_P by name", Monitor{From: pid, To: etf.Atom("net_kernel"), Ref: ref}, FlagDistMonitorName},
	{"DEMONITOR_P", Demonitor{From: pid, To: pid2, Ref: ref}, FlagDistMonitor},
	{"MONITOR_P_EXIT", MonitorExit{From: pid2, To: pid, Ref: ref, Reason: reason}, 0},
	{"MONITOR_P_EXIT by name", MonitorExit{From: etf.Atom("rex"), To: pid, Ref: ref, Reason: etf.Atom("noproc")}, 0},
	{"SPAWN_REQUEST", SpawnRequest{
		ReqID: ref, From: pid, GroupLeader: pid2, Module: "erpc", Function: "execute_call",
		Options: etf.List{etf.Atom("monitor")}, Args: etf.List{ref, etf.Atom("lists"), etf.Atom("reverse"), etf.List{etf.List{etf.Int(1)}}},
	}, FlagSpawn},
	{"SPAWN_REQUEST_TT", SpawnRequest{
		ReqID: ref, From: pid, GroupLeader: pid2, Module: "m", Function: "f", Token: etf.Int(3), // nil lists are []
	}, FlagSpawn},
	{"SPAWN_REPLY", SpawnReply{ReqID: ref, To: pid, Flags: SpawnMonitored, Result: pid2}, FlagSpawn},
	{"SPAWN_REPLY_TT error", SpawnReply{ReqID: ref, To: pid, Result: etf.Atom("notsup"), Token: etf.Int(3)}, FlagSpawn},
	{"UNLINK_ID", UnlinkID{ID: 1, From: pid, To: pid2}, 0},
	{"UNLINK_ID_ACK of the largest id", UnlinkIDAck{ID: bigID, From: pid2, To: pid}, 0},
	{"GROUP_LEADER", GroupLeader{From: pid, To: pid2}, 0},
}

func TestControlRoundTrip(t *testing.T) {
	flagSets := []struct {
		name  string
		flags Flags
	}{
		{"default flags", DefaultFlags},
		{"no payload forms, no sender", DefaultFlags &^ (FlagExitPayload | FlagSendSender | FlagFragments)},
		{"pass-through", Mandatory | FlagDistMonitor | FlagSpawn},
		{"fragments only", Mandatory | FlagFragments | FlagAlias},
	}
	for _, fs := range flagSets {
		t.Run(fs.name, func(t *testing.T) {
			a, b := connPair(t, fs.flags)
			for _, tt := range everyControl {
				t.Run(tt.name, func(t *testing.T) {
					err := a.Send(tt.msg)
					if fs.flags&tt.needs != tt.needs {
						var merr *MessageError
						if !errors.As(err, &merr) || merr.Op != tt.msg.Op() {
							t.Fatalf("Send without %v: error %v, want a MessageError", tt.needs, err)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					want := tt.msg
					if s, ok := want.(Send); ok && fs.flags&FlagSendSender == 0 {
						s.From = etf.Pid{} // SEND does not carry the sender
						want = s
					}
					if got := b.receive(t); !reflect.DeepEqual(got, want) {
						t.Errorf("got %#v\nwant %#v", got, want)
					}
				})
			}
			if err := a.Err(); err != nil {
				t.Errorf("refused messages ended the connection: %v", err)
			}
		})
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name string
		msg  Control
		want string
	}{
		{"nil", nil, "dist: op(0): cannot send <nil>"},
		{"unknown", Unknown{Code: OpNodeLink, Tuple: etf.Tuple{etf.Int(5)}}, "dist: NODE_LINK: cannot send dist.Unknown"},
		{"no message", Send{From: pid, To: pid2}, "dist: SEND: no message"},
		{"no reason", Exit{From: pid, To: pid2}, "dist: EXIT: no reason"},
		{"monitor of a ref", Monitor{From: pid, To: ref}, "dist: MONITOR_P: etf.Ref is not a pid or a name"},
		{"spawn reply flags", SpawnReply{To: pid, Flags: 256, Result: pid}, "dist: SPAWN_REPLY: spawn reply flags 256"},
		{"unlink id 0", UnlinkID{From: pid, To: pid2}, "dist: UNLINK_ID: unlink id 0"},
		{"alias not negotiated", AliasSend{From: pid, Alias: ref, Message: etf.Int(1)}, "dist: ALIAS_SEND: the peer lacks ALIAS"},
		{"invalid term", Send{To: pid, Message: etf.Float(math.Inf(1))}, "dist: SEND: etf: "},
	}
	a, _ := connPair(t, DefaultFlags&^FlagAlias)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.Send(tt.msg)
			var merr *MessageError
			if !errors.As(err, &merr) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %v, want a MessageError %q", err, tt.want)
			}
		})
	}
	if err := a.Err(); err != nil {
		t.Errorf("refused messages ended the connection: %v", err)
	}
}

// readPacket reads one packet of a connection from its raw socket.
func readPacket(t *testing.T, r io.Reader) []byte {
	t.Helper()
	var size [4]byte
	if _, err := io.ReadFull(r, size[:]); err != nil {
		t.Fatal(err)
	}
	p := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(r, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSendFraming(t *testing.T) {
	link := cat([]byte{104, 3, 97, 1}, pidBytes, pidBytes)
	tests := []struct {
		name  string
		flags Flags
		msg   Control
		want  []byte
	}{
		{"distribution header", DefaultFlags, Link{From: pid, To: pid}, cat([]byte{131, 68, 0}, link)},
		{"header without fragments", Mandatory | FlagDistHdrAtomCache, Link{From: pid, To: pid}, cat([]byte{131, 68, 0}, link)},
		{"pass-through", Mandatory, Link{From: pid, To: pid}, cat([]byte{'p', 131}, link)},
		{
			"pass-through with payload", Mandatory, Send{To: pid, Message: etf.Int(7)},
			cat([]byte{'p', 131, 104, 3, 97, 2, 119, 0}, pidBytes, []byte{131, 97, 7}),
		},
		{
			"payload exit", DefaultFlags, Exit{From: pid, To: pid, Reason: etf.Atom("kill")},
			cat([]byte{131, 68, 0, 104, 3, 97, 24}, pidBytes, pidBytes, []byte{119, 4, 'k', 'i', 'l', 'l'}),
		},
		{
			"monitor exit without payload form", Mandatory | FlagDistHdrAtomCache, MonitorExit{From: etf.Atom("x"), To: pid, Ref: ref, Reason: etf.Atom("noproc")},
			cat([]byte{131, 68, 0, 104, 5, 97, 21, 119, 1, 'x'}, pidBytes, refBytes, []byte{119, 6, 'n', 'o', 'p', 'r', 'o', 'c'}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y := net.Pipe()
			defer y.Close()
			c := startConn(t, x, tt.flags)
			if err := c.Send(tt.msg); err != nil {
				t.Fatal(err)
			}
			if got := readPacket(t, y); !bytes.Equal(got, tt.want) {
				t.Errorf("packet\n% x\nwant\n% x", got, tt.want)
			}
		})
	}
}

func TestSendFragments(t *testing.T) {
	x, y := net.Pipe()
	defer y.Close()
	c := startConn(t, x, DefaultFlags)
	payload := etf.Binary(bytes.Repeat([]byte("0123456789abcdef"), 10000)) // 160,000 bytes
	encoded := cat([]byte{109, 0, 2, 0x71, 0}, payload)
	// The same message twice: encoded by Send, and already encoded, which
	// Send writes from the Raw's memory.
	for _, msg := range []etf.Term{payload, etf.Raw(encoded)} {
		if err := c.Send(Send{From: pid, To: pid, Message: msg}); err != nil {
			t.Fatal(err)
		}
	}
	wantBody := cat([]byte{104, 3, 97, 22}, pidBytes, pidBytes, encoded)
	// 160,054 bytes: 64 KiB, 64 KiB, and the rest.
	for seq := uint64(1); seq <= 2; seq++ {
		var body []byte
		first := readPacket(t, y)
		wantHead := cat([]byte{131, 69}, binary.BigEndian.AppendUint64(nil, seq), binary.BigEndian.AppendUint64(nil, 3), []byte{0})
		if !bytes.HasPrefix(first, wantHead) || len(first)-len(wantHead) != fragmentSize {
			t.Fatalf("first fragment starts % x (%d bytes), want % x and %d bytes of data", first[:min(len(first), 32)], len(first), wantHead, fragmentSize)
		}
		body = append(body, first[len(wantHead):]...)
		for id := uint64(2); id >= 1; id-- {
			p := readPacket(t, y)
			wantCont := cat([]byte{131, 70}, binary.BigEndian.AppendUint64(nil, seq), binary.BigEndian.AppendUint64(nil, id))
			if !bytes.HasPrefix(p, wantCont) {
				t.Fatalf("fragment %d starts % x, want % x", id, p[:min(len(p), 18)], wantCont)
			}
			body = append(body, p[len(wantCont):]...)
		}
		if !bytes.Equal(body, wantBody) {
			t.Errorf("message %d: reassembled %d bytes differ from the %d sent", seq, len(body), len(wantBody))
		}
	}
}

func TestLargeMessages(t *testing.T) {
	// Large messages cross whole, fragmented or not, in both payload
	// forms, and a large control message goes whole in the first fragment.
	big1 := etf.Binary(bytes.Repeat([]byte{7}, 1<<20+3))
	bigReason := etf.Tuple{etf.Atom("error"), big1}
	tests := []struct {
		name  string
		flags Flags
		msg   Control
	}{
		{"fragmented message", DefaultFlags, Send{From: pid, To: pid, Message: big1}},
		{"unfragmented message", DefaultFlags &^ FlagFragments, Send{From: pid, To: pid, Message: big1}},
		{"pass-through message", Mandatory, Send{To: pid, Message: big1}},
		{"fragmented payload exit", DefaultFlags, Exit{From: pid, To: pid, Reason: bigReason}},
		{"exit with the reason in the control message", DefaultFlags &^ FlagExitPayload, Exit{From: pid, To: pid, Reason: bigReason}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := connPair(t, tt.flags)
			if err := a.Send(tt.msg); err != nil {
				t.Fatal(err)
			}
			if got := b.receive(t); !reflect.DeepEqual(got, tt.msg) {
				t.Errorf("received a different message")
			}
		})
	}
}

func TestMessagesInOrder(t *testing.T) {
	a, b := connPair(t, DefaultFlags)
	const n = 20000
	go func() {
		for i := range n {
			if err := a.Send(Send{From: pid, To: pid2, Message: etf.Int(i)}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := range n {
		m, ok := b.receive(t).(Send)
		if !ok || m.Message != etf.Int(i) {
			t.Fatalf("message %d: got %#v", i, m)
		}
	}
}

// TestMessagesInOrderOverTCP sends from several goroutines at once over a
// socket, whose writes writev fragments, and which fills up, since the
// peer reads only once all is sent: each sender's messages arrive whole and
// in order.
func TestMessagesInOrderOverTCP(t *testing.T) {
	const senders, each = 4, 150
	sizes := []int{8, 20 << 10, 70 << 10, 200 << 10} // the last two are fragmented
	size := func(s, i int) int { return sizes[(s+i)%len(sizes)] }
	got := make(chan Control, senders*each)
	release := make(chan struct{})
	a, b := tcpPair(t, func(c *Config) {
		c.Handler = func(_ *Conn, m Control) {
			<-release
			got <- m
		}
	})
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				var msg etf.Term = etf.Tuple{etf.Int(s), etf.Int(i), etf.Binary(make([]byte, size(s, i)))}
				if i%2 == 1 { // and already encoded, written from its own memory when large
					raw, err := etf.Encode(msg)
					if err != nil {
						t.Error(err)
						return
					}
					msg = etf.Raw(raw[1:])
				}
				if err := a.Send(Send{From: pid, To: pid2, Message: msg}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(release)
	next := make([]int, senders)
	for range senders * each {
		var c Control
		select {
		case c = <-got:
		case <-b.Done():
			t.Fatalf("the connection ended: %v", b.Err())
		case <-time.After(time.Minute): // a stream that lost bytes stalls
			t.Fatalf("received %v messages; the rest did not come", next)
		}
		m, ok := c.(Send)
		tuple, _ := m.Message.(etf.Tuple)
		if !ok || len(tuple) != 3 {
			t.Fatalf("received %#v", c)
		}
		s, i := int(tuple[0].(etf.Int)), int(tuple[1].(etf.Int))
		if i != next[s] {
			t.Fatalf("sender %d: message %d arrived when %d was due", s, i, next[s])
		}
		if got, want := len(tuple[2].(etf.Binary)), size(s, i); got != want {
			t.Fatalf("sender %d, message %d: %d bytes, want %d", s, i, got, want)
		}
		next[s]++
	}
}

func TestTicks(t *testing.T) {
	const tick = 40 * time.Millisecond
	withTick := func(c *Config) { c.TickTime = tick }

	t.Run("idle writer ticks", func(t *testing.T) {
		x, y := net.Pipe()
		defer y.Close()
		startConn(t, x, DefaultFlags, withTick)
		keepAlive(t, y, tick/8)
		var size [4]byte
		if _, err := io.ReadFull(y, size[:]); err != nil || size != [4]byte{} {
			t.Errorf("read % x, %v; want a tick (4 zero bytes)", size, err)
		}
	})
	t.Run("silent peer is dead", func(t *testing.T) {
		x, y := net.Pipe()
		defer y.Close()
		go io.Copy(io.Discard, y) // take ticks, send nothing
		c := startConn(t, x, DefaultFlags, withTick)
		<-c.Done()
		if !errors.Is(c.Err(), ErrTickTimeout) {
			t.Errorf("Err() = %v, want %v", c.Err(), ErrTickTimeout)
		}
		if !strings.Contains(c.logs.String(), "net tick timeout") {
			t.Errorf("log lacks the reason:\n%s", c.logs)
		}
	})
}

// TestIdleConnectionStaysUp leaves a connection idle for several tick
// times: both sides tick, and it stays up. The ticks are long enough that a
// loaded machine's delays do not pass for a dead peer: the writer ticks
// every 500 ms and the reader waits 2 s. It mostly waits, so it runs
// beside the other tests that do.
func TestIdleConnectionStaysUp(t *testing.T) {
	t.Parallel()
	const tick = 2 * time.Second
	a, b := connPair(t, DefaultFlags, func(c *Config) { c.TickTime = tick })
	time.Sleep(3 * tick)
	for _, c := range []testConn{a, b} {
		if err := c.Err(); err != nil {
			t.Fatalf("idle connection ended: %v", err)
		}
	}
	if err := a.Send(Link{From: pid, To: pid2}); err != nil {
		t.Fatal(err)
	}
	if got := b.receive(t); got != (Link{From: pid, To: pid2}) {
		t.Errorf("got %#v", got)
	}
}

// keepAlive writes a tick to nc every interval until the test ends, so that
// the connection at the other end does not time out however slow the
// machine is.
func keepAlive(t *testing.T, nc net.Conn, interval time.Duration) {
	stop := make(chan struct{})
	done := make(chan struct{})
	t.Cleanup(func() { close(stop); <-done })
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(interval):
				if _, err := nc.Write(tick[:]); err != nil {
					return
				}
			}
		}
	}()
}

// TestShutdown sends a burst and shuts the connection down at once: every
// message reaches the peer, in order, before the connection ends, over TCP
// (half closed, then closed by the peer) and over a pipe (closed once
// written).
func TestShutdown(t *testing.T) {
	for _, tt := range []struct {
		name string
		pair func(t *testing.T) (a, b testConn)
	}{
		{name: "tcp", pair: func(t *testing.T) (a, b testConn) {
			got := make(chan Control, 1024)
			dialed, accepted := tcpPair(t, func(c *Config) { c.Handler = func(_ *Conn, m Control) { got <- m } })
			return testConn{Conn: dialed}, testConn{Conn: accepted, got: got}
		}},
		{name: "pipe", pair: func(t *testing.T) (a, b testConn) { return connPair(t, DefaultFlags) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, b := tt.pair(t)
			const n = 5000
			for i := range n {
				if err := a.Send(Send{From: pid, To: pid2, Message: etf.Int(i)}); err != nil {
					t.Fatal(err)
				}
			}
			shut := make(chan error, 1)
			go func() { shut <- a.Shutdown(context.Background()) }()
			for i := range n {
				if m, ok := b.receive(t).(Send); !ok || m.Message != etf.Int(i) {
					t.Fatalf("message %d: got %#v", i, m)
				}
			}
			if err := <-shut; err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
			if !errors.Is(a.Err(), ErrClosed) {
				t.Errorf("Err() = %v after Shutdown, want ErrClosed", a.Err())
			}
			if err := a.Send(Link{From: pid, To: pid2}); !errors.Is(err, ErrClosed) {
				t.Errorf("Send after Shutdown: %v, want ErrClosed", err)
			}
			<-b.Done()
		})
	}
}

// TestShutdownPeerStaysOpen shuts down a connection whose peer reads to
// the end but never closes its side: the end of ctx closes it.
func TestShutdownPeerStaysOpen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	read := make(chan error, 1)
	go func() {
		peer, err := ln.Accept()
		if err != nil {
			read <- err
			return
		}
		t.Cleanup(func() { peer.Close() }) // open until the test ends
		_, err = io.Copy(io.Discard, peer) // to our half close
		read <- err
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := startConn(t, nc, DefaultFlags)
	if err := c.Send(Link{From: pid, To: pid2}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	shut := make(chan error, 1)
	go func() { shut <- c.Shutdown(ctx) }()
	if err := <-read; err != nil {
		t.Fatalf("the peer read until %v, want the end of the stream", err)
	}
	cancel()
	if err := <-shut; !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v, want context.Canceled", err)
	}
	if !errors.Is(c.Err(), ErrClosed) {
		t.Errorf("Err() = %v, want ErrClosed", c.Err())
	}
}

func TestConnectionEnds(t *testing.T) {
	tests := []struct {
		name string
		peer func(nc net.Conn) // what the raw peer does
		want error
		log  string
	}{
		{"peer closes", func(nc net.Conn) { nc.Close() }, io.EOF, "EOF"},
		{"malformed packet", func(nc net.Conn) { nc.Write([]byte{0, 0, 0, 2, 131, 67}) }, ErrProtocol, "distribution header tag 67"},
		{"packet too large", func(nc net.Conn) { nc.Write([]byte{0, 0, 4, 1}) }, ErrProtocol, "packet of 1025 bytes, limit 1024"},
		{"truncated packet", func(nc net.Conn) { nc.Write([]byte{0, 0, 0, 9, 131}); nc.Close() }, io.EOF, "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, y := net.Pipe()
			defer y.Close()
			go io.Copy(io.Discard, y)
			c := startConn(t, x, DefaultFlags, func(c *Config) { c.MaxPacketSize = 1024 })
			tt.peer(y)
			<-c.Done()
			var cerr *ConnectionError
			if err := c.Err(); !errors.As(err, &cerr) || !errors.Is(err, tt.want) {
				t.Errorf("Err() = %v, want a ConnectionError for %v", err, tt.want)
			}
			if !strings.Contains(c.logs.String(), tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, c.logs)
			}
			if err := c.Send(Link{From: pid, To: pid}); !errors.Is(err, tt.want) {
				t.Errorf("Send after the end: %v, want the connection's error", err)
			}
		})
	}
}

func TestClose(t *testing.T) {
	a, b := connPair(t, DefaultFlags)
	if a.Err() != nil {
		t.Fatalf("Err() = %v before Close", a.Err())
	}
	a.Close()
	<-a.Done()
	<-b.Done()
	if !errors.Is(a.Err(), ErrClosed) || !errors.Is(b.Err(), io.EOF) {
		t.Errorf("Err() = %v and %v, want %v and %v", a.Err(), b.Err(), ErrClosed, io.EOF)
	}
}

func TestSendTooLarge(t *testing.T) {
	a, _ := connPair(t, DefaultFlags, func(c *Config) { c.MaxQueuedBytes = 1000 })
	err := a.Send(Send{To: pid, Message: etf.Binary(make([]byte, 1000))})
	var merr *MessageError
	if !errors.As(err, &merr) || !strings.HasSuffix(err.Error(), "message of 1040 bytes exceeds the send queue's 1000") {
		t.Errorf("Send = %v, want a MessageError", err)
	}
	if err := a.Err(); err != nil {
		t.Errorf("the refused message ended the connection: %v", err)
	}
}

func TestQueueOverflow(t *testing.T) {
	x, y := net.Pipe() // y never reads: the writer blocks once its buffer is full
	defer y.Close()
	c := startConn(t, x, DefaultFlags, func(c *Config) { c.MaxQueuedBytes = 4096 })
	msg := Send{From: pid, To: pid2, Message: etf.Binary(make([]byte, 1000))}
	var err error
	for i := 0; err == nil && i < 1000; i++ {
		err = c.Send(msg)
	}
	if !errors.Is(err, ErrQueueOverflow) {
		t.Errorf("Send = %v, want %v", err, ErrQueueOverflow)
	}
}
