package abi

import (
	"bytes"
	"context"
	"testing"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/bufpool"
)

// TestResultOutlivesItsRequest checks what the host relies on when it
// gives a lent request's buffer back as soon as a callback returns: the
// Result shares no memory with the request it was given, even when the
// guest echoes the request, in place (sdk), and abi finds the echo by
// comparing it with the request (repeatedPart). Each request is written
// over once its call returns, as the next message read into its buffer
// would; some results are held and some released, as replies to callers
// on this node and on others are: a held result stays whole while later
// results are copied into buffers released before.
func TestResultOutlivesItsRequest(t *testing.T) {
	m := loadGo(t, "../guests/echo", ModuleConfig{MaxInstances: 1})
	p := newFakeProcess()
	bin := func(n int, b byte) etf.Term { return etf.Binary(bytes.Repeat([]byte{b}, n)) }
	state := encode(t, etf.Atom("s"))
	from := etf.Tuple{etf.Pid{Node: "elixir@127.0.0.1", ID: 90, Creation: 3}, etf.Ref{Node: "elixir@127.0.0.1", Creation: 3, Len: 3, ID: [5]uint32{1, 2, 3}}}
	tests := []struct {
		name string
		req  etf.Term
		hold bool // the result is held to the end, else released at once
	}{
		{name: "100 KB binary, held", req: bin(100_000, 1), hold: true},
		{name: "100 KB binary, released", req: bin(100_000, 2)},
		{name: "1,000-key map, held", req: benchMap(1000), hold: true},
		{name: "100 KB list, released", req: etf.List{bin(100_000, 3), etf.Atom("tail")}},
		{name: "100 KB binary in a tuple, held", req: etf.Tuple{etf.Atom("t"), bin(100_000, 4)}, hold: true},
		{name: "100 KB binary, released again", req: bin(100_000, 5)},
		{name: "1 KB binary, held", req: bin(1000, 6), hold: true},
		{name: "100 KB binary, released last", req: bin(100_000, 7)},
	}
	type held struct {
		name string
		r    Result
		want etf.Raw
	}
	var kept []held
	for _, tt := range tests {
		want := encode(t, tt.req)
		// The request lies in memory of its own, as a lent one does.
		req := etf.Raw(bytes.Clone(want))
		r, err := m.HandleCall(context.Background(), p, req, from, state)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		for i := range req {
			req[i] = bufpool.PoisonByte // the request's buffer is read into again
		}
		if !bytes.Equal(r.Reply, want) {
			t.Fatalf("%s: the reply changed when its request's memory was written over", tt.name)
		}
		if tt.hold {
			kept = append(kept, held{name: tt.name, r: r, want: want})
		} else if r.Release != nil {
			r.Release()
		}
	}
	for _, h := range kept {
		if !bytes.Equal(h.r.Reply, h.want) {
			t.Errorf("%s: a held result was overwritten by a later one", h.name)
		}
		if !bytes.Equal(h.r.State, state) {
			t.Errorf("%s: a held result's state was overwritten by a later one", h.name)
		}
	}
}
