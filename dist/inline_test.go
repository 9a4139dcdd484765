package dist

import (
	"net"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// inlinePair runs two Conns against each other; b's handler runs run on
// its reader for each message, after it recorded the message if record is
// set.
func inlinePair(t *testing.T, record bool, run func(c *Conn, m Control, r InlineRun)) (a, b testConn) {
	t.Helper()
	x, y := net.Pipe()
	a = startConn(t, x, DefaultFlags)
	b = startConn(t, y, DefaultFlags, func(cfg *Config) {
		handle := cfg.Handler
		cfg.Handler = func(c *Conn, m Control) {
			if record {
				handle(c, m)
			}
			c.RunInline(func(r InlineRun) { run(c, m, r) })
		}
	})
	return a, b
}

// TestInlineRunThatBlocksHandsReadingOver runs, on the reader, a function
// that sends and then blocks: what it sent is written, and the messages
// after the one that started it keep arriving, whether the function hands
// reading over itself or the watchdog does.
func TestInlineRunThatBlocksHandsReadingOver(t *testing.T) {
	for _, tc := range []struct {
		name    string
		release bool // the run calls Release before it blocks
	}{
		{name: "released by the run", release: true},
		{name: "taken by the watchdog"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			unblock := make(chan struct{})
			defer close(unblock)
			a, b := inlinePair(t, true, func(c *Conn, m Control, r InlineRun) {
				if s, ok := m.(Send); !ok || s.Message != etf.Atom("block") {
					return
				}
				if err := c.Send(Send{To: pid, Message: etf.Atom("sent before blocking")}); err != nil {
					t.Error(err)
				}
				if tc.release {
					r.Release()
				}
				<-unblock
			})
			if err := a.Send(Send{To: pid2, Message: etf.Atom("block")}); err != nil {
				t.Fatal(err)
			}
			if m, ok := b.receive(t).(Send); !ok || m.Message != etf.Atom("block") {
				t.Fatalf("b received %#v", m)
			}
			if m, ok := a.receive(t).(Send); !ok || m.Message != etf.Atom("sent before blocking") {
				t.Fatalf("a received %#v, want what the run sent", m)
			}
			for i := range 3 {
				if err := a.Send(Send{To: pid2, Message: etf.Int(i)}); err != nil {
					t.Fatal(err)
				}
				if m, ok := b.receive(t).(Send); !ok || m.Message != etf.Int(i) {
					t.Fatalf("b received %#v, want message %d while the run blocks", m, i)
				}
			}
		})
	}
}

// TestInlineRunsReplyInOrder answers each message from a run on the
// reader, whose sends the reader writes in batches, in the middle of a
// burst of packets too (16 small answers, or one large one): every answer
// arrives once, interleaved with what another goroutine sends, which
// arrives in the order it was sent. The answers themselves are not
// ordered: a run that the watchdog hands over (a descheduled reader, on a
// loaded machine) goes on beside the next message's run, as two
// processes' sends go on side by side; a process's own messages keep their
// order because one goroutine at a time runs it (host's
// TestServerOnReader).
func TestInlineRunsReplyInOrder(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		size int // of each message's binary
	}{
		{name: "small answers", n: 5000},
		{name: "100 KB answers, in fragments", n: 100, size: 100 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := inlinePair(t, false, func(c *Conn, m Control, _ InlineRun) {
				if err := c.Send(Send{To: pid, Message: m.(Send).Message}); err != nil {
					t.Error(err)
				}
			})
			numbered := func(i int, size int) etf.Tuple {
				return etf.Tuple{etf.Int(i), etf.Binary(make([]byte, size))}
			}
			go func() {
				for i := range tc.n {
					if err := a.Send(Send{To: pid2, Message: numbered(i, tc.size)}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
			go func() {
				for i := range tc.n {
					if err := b.Send(Send{To: pid2, Message: numbered(-1-i, 0)}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
			answered := make([]bool, tc.n)
			others := 0
			for range 2 * tc.n {
				m, ok := a.receive(t).(Send)
				tuple, _ := m.Message.(etf.Tuple)
				if !ok || len(tuple) != 2 {
					t.Fatalf("a received %#v", m)
				}
				i, _ := tuple[0].(etf.Int)
				switch {
				case i >= 0 && int(i) < tc.n && !answered[i] && len(tuple[1].(etf.Binary)) == tc.size:
					answered[i] = true
				case i < 0 && int(-1-i) == others:
					others++
				default:
					t.Fatalf("a received %d again, out of order or cut, after %d others", i, others)
				}
			}
		})
	}
}

// deafConn reads nothing until unblock is closed.
type deafConn struct {
	net.Conn
	unblock chan struct{}
}

func (d deafConn) Read(p []byte) (int, error) {
	<-d.unblock
	return d.Conn.Read(p)
}

// TestReaderBlockedWritingHandsReadingOver has the reader write answers
// to a peer that reads nothing: the reader's write waits, and reading goes
// on in another goroutine, so that messages still arrive. Two nodes whose
// readers both waited to write would never read again.
func TestReaderBlockedWritingHandsReadingOver(t *testing.T) {
	unblock := make(chan struct{})
	x, y := net.Pipe()
	a := startConn(t, deafConn{x, unblock}, DefaultFlags)
	b := startConn(t, y, DefaultFlags, func(cfg *Config) {
		handle := cfg.Handler
		cfg.Handler = func(c *Conn, m Control) {
			handle(c, m)
			if s, ok := m.(Send); ok && s.Message == etf.Atom("answer") {
				c.RunInline(func(InlineRun) {
					if err := c.Send(Send{To: pid, Message: etf.Atom("answer")}); err != nil {
						t.Error(err)
					}
				})
			}
		}
	})
	defer close(unblock)
	for i, msg := range []etf.Term{etf.Atom("answer"), etf.Int(0), etf.Int(1)} {
		if err := a.Send(Send{To: pid2, Message: msg}); err != nil {
			t.Fatal(err)
		}
		if m, ok := b.receive(t).(Send); !ok || m.Message != msg {
			t.Fatalf("b received %#v, want message %d, %v", m, i, msg)
		}
	}
}

// TestWriteBehindDue checks when the reader writes what handlers queued
// in the middle of a burst of packets: once it is enough to write, and not
// before, when it waits for the end of the burst.
func TestWriteBehindDue(t *testing.T) {
	for _, tc := range []struct {
		name     string
		messages int
		bytes    int
		due      bool
	}{
		{name: "nothing queued", due: false},
		{name: "a few small replies wait for the end of the burst", messages: writeBehindMessages - 1, bytes: 100 * (writeBehindMessages - 1), due: false},
		{name: "enough replies are written", messages: writeBehindMessages, bytes: 100 * writeBehindMessages, due: true},
		{name: "one large reply is written", messages: 1, bytes: writeBehindBytes, due: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Conn{wake: make(chan struct{}, 1), readerFlushes: true}
			c.queue = make([]outMsg, tc.messages)
			c.queueBytes = tc.bytes
			if due := c.writeBehindDue(); due != tc.due {
				t.Fatalf("writeBehindDue() = %v, want %v", due, tc.due)
			}
			// Deciding wakes no writer, nor lets Sends wake it.
			if len(c.wake) != 0 || !c.readerFlushes {
				t.Fatalf("writer woken: %v, readerFlushes = %v", len(c.wake) == 1, c.readerFlushes)
			}
		})
	}
}
