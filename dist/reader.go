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

// readPackets reads and dispatches packets until the connection fails.
func (c *Conn) readPackets() error {
	br := bufio.NewReaderSize(c.nc, readBufferSize)
	deadline := readDeadline{nc: c.nc, tick: c.s.TickTime}
	dec := newDecoder(c.s, c.flags)
	// size escapes to the heap, through io.Reader: made once, not once a
	// packet.
	var size [4]byte
	for {
		deadline.extend()
		if _, err := io.ReadFull(br, size[:]); err != nil {
			return readErr(err)
		}
		n := binary.BigEndian.Uint32(size[:])
		if n == 0 {
			continue // a tick, which only says the peer is alive
		}
		if uint64(n) > uint64(c.s.MaxPacketSize) {
			return fmt.Errorf("%w: packet of %d bytes, limit %d", ErrProtocol, n, c.s.MaxPacketSize)
		}
		m, err := c.readPacket(br, dec, int(n), &deadline)
		if err != nil {
			return err
		}
		if m != nil {
			c.s.Handler(c, m)
		}
	}
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
