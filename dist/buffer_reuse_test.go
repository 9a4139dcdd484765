package dist

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// TestLentBufferReuse puts together fragmented messages whose fragments
// come interleaved, two at a time, and releases one of each pair as soon
// as it is complete while the other is held: a released buffer is read
// into again by the messages that follow, and a held message is never
// written over, neither by the message being put together beside it nor
// by any later one (run with -tags bufpoison to have every release write
// over its buffer, and -race).
func TestLentBufferReuse(t *testing.T) {
	d := testDecoder(t, DefaultFlags, func(c *Config) { c.RawPayloads = true })
	send := cat([]byte{104, 3, 97, 2, 119, 0}, pidBytes) // {2, '', Pid}
	// payload returns a binary of 100 KB, all fill, as BINARY_EXT.
	payload := func(fill byte) []byte {
		b := binary.BigEndian.AppendUint32([]byte{109}, 100_000)
		return append(b, bytes.Repeat([]byte{fill}, 100_000)...)
	}
	type held struct {
		msg  etf.Raw
		want []byte
	}
	var kept []held
	released := map[*byte]bool{}
	reused := false
	fill := byte(0)
	for round := range 10 {
		first, second := payload(fill+1), payload(fill+2)
		fill += 2
		const split = 40_000
		got := decodeAll(t, d,
			fragmentHead(1, 2, cat(send, first[:split])...),
			fragmentHead(2, 2, cat(send, second[:split])...),
			fragmentCont(1, 1, first[split:]...),
			fragmentCont(2, 1, second[split:]...),
		)
		if len(got) != 2 {
			t.Fatalf("round %d: decoded %d messages, want 2", round, len(got))
		}
		for i, want := range [][]byte{first, second} {
			m, ok := got[i].(Send)
			if !ok || m.Buffer == nil {
				t.Fatalf("round %d: message %d is %T, not a Send with its buffer lent", round, i, got[i])
			}
			raw := m.Message.(etf.Raw)
			if !bytes.Equal(raw, want) {
				t.Fatalf("round %d: message %d came changed", round, i)
			}
			if released[&raw[0]] {
				reused = true
			}
			// Hold the first of each pair, and give the second back.
			if i == 0 {
				kept = append(kept, held{msg: raw, want: want})
				continue
			}
			released[&raw[0]] = true
			m.Buffer.Release()
		}
	}
	for i, h := range kept {
		if !bytes.Equal(h.msg, h.want) {
			t.Errorf("held message %d was written over", i)
		}
	}
	if !reused {
		t.Error("no message was read into a buffer released before")
	}
}
