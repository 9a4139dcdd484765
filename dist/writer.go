package dist

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"sync"
	"time"
)

const (
	// headroom is reserved before each encoded message for its packet
	// length and distribution header, so that a message that is not
	// fragmented goes out in one write: u32 length | 131 68 0, or
	// u32 length | 'p'.
	headroom = 4 + 3
	// fragmentSize is the most message bytes one fragment carries, as in
	// OTP.
	fragmentSize = 64 << 10
	// writeBufferSize is the writer's batching buffer.
	writeBufferSize = 64 << 10
	// maxPooledBuffer is the largest message buffer kept for reuse.
	maxPooledBuffer = 64 << 10
	// maxPacket is the most a packet's 4-byte length can say, less its
	// header.
	maxPacket = math.MaxUint32 - headroom
)

// tick is the packet written to an idle connection: a length of zero.
var tick [4]byte

// outMsg is an encoded message waiting in the send queue: headroom, then
// the control message and its payload, or the start of it and a tail.
type outMsg struct {
	buf       *[]byte
	payloadAt int // offset in the encoded body where the payload starts
	// tail is the rest of the body, a large raw payload written from its
	// own memory rather than copied into buf.
	tail []byte
	// written, if set, is called once the message is written: see
	// SendReleasing.
	written func()
}

var bufferPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

func putBuffer(b *[]byte) {
	if cap(*b) <= maxPooledBuffer {
		*b = (*b)[:0]
		bufferPool.Put(b)
	}
}

// Send queues m to be written, encoded in the form the connection's flags
// call for, and returns without waiting for the network. Messages sent by
// one goroutine are written in the order of the calls.
//
// A [*MessageError] means m cannot be sent (a term that cannot be encoded,
// or an operation the peer did not negotiate) and nothing was queued; the
// connection is unaffected. A [*ConnectionError] means the connection has
// ended. Send encodes m before it returns, so the caller may reuse m's
// terms, but for one: an etf.Raw of over 64 KiB that ends the payload (the
// payload itself, or the last element of a tuple such as a reply {Tag,
// Raw}) is written from its own memory, not copied, so it must not change
// until written. No term is changed once made in creo.
func (c *Conn) Send(m Control) error {
	return c.send(m, nil)
}

// SendReleasing is [Conn.Send] for a message whose large raw payload lies
// in memory the caller gives up to the connection: release is called once
// the message is written, when the connection no longer refers to it, so
// that the caller can reuse the memory. The caller must hold no other
// reference to it that it reads after. When the message is not written
// (Send fails, or the connection ends first), release is not called and
// the memory is left to the collector.
func (c *Conn) SendReleasing(m Control, release func()) error {
	return c.send(m, release)
}

func (c *Conn) send(m Control, release func()) error {
	bp := bufferPool.Get().(*[]byte)
	shareOver := 0
	if c.flags&FlagFragments != 0 {
		shareOver = fragmentSize
	}
	body, payloadAt, tail, err := appendControl((*bp)[:headroom], m, c.flags, c.passThrough, shareOver)
	*bp = body
	n := len(body) + len(tail)
	switch {
	case err != nil:
	case n > c.s.MaxQueuedBytes:
		err = fmt.Errorf("message of %d bytes exceeds the send queue's %d", n, c.s.MaxQueuedBytes)
	case n > maxPacket && c.flags&FlagFragments == 0:
		err = fmt.Errorf("message of %d bytes exceeds a packet, and the peer takes no fragments", n)
	}
	if err != nil {
		putBuffer(bp)
		return &MessageError{Op: opOf(m), Err: err}
	}
	c.mu.Lock()
	switch {
	case c.err != nil:
		c.mu.Unlock()
		putBuffer(bp)
		return c.Err()
	case c.draining:
		c.mu.Unlock()
		putBuffer(bp)
		return &ConnectionError{Peer: c.peer, Err: ErrClosed}
	}
	if c.queueBytes+n > c.s.MaxQueuedBytes {
		c.mu.Unlock()
		putBuffer(bp)
		c.fail(ErrQueueOverflow)
		return c.Err()
	}
	c.queue = append(c.queue, outMsg{buf: bp, payloadAt: payloadAt - headroom, tail: tail, written: release})
	c.queueBytes += n
	deferred := c.readerFlushes
	c.mu.Unlock()
	if !deferred {
		c.wakeWriter()
	}
	return nil
}

// wakeWriter tells the writer there is work.
func (c *Conn) wakeWriter() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func opOf(m Control) Op {
	if m == nil {
		return 0
	}
	return m.Op()
}

// writeLoop runs the writer goroutine: it writes what is queued, flushes
// once the queue is empty, and writes a tick when a quarter of the tick time
// has passed without a write.
func (c *Conn) writeLoop() {
	defer close(c.writerDone)
	ticker := time.NewTicker(c.s.TickTime / 4)
	defer ticker.Stop()
	var batch []outMsg
	for {
		var err error
		select {
		case <-c.stopping:
			return
		case <-ticker.C:
			if !c.wrote.Swap(false) {
				c.wmu.Lock()
				_, err = c.w.Write(tick[:])
				if err == nil {
					err = c.w.Flush()
				}
				c.wmu.Unlock()
			}
		case <-c.wake:
			c.wmu.Lock()
			batch, err = c.flushQueue(batch)
			c.wmu.Unlock()
			if err == nil && c.drained() {
				if err = c.endStream(); err == nil {
					return
				}
			}
		}
		if err != nil {
			c.fail(err)
			return
		}
	}
}

