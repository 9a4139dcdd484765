package dist

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

const (
	// readBufferSize is the reader's buffer. Packets that fit are decoded
	// where they lie in it; it holds a 64 KiB fragment and its header.
	readBufferSize = 128<<10 + 1<<10
	// readChunk is how much of a larger packet is read, and allocated for,
	// at a time, so that a length field alone never makes the reader
	// allocate: memory follows the bytes that actually arrive.
	readChunk = 1 << 20
)

// reader is the state of a connection's reading. One goroutine at a time
// owns it: the reader goroutine, or the one it handed reading over to
// while it runs a handler's work (see [Conn.RunInline]).
type reader struct {
	br       *bufio.Reader
	dec      *decoder
	deadline readDeadline
	// run numbers the inline runs, so that a handover names the run it
	// ends (Conn.inline).
	run uint64
	// size holds a packet's length; here, since it escapes to the heap
	// through io.Reader, it is made once, not once a packet.
	size [4]byte
}

// newReader returns the reading of the connection from src, its socket.
func (c *Conn) newReader(src io.Reader) *reader {
	return &reader{
		br:       bufio.NewReaderSize(src, readBufferSize),
		dec:      newDecoder(c.s, c.flags),
		deadline: readDeadline{nc: c.nc, tick: c.s.TickTime},
	}
}

// readPackets reads and dispatches packets until the connection fails, or
// until it hands reading over to another goroutine, when it returns
// errHandedOver.
func (c *Conn) readPackets(r *reader) error {
	// deferring is whether this goroutine made Send leave what handlers
	// queue to it (deferWakes), which it does once a burst, not once a
	// packet: only queuedForReader ends the deferral, and a handover,
	// after which this goroutine reads no more.
	deferring := false
	for {
		if !r.packetBuffered() {
			// Only a read from the socket, for this packet, extends the
			// deadline: asking the time for each packet of a burst was
			// 3% of the node's CPU.
			r.deadline.extend()
		}
		if _, err := io.ReadFull(r.br, r.size[:]); err != nil {
			return readErr(err)
		}
		n := binary.BigEndian.Uint32(r.size[:])
		if n == 0 {
			continue // a tick, which only says the peer is alive
		}
		if uint64(n) > uint64(c.s.MaxPacketSize) {
			return fmt.Errorf("%w: packet of %d bytes, limit %d", ErrProtocol, n, c.s.MaxPacketSize)
		}
		m, err := c.readPacket(r.br, r.dec, int(n), &r.deadline)
		if err != nil {
			return err
		}
		if m == nil {
			continue
		}
		if !deferring {
			c.deferWakes()
			deferring = true
		}
		c.s.Handler(c, m)
		if f := c.inlineFn; f != nil {
			c.inlineFn = nil
			if !c.runInline(r, f) {
				return errHandedOver
			}
		}
		switch {
		case r.packetBuffered():
			if c.writeBehindDue() && !c.runInline(r, c.flushQueued) {
				return errHandedOver
			}
		case c.queuedForReader():
			deferring = false
			if !c.runInline(r, c.flushQueued) {
				return errHandedOver
			}
		default:
			deferring = false
		}
	}
}

// packetBuffered reports whether a whole packet is in the buffer already,
// to be handled before the reader writes what handlers queued.
func (r *reader) packetBuffered() bool {
	if r.br.Buffered() < 4 {
		return false // Peek would read
	}
	size, _ := r.br.Peek(4)
	return r.br.Buffered() >= 4+int(binary.BigEndian.Uint32(size))
}

// readPacket reads and decodes a packet body of n bytes. One that fits the
// reader's buffer is decoded in place, without a copy, since decoding
// copies what it keeps from it; a larger one is read in chunks into memory
// of its own, which decoded binaries and raw payloads may then share,
// extending the deadline as its bytes arrive.
func (c *Conn) readPacket(br *bufio.Reader, dec *decoder, n int, deadline *readDeadline) (Control, error) {
	if n <= br.Size() {
		body, err := br.Peek(n)
		if err != nil {
			return nil, readErr(err)
		}
		m, err := dec.packet(body, false)
		br.Discard(n)
		return m, err
	}
	body := make([]byte, 0, min(n, readChunk))
	for len(body) < n {
		deadline.extend()
		chunk := min(n-len(body), readChunk)
		body = slices.Grow(body, chunk)
		if _, err := io.ReadFull(br, body[len(body):len(body)+chunk]); err != nil {
			return nil, readErr(err)
		}
		body = body[:len(body)+chunk]
	}
	return dec.packet(body, true)
}

// readErr tells a dead peer from a closed socket.
func readErr(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return ErrTickTimeout
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return io.EOF
	}
	return err
}
