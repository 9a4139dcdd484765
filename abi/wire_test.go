package abi

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// TestArgs checks that an argument laid out and written into a buffer is
// the tuple of its parts, Raw parts as they are, followed by the ends of
// the parts when the buffer has room for them.
func TestArgs(t *testing.T) {
	tests := []struct {
		name  string
		parts []etf.Term
	}{
		{"one term", []etf.Term{etf.Atom("args")}},
		{"one raw", []etf.Term{etf.Raw{97, 7}}},
		{"call", []etf.Term{etf.Raw{119, 4, 'p', 'i', 'n', 'g'}, etf.Tuple{etf.Pid{Node: "a@b", ID: 1}, etf.Atom("tag")}, etf.Raw{106}}},
		{"terms between raws", []etf.Term{etf.Binary("v1"), etf.Raw{97, 1}, etf.List{etf.Int(1), etf.Int(2)}}},
	}
	var a args
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := []byte{131, 104, byte(len(tt.parts))}
			var ends []byte
			for _, p := range tt.parts {
				var err error
				if want, err = etf.AppendTerm(want, p); err != nil {
					t.Fatal(err)
				}
				ends = binary.LittleEndian.AppendUint32(ends, uint32(len(want)))
			}
			if err := a.prepare(tt.parts); err != nil {
				t.Fatal(err)
			}
			if a.size != len(want) {
				t.Fatalf("size %d, want %d", a.size, len(want))
			}
			buf := make([]byte, a.size)
			a.writeTo(buf)
			if !bytes.Equal(buf, want) {
				t.Errorf("wrote % x\nwant  % x", buf, want)
			}
			// With room for them, the elements' ends follow.
			buf = make([]byte, a.size+a.endsSize())
			a.writeTo(buf)
			if want = append(want, ends...); !bytes.Equal(buf, want) {
				t.Errorf("with ends, wrote % x\nwant  % x", buf, want)
			}
			a.clear()
		})
	}
	if err := a.prepare([]etf.Term{etf.Atom(strings.Repeat("a", 256))}); err == nil {
		t.Error("an atom of 256 characters was laid out")
	}
}