// flushQueue writes what is queued, taking it into batch (see writeQueued),
// and flushes it to the socket; wmu is held. Both the writer and the
// reader's flush (flushQueued) write this way.
func (c *Conn) flushQueue(batch []outMsg) ([]outMsg, error) {
	batch, err := c.writeQueued(c.w, batch)
	if err == nil {
		err = c.w.Flush()
	}
	c.wrote.Store(true)
	return batch, err
}

// endStream ends the stream once Shutdown's last message is written: it
// half closes it, and the reader ends the connection when the peer closes
// its side in answer; a connection without half close is closed at once.
func (c *Conn) endStream() error {
	hc, ok := c.nc.(interface{ CloseWrite() error })
	if !ok {
		c.fail(ErrClosed)
		return nil
	}
	return hc.CloseWrite()
}

// writeQueued writes batches taken from the queue until it is empty. batch
// is handed back to the queue as its next backing array, and returned for
// the next swap.
func (c *Conn) writeQueued(w *bufio.Writer, batch []outMsg) ([]outMsg, error) {
	for {
		c.mu.Lock()
		batch, c.queue = c.queue, batch[:0]
		c.queueBytes = 0
		c.mu.Unlock()
		if len(batch) == 0 {
			return batch, nil
		}
		for i, m := range batch {
			err := c.writeMsg(w, m)
			putBuffer(m.buf)
			batch[i] = outMsg{}
			if err != nil {
				return batch, err
			}
			if m.written != nil {
				m.written()
			}
		}
	}
}

// writeMsg frames one encoded message as the connection's flags call for.
func (c *Conn) writeMsg(w *bufio.Writer, m outMsg) error {
	buf := *m.buf
	body := buf[headroom:]
	switch {
	case c.passThrough:
		frame := buf[headroom-5:]
		binary.BigEndian.PutUint32(frame, uint32(1+len(body)))
		frame[4] = passThrough
		_, err := w.Write(frame)
		return err
	case c.flags&FlagFragments == 0 || len(body)+len(m.tail) <= fragmentSize:
		// A tail is only taken from messages sent in fragments.
		binary.BigEndian.PutUint32(buf, uint32(3+len(body)))
		buf[4], buf[5], buf[6] = versionMagic, tagDistHeader, 0
		_, err := w.Write(buf)
		return err
	}
	return c.writeFragments(w, body, m.tail, m.payloadAt)
}

// writeFragments writes a large message, body then tail, as fragments of
// fragmentSize bytes of message data, counting down to 1. The control
// message goes whole in the first. The fragments of one message are written
// one after the other, never interleaved with other messages, which keeps
// the order between every pair of processes without tracking senders. They
// go out in one writev, what is buffered before them first, so that the
// message's bytes are not copied into the writer's buffer.
func (c *Conn) writeFragments(w *bufio.Writer, body, tail []byte, payloadAt int) error {
	const headSize, contSize = 4 + 2 + 8 + 8 + 1, 4 + 2 + 8 + 8
	size := len(body) + len(tail)
	first := min(max(payloadAt, fragmentSize), size)
	count := 1 + (size-first+fragmentSize-1)/fragmentSize
	c.fragmentSeq++
	headers := make([]byte, headSize+contSize*(count-1))
	packets := make(net.Buffers, 0, 3*count) // a fragment may span body and tail
	hdr := headers[:headSize]
	binary.BigEndian.PutUint32(hdr[0:], uint32(2+8+8+1+first))
	hdr[4], hdr[5] = versionMagic, tagFragmentHead
	binary.BigEndian.PutUint64(hdr[6:], c.fragmentSeq)
	binary.BigEndian.PutUint64(hdr[14:], uint64(count))
	hdr[22] = 0 // no atom cache references
	packets = appendSpan(append(packets, hdr), body, tail, 0, first)
	rest := headers[headSize:]
	for id, off := count-1, first; id >= 1; id-- {
		end := min(off+fragmentSize, size)
		hdr, rest = rest[:contSize], rest[contSize:]
		binary.BigEndian.PutUint32(hdr[0:], uint32(2+8+8+end-off))
		hdr[4], hdr[5] = versionMagic, tagFragmentCont
		binary.BigEndian.PutUint64(hdr[6:], c.fragmentSeq)
		binary.BigEndian.PutUint64(hdr[14:], uint64(id))
		packets = appendSpan(append(packets, hdr), body, tail, off, end)
		off = end
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if bw, ok := c.out.(buffersWriter); ok {
		return bw.WriteBuffers(packets)
	}
	_, err := packets.WriteTo(c.out)
	return err
}

// buffersWriter writes several buffers in one system call where it can:
// the socket of socket_linux.go.
type buffersWriter interface {
	WriteBuffers(net.Buffers) error
}

// appendSpan appends the bytes from..to of body followed by tail.
func appendSpan(packets net.Buffers, body, tail []byte, from, to int) net.Buffers {
	if from < len(body) {
		packets = append(packets, body[from:min(to, len(body))])
	}
	if to > len(body) {
		packets = append(packets, tail[max(from-len(body), 0):to-len(body)])
	}
	return packets
}
