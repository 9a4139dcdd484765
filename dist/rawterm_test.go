package dist

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// TestResolve checks that replacing atom cache references in a
// copy gives a term that stands on its own, equal to the one decoding with
// the cache gives: the bytes of what etf.AppendTerm writes, or another
// encoding of the same term (a large tuple head, a V4 port) kept as sent.
func TestResolve(t *testing.T) {
	atoms := []etf.Atom{"hi", "real@vm", "ok", ""}
	ref := func(i byte) []byte { return []byte{82, i} }
	tests := []struct {
		name string
		b    []byte
	}{
		{"atom", ref(0)},
		{"the empty atom", ref(3)},
		{"a binary after the last reference", cat([]byte{104, 3}, ref(0), ref(3), []byte{109, 0, 0, 0, 3, 'a', 'b', 'c'})},
		{"no references", []byte{104, 2, 97, 1, 109, 0, 0, 0, 2, 'a', 'b'}},
		{"tuple", cat([]byte{104, 3}, ref(0), []byte{97, 7}, ref(2))},
		{"large tuple", cat([]byte{105, 0, 0, 0, 2}, ref(2), ref(0))},
		{"list and tail", cat([]byte{108, 0, 0, 0, 2}, ref(0), []byte{97, 1}, ref(2))},
		{"map", cat([]byte{116, 0, 0, 0, 2}, ref(0), []byte{106}, []byte{97, 1}, ref(2))},
		{"nested", cat([]byte{104, 2}, ref(2), []byte{108, 0, 0, 0, 1, 104, 1}, ref(0), []byte{106})},
		{"pid", cat([]byte{88}, ref(1), unhex("00000009 00000000 6B07D8A5"))},
		{"pid with its node written out", pidBytes},
		{"port", cat([]byte{89}, ref(1), unhex("00000009 6B07D8A5"))},
		{"v4 port", cat([]byte{120}, ref(1), unhex("0000000000000009 6B07D8A5"))},
		{"reference", cat([]byte{90, 0, 3}, ref(1), unhex("6B07D8A5 00000001 00000002 00000003"))},
		{"call", cat([]byte{104, 3}, ref(2), []byte{104, 2}, ref(1), []byte{108, 0, 0, 0, 1}, ref(0), cat([]byte{90, 0, 1}, ref(1), unhex("6B07D8A5 00000001")), []byte{109, 0, 0, 0, 1, 'x'})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := append(bytes.Clone(tt.b), 97, 99) // and a term after it
			want, size, err := etf.DecodeOptions{Atoms: atoms}.DecodeTerm(input)
			if err != nil {
				t.Fatal(err)
			}
			// In a copy, and in place behind room too small and large
			// enough for the atoms.
			for _, room := range []int{0, 1, 64} {
				b := append(make([]byte, room), input...)
				var r resolver
				got, n, ok, err := r.resolve(b, room, encodeAtoms(t, atoms), room > 0)
				if err != nil || !ok {
					t.Fatalf("room %d: ok %v, %v", room, ok, err)
				}
				if n != size {
					t.Errorf("room %d: took %d bytes, want %d", room, n, size)
				}
				fits := room > 0 && len(got)-n <= room // what the atoms add
				if inPlace := &got[len(got)-1] == &b[room+n-1]; inPlace != fits {
					t.Errorf("room %d: rewritten in place %v, want %v", room, inPlace, fits)
				}
				alone, size, err := etf.DecodeTerm(got, nil) // no atom cache
				if err != nil || size != len(got) {
					t.Fatalf("room %d: the term does not stand alone (%d of %d bytes): %v", room, size, len(got), err)
				}
				if !etf.Equal(alone, want) {
					t.Errorf("room %d: got %v, want %v", room, alone, want)
				}
			}
		})
	}
}

// encodeAtoms encodes atoms as the atom cache keeps them.
func encodeAtoms(t *testing.T, atoms []etf.Atom) [][]byte {
	encoded := make([][]byte, len(atoms))
	for i, a := range atoms {
		var err error
		if encoded[i], err = etf.AppendTerm(nil, a); err != nil {
			t.Fatal(err)
		}
	}
	return encoded
}

