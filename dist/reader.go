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
	// readBufferSize is the reader's buffer.
	readBufferSize = 64 << 10
	// reuseLimit is the largest packet body read into a reused buffer;
	// larger bodies get memory of their own, which decoded binaries may
	// then share. It holds a 64 KiB fragment and its header.
	reuseLimit = 128 << 10
	// readChunk is how much of a large packet is read, and allocated for,
	// at a time, so that a length field alone never makes the reader
	// allocate: memory follows the bytes that actually arrive.
	readChunk = 1 << 20
)

// readPackets reads and dispatches packets until the connection fails.
func (c *Conn) readPackets() error {
	br := bufio.NewReaderSize(c.nc, readBufferSize)
	deadline := readDeadline{nc: c.nc, tick: c.s.TickTime}
	dec := newDecoder(c.s, c.flags)
	var small []byte
	for {
		deadline.extend()
		var size [4]byte
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
		body, err := readBody(br, int(n), &small, &deadline)
		if err != nil {
			return readErr(err)
		}
		m, err := dec.packet(body, len(body) > reuseLimit)
		if err != nil {
			return err
		}
		if m != nil {
			c.s.Handler(c, m)
		}
	}
}

// readBody reads a packet body of n bytes. A body of up to reuseLimit bytes
// reuses *small, since decoding copies what it keeps from it; a larger one
// is read in chunks into memory of its own, extending the deadline as its
// bytes arrive.
func readBody(r io.Reader, n int, small *[]byte, deadline *readDeadline) ([]byte, error) {
	if n <= reuseLimit {
		if cap(*small) < n {
			*small = make([]byte, n, reuseLimit)
		}
		body := (*small)[:n]
		_, err := io.ReadFull(r, body)
		return body, err
	}
	body := make([]byte, 0, min(n, readChunk))
	for len(body) < n {
		deadline.extend()
		chunk := min(n-len(body), readChunk)
		body = slices.Grow(body, chunk)
		if _, err := io.ReadFull(r, body[len(body):len(body)+chunk]); err != nil {
			return nil, err
		}
		body = body[:len(body)+chunk]
	}
	return body, nil
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
