package dist

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/creo-dev/creo/etf"
)

// Conn is a distribution connection to one peer node, past the handshake.
//
// A Conn runs two goroutines. The reader decodes packets in arrival order
// and hands each control message to Config.Handler; the writer owns the
// socket for writing, batches what [Conn.Send] queued and flushes when the
// queue is empty, and writes a tick when idle. A handler may have the
// reader run the work a message started ([Conn.RunInline]); what is sent
// meanwhile is written by the reader, once no whole packet is left
// buffered or once enough waits, without waking the writer. A Conn ends on the first
// connection error: a dead or misbehaving peer, a network error, or
// [Conn.Close] (or the end of [Conn.Shutdown]). Its methods are safe for
// concurrent use.
type Conn struct {
	nc       net.Conn
	s        *settings
	peer     etf.Atom
	creation uint32
	flags    Flags
	log      *slog.Logger
	// passThrough is set when the peer takes neither
	// FlagDistHdrAtomCache nor FlagFragments: packets are then 'p' ones.
	passThrough bool
	// fragmentSeq numbers the fragmented messages the writer sends.
	fragmentSeq uint64

	// mu guards the send queue and the end of the connection.
	mu         sync.Mutex
	queue      []outMsg
	queueBytes int
	// readerFlushes is set while the reader handles packets: it writes
	// what they queue itself (readPackets), so Send does not wake the
	// writer meanwhile.
	readerFlushes bool
	err           error         // the first connection error; set once
	draining      bool          // set by Shutdown: no more sends; the queue is written, then the stream ends
	wake          chan struct{} // the writer has work; capacity 1
	stopping      chan struct{} // closed with err set

	// wmu is held by whoever writes to the socket: the writer, or the
	// reader flushing what handlers queued. w is the buffer both write
	// through, to out, the socket.
	wmu        sync.Mutex
	w          *bufio.Writer
	out        io.Writer
	flushBatch []outMsg    // what the reader's flushes swap the send queue into
	wrote      atomic.Bool // something was written since the writer last looked, so no tick is due

	// The reader's inline runs (inline.go).
	inlineFn func(InlineRun) // set by RunInline during a Handler call; the reader's
	inline   atomic.Uint64   // run<<1 | 1 while run runs on the reader, else run<<1
	handed   *reader         // the reading a handover gives the next goroutine
	watched  atomic.Bool     // the watchdog looks at this connection

	writerDone chan struct{}
	done       chan struct{} // closed when both goroutines have returned
}

func newConn(nc net.Conn, s *settings, peer etf.Atom, creation uint32, flags Flags) *Conn {
	c := &Conn{
		nc:          nc,
		s:           s,
		peer:        peer,
		creation:    creation,
		flags:       flags,
		passThrough: flags&(FlagDistHdrAtomCache|FlagFragments) == 0,
		log:         s.Logger.With("peer", string(peer)),
		wake:        make(chan struct{}, 1),
		stopping:    make(chan struct{}),
		writerDone:  make(chan struct{}),
		done:        make(chan struct{}),
	}
	sr, sw := s.newSocket(nc)
	c.out = sw
	c.w = bufio.NewWriterSize(sw, writeBufferSize)
	go c.writeLoop()
	go c.readFrom(c.newReader(sr))
	return c
}

// Peer returns the peer's full node name.
func (c *Conn) Peer() etf.Atom { return c.peer }

// PeerCreation returns the peer's creation, as it sent it in the handshake.
func (c *Conn) PeerCreation() uint32 { return c.creation }

// Flags returns the flags the connection uses: what both nodes advertised.
// The peer is visible (counted in nodes()) when FlagPublished is set.
func (c *Conn) Flags() Flags { return c.flags }

// Close ends the connection at once: what was queued and not yet written is
// lost, as on the BEAM at disconnect_node. It does not wait for the
// goroutines to return; [Conn.Done] does.
func (c *Conn) Close() error {
	c.fail(ErrClosed)
	return nil
}

// Shutdown ends the connection gracefully: it refuses further sends, lets
// the writer write what is queued, ends this side of the stream (a TCP
// half close), and waits for the peer to close its side, which a peer does
// once it has read everything before. So the last signals of a node that
// goes away, such as the exit signals of its processes, reach the peer
// rather than being lost with the connection. When ctx ends first,
// Shutdown closes the connection as Close does and returns ctx's error.
// Either way the connection has ended when Shutdown returns, with
// [ErrClosed] as its reason.
func (c *Conn) Shutdown(ctx context.Context) error {
	c.mu.Lock()
	c.draining = true
	c.mu.Unlock()
	c.wakeWriter()
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		c.fail(ErrClosed)
		<-c.done
		return ctx.Err()
	}
}

// drained reports whether Shutdown was called and the queue is written.
func (c *Conn) drained() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.draining && len(c.queue) == 0
}

// Done returns a channel closed when the connection has ended and its
// handler has returned for the last time, so that the owner can act on the
// node being down (links and monitors fire with noconnection).
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns why the connection ended, a [*ConnectionError], or nil while
// it is up.
func (c *Conn) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		return nil
	}
	return &ConnectionError{Peer: c.peer, Err: c.err}
}

// fail ends the connection with err unless it has already ended, and closes
// the socket so that both goroutines return.
func (c *Conn) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	c.queue, c.queueBytes = nil, 0
	close(c.stopping)
	c.mu.Unlock()
	c.nc.Close()
	level := slog.LevelWarn
	if errors.Is(err, ErrClosed) || errors.Is(err, io.EOF) {
		level = slog.LevelInfo
	}
	c.log.Log(context.Background(), level, "dist: connection ended", "err", err)
}

// readFrom runs the reader goroutine on r, and ends the connection when
// reading fails; a goroutine that handed reading over just returns.
func (c *Conn) readFrom(r *reader) {
	err := c.readPackets(r)
	if err == errHandedOver {
		return
	}
	c.mu.Lock()
	if c.draining && errors.Is(err, io.EOF) {
		err = ErrClosed // the peer's answer to Shutdown's half close
	}
	c.mu.Unlock()
	c.fail(err)
	<-c.writerDone
	close(c.done)
}

// readDeadline tracks the read deadline, which detects a dead peer: nothing
// read for a whole tick time. Moving it costs a timer update, so it is
// moved only once a fraction of the tick time has passed.
type readDeadline struct {
	nc      net.Conn
	tick    time.Duration
	movedAt time.Time
}

func (d *readDeadline) extend() {
	now := time.Now()
	if now.Sub(d.movedAt) < d.tick/16 {
		return
	}
	d.movedAt = now
	// An error means the socket is closed, which the next read reports.
	d.nc.SetReadDeadline(now.Add(d.tick))
}