// TestResolveDeclines lists the terms left to the decoder, and the
// malformed ones.
func TestResolveDeclines(t *testing.T) {
	atoms := []etf.Atom{"a"}
	tests := []struct {
		name string
		b    []byte
		err  string // "" when declined without error
	}{
		{name: "export", b: []byte{104, 1, 113, 82, 0, 82, 0, 97, 1}},
		{name: "old pid", b: []byte{103, 82, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0}},
		{name: "compressed", b: []byte{80, 0, 0, 0, 1}},
		{name: "reference out of the cache", b: []byte{104, 1, 82, 3}, err: "atom cache reference 3 of 1"},
		{name: "truncated reference", b: []byte{82}, err: "atom cache reference truncated at byte 0"},
		{name: "truncated tuple", b: []byte{104, 2, 82, 0}, err: "term truncated at byte 4"},
		{name: "pid node not an atom", b: []byte{88, 97, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, err: "node of 88 at byte 0 is not an atom"},
		{name: "pid truncated", b: []byte{88, 82, 0, 0, 0}, err: "88 truncated at byte 0"},
		{name: "list too long", b: []byte{108, 0, 0, 1, 0, 106}, err: "257 elements in 6 bytes at byte 0"},
		// The leaves resolve measures itself, left to etf when truncated.
		{name: "small integer truncated", b: []byte{104, 1, 97}, err: "etf: truncated input: SMALL_INTEGER_EXT needs 2 bytes, 1 left at offset 0"},
		{name: "integer truncated", b: []byte{104, 1, 98, 0, 0}, err: "etf: truncated input: INTEGER_EXT needs 5 bytes, 3 left at offset 0"},
		{name: "binary truncated", b: []byte{104, 1, 109, 0, 0, 0, 5, 'a'}, err: "etf: truncated input: BINARY_EXT of 5 bytes, 1 left at offset 0"},
		{name: "atom truncated", b: []byte{104, 1, 119, 3, 'a'}, err: "etf: truncated input: SMALL_ATOM_UTF8_EXT of 3 bytes, 1 left at offset 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r resolver
			_, _, ok, err := r.resolve(tt.b, 0, encodeAtoms(t, atoms), false)
			if ok {
				t.Fatal("not declined")
			}
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.err {
				t.Errorf("error %q, want %q", got, tt.err)
			}
		})
	}
}

// BenchmarkDecodeRawPayload decodes SEND packets whose payload names an
// atom of the connection's cache, defined by an earlier packet, as the
// BEAM's messages do, with RawPayloads: the payload must be rewritten to
// stand alone. binary_100k_fragments arrives in two fragments, as a 100 KB
// message does from the BEAM.
func BenchmarkDecodeRawPayload(b *testing.B) {
	a := []byte{82, 0} // the atom of the header's only reference
	big := make(etf.Map, 1000)
	for i := range big {
		big[i] = etf.Pair{Key: etf.Binary(fmt.Sprintf("key%d", i+1)), Value: etf.Int(i + 1)}
	}
	encoded := func(t etf.Term) []byte {
		enc, err := etf.AppendTerm(nil, t)
		if err != nil {
			b.Fatal(err)
		}
		return enc
	}
	define := cat(unhex("01 08 00 02"), []byte("hi")) // the atom of slot 0
	cache := unhex("01 00 00")                        // one reference, to slot 0
	send := []byte{104, 3, 97, 2, 119, 0}
	packet := func(payload []byte) [][]byte {
		return [][]byte{cat([]byte{131, 68}, cache, send, pidBytes, payload)}
	}
	binary100k := cat([]byte{104, 2}, a, encoded(etf.Binary(make([]byte, 100<<10))))
	message := cat(send, pidBytes, binary100k)
	fragments := [][]byte{
		cat([]byte{131, 69, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2}, cache, message[:fragmentSize]),
		fragmentCont(1, 1, message[fragmentSize:]...),
	}
	for _, c := range []struct {
		name    string
		packets [][]byte
	}{
		{"call", packet(cat([]byte{104, 3}, a, []byte{104, 2}, pidBytes, []byte{108, 0, 0, 0, 1}, a, refBytes, []byte{104, 3}, a, encoded(etf.Binary("user:42")), encoded(etf.Int(5000))))},
		{"binary_100k", packet(binary100k)},
		{"binary_100k_fragments", fragments},
		{"map_1k", packet(cat([]byte{104, 2}, a, encoded(big)))},
	} {
		b.Run(c.name, func(b *testing.B) {
			d := testDecoder(b, DefaultFlags, func(c *Config) { c.RawPayloads = true })
			if _, err := d.packet(cat([]byte{131, 68}, define, send, pidBytes, []byte{106}), false); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(bytes.Join(c.packets, nil))))
			for b.Loop() {
				for _, p := range c.packets {
					if _, err := d.packet(p, false); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
