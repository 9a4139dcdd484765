package dist

import (
	"bytes"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

// withoutBuffer returns m without the Buffer input lends it, to compare it
// with what was sent.
func withoutBuffer(m Control) Control {
	switch m := m.(type) {
	case Send:
		m.Buffer = nil
		return m
	case RegSend:
		m.Buffer = nil
		return m
	}
	return m
}

// TestLend checks which messages that came in fragments lend their buffer
// to the handler: a message to a process whose payload is kept raw, which
// lies in the buffer; not one whose payload was decoded, whose terms may
// share the buffer wherever they went, nor a whole packet, which lies in
// the reader's own buffer.
func TestLend(t *testing.T) {
	send := cat([]byte{104, 3, 97, 2, 119, 0}, pidBytes)                         // {2, '', Pid}
	regSend := cat([]byte{104, 4, 97, 6}, pidBytes, []byte{119, 0, 119, 1, 'e'}) // {6, Pid, '', e}
	payload := []byte{109, 0, 0, 0, 2, 'x', 'y'}                                 // <<"xy">>
	tests := []struct {
		name    string
		raw     bool
		packets [][]byte
		lent    bool
	}{
		{name: "send, raw", raw: true, packets: [][]byte{fragmentHead(1, 2, cat(send, payload[:5])...), fragmentCont(1, 1, payload[5:]...)}, lent: true},
		{name: "reg_send, raw", raw: true, packets: [][]byte{fragmentHead(1, 2, cat(regSend, payload[:5])...), fragmentCont(1, 1, payload[5:]...)}, lent: true},
		{name: "send, decoded", raw: false, packets: [][]byte{fragmentHead(1, 2, cat(send, payload[:5])...), fragmentCont(1, 1, payload[5:]...)}, lent: false},
		{name: "send, one fragment", raw: true, packets: [][]byte{fragmentHead(1, 1, cat(send, payload)...)}, lent: false},
		{name: "send, whole packet", raw: true, packets: [][]byte{cat([]byte{131, 68, 0}, send, payload)}, lent: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := testDecoder(t, DefaultFlags, func(c *Config) { c.RawPayloads = tt.raw })
			got := decodeAll(t, d, tt.packets...)
			if len(got) != 1 {
				t.Fatalf("decoded %d messages, want 1", len(got))
			}
			var buf *Buffer
			var msg etf.Term
			switch m := got[0].(type) {
			case Send:
				buf, msg = m.Buffer, m.Message
			case RegSend:
				buf, msg = m.Buffer, m.Message
			default:
				t.Fatalf("decoded %#v", got[0])
			}
			if (buf != nil) != tt.lent {
				t.Fatalf("buffer lent: %v, want %v", buf != nil, tt.lent)
			}
			if buf == nil {
				return
			}
			raw := msg.(etf.Raw)
			if !bytes.Equal(raw, payload) {
				t.Errorf("message % x, want % x", []byte(raw), payload)
			}
			// The message lies in the buffer lent.
			if !inside(raw, buf.b) {
				t.Error("the message is not in the buffer lent")
			}
			buf.Release()
			buf.Release() // a second release does nothing
			if buf.b != nil {
				t.Error("a released buffer still holds its memory")
			}
		})
	}
}

// inside reports whether b lies in the memory of buf's capacity.
func inside(b, buf []byte) bool {
	all := buf[:cap(buf)]
	for i := range all {
		if &all[i] == &b[0] {
			return i+len(b) <= len(all)
		}
	}
	return false
}

// TestSendReleasing checks that the memory given with a message is
// released once the message is written, and only then: release writes
// over it, and the peer still receives the message as sent. A message not
// sent is never released.
func TestSendReleasing(t *testing.T) {
	tests := []struct {
		name   string
		flags  Flags
		size   int
		modify func(*Config)
		sent   bool
	}{
		{name: "written from its memory, in fragments", flags: DefaultFlags, size: 100_000, sent: true},
		{name: "copied, no fragments", flags: DefaultFlags &^ FlagFragments, size: 100_000, sent: true},
		{name: "small", flags: DefaultFlags, size: 100, sent: true},
		{name: "refused", flags: DefaultFlags, size: 100_000, modify: func(c *Config) { c.MaxQueuedBytes = 1000 }, sent: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var modify []func(*Config)
			if tt.modify != nil {
				modify = append(modify, tt.modify)
			}
			a, b := connPair(t, tt.flags, modify...)
			mem := bytes.Repeat([]byte{7}, tt.size)
			payload := etf.Binary(mem)
			raw, err := etf.AppendTerm(nil, payload)
			if err != nil {
				t.Fatal(err)
			}
			released := make(chan struct{})
			release := func() {
				for i := range raw {
					raw[i] = 0xff // what the memory's next user might write
				}
				close(released)
			}
			msg := Send{From: pid, To: pid, Message: etf.Tuple{etf.Atom("tag"), etf.Raw(raw)}}
			err = a.SendReleasing(msg, release)
			if !tt.sent {
				if err == nil {
					t.Fatal("SendReleasing of a message the queue refuses succeeded")
				}
				a.Close()
				<-a.Done()
				select {
				case <-released:
					t.Error("a message never sent was released")
				default:
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, ok := b.receive(t).(Send)
			if !ok {
				t.Fatal("received something other than a Send")
			}
			want := etf.Tuple{etf.Atom("tag"), payload}
			if !etf.Equal(decodedMessage(t, got.Message), want) {
				t.Error("the peer received the message changed: released before it was written")
			}
			select {
			case <-released:
			case <-time.After(10 * time.Second):
				t.Fatal("a written message was not released")
			}
		})
	}
}

// decodedMessage returns m decoded, if it is an etf.Raw.
func decodedMessage(t *testing.T, m etf.Term) etf.Term {
	t.Helper()
	raw, ok := m.(etf.Raw)
	if !ok {
		return m
	}
	d, _, err := etf.DecodeTerm(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
