package dist

import (
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/bufpool"
)

// Buffer is the memory a fragmented message was put together in, lent by
// the connection's reader to whoever handles the message, so that the
// next large message can be read into it instead of into new memory.
//
// A message's raw payload (Config.RawPayloads) lies in its Buffer, which
// [Send] and [RegSend] carry when they come from a peer in fragments.
// Their handler owns it: once nothing refers to the message any more (it
// was copied, and neither kept nor passed on), the handler may call
// Release. A handler that does not know is right to leave it: the
// garbage collector frees it then, as any other memory.
type Buffer struct {
	b []byte
}

// Release gives the buffer back for reuse. The caller must be the
// message's only holder, and nothing may read the message after. A
// second Release does nothing; a nil Buffer may be released.
func (b *Buffer) Release() {
	if b == nil || b.b == nil {
		return
	}
	bufpool.Put(b.b)
	b.b = nil
}

// lend hands the buffer data of a fragmented message to its handler when
// m is a message to a process with a raw payload, the one case the
// handler can tell nobody else holds it. Any other control message that
// came in fragments leaves its buffer to the collector: decoded terms may
// share its memory wherever they went.
func lend(m Control, data []byte) Control {
	switch m := m.(type) {
	case Send:
		if _, raw := m.Message.(etf.Raw); raw {
			m.Buffer = &Buffer{b: data}
		}
		return m
	case RegSend:
		if _, raw := m.Message.(etf.Raw); raw {
			m.Buffer = &Buffer{b: data}
		}
		return m
	}
	return m
}
