package etf

import (
	"bytes"
	"compress/zlib"
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
)

// wire concatenates bytes, strings and byte slices into an encoding.
func wire(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch p := p.(type) {
		case int:
			b = append(b, byte(p))
		case rune:
			b = append(b, byte(p))
		case string:
			b = append(b, p...)
		case []byte:
			b = append(b, p...)
		default:
			panic("wire: bad part")
		}
	}
	return b
}

// Encodings that recur in the tables.
var (
	nodeA   = wire(119, 5, "a@b.c")
	testPid = Pid{Node: "a@b.c", ID: 0x12345678, Serial: 0x9abcdef0, Creation: 7}
	pidWire = wire(88, nodeA, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0, 0, 0, 7)
)

func bigInt(s string) BigInt {
	v, ok := new(big.Int).SetString(s, 0)
	if !ok {
		panic("bigInt: " + s)
	}
	return BigInt{v}
}

// codecTests are terms with the exact bytes AppendTerm writes for them, as
// OTP 26's term_to_binary does. Each also decodes back from those bytes.
var codecTests = []struct {
	name string
	term Term
	wire []byte
}{
	{"small atom", Atom("ok"), wire(119, 2, "ok")},
	{"empty atom", Atom(""), wire(119, 0)},
	{"unicode atom", Atom("héllo"), wire(119, 6, "héllo")},
	{"atom over 255 bytes", Atom(strings.Repeat("é", 200)), wire(118, 1, 144, strings.Repeat("é", 200))},
	{"zero", Int(0), wire(97, 0)},
	{"255", Int(255), wire(97, 255)},
	{"256", Int(256), wire(98, 0, 0, 1, 0)},
	{"minus one", Int(-1), wire(98, 0xff, 0xff, 0xff, 0xff)},
	{"-5", Int(-5), wire(98, 0xff, 0xff, 0xff, 0xfb)},
	{"max int32", Int(math.MaxInt32), wire(98, 0x7f, 0xff, 0xff, 0xff)},
	{"min int32", Int(math.MinInt32), wire(98, 0x80, 0, 0, 0)},
	{"2^31", Int(1 << 31), wire(110, 4, 0, 0, 0, 0, 0x80)},
	{"-2^31-1", Int(-1<<31 - 1), wire(110, 4, 1, 1, 0, 0, 0x80)},
	{"max int64", Int(math.MaxInt64), wire(110, 8, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)},
	{"min int64", Int(math.MinInt64), wire(110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0x80)},
	{"2^63", bigInt("0x8000000000000000"), wire(110, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0x80)},
	{"reference big", bigInt("12345678901234567890"), wire(110, 8, 0, 0xd2, 0x0a, 0x1f, 0xeb, 0x8c, 0xa9, 0x54, 0xab)},
	{"-2^64", bigInt("-0x10000000000000000"), wire(110, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1)},
	{"2^2032", bigInt("0x1" + strings.Repeat("0", 508)), wire(110, 255, 0, strings.Repeat("\x00", 254), 1)},
	{"2^2048", bigInt("0x1" + strings.Repeat("0", 512)), wire(111, 0, 0, 1, 1, 0, strings.Repeat("\x00", 256), 1)},
	{"float", Float(1.5), wire(70, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0)},
	{"negative zero", Float(math.Copysign(0, -1)), wire(70, 0x80, 0, 0, 0, 0, 0, 0, 0)},
	{"empty binary", Binary{}, wire(109, 0, 0, 0, 0)},
	{"binary", Binary("abc"), wire(109, 0, 0, 0, 3, "abc")},
	{"bitstring", Bitstring{Bytes: []byte{0x20}, Bits: 3}, wire(77, 0, 0, 0, 1, 3, 0x20)},
	{"long bitstring", Bitstring{Bytes: []byte{1, 2, 0x80}, Bits: 1}, wire(77, 0, 0, 0, 3, 1, 1, 2, 0x80)},
	{"nil", List(nil), wire(106)},
	{"string", List{Int(1), Int(2), Int(255)}, wire(107, 0, 3, 1, 2, 255)},
	{"list", List{Atom("a"), Int(256)}, wire(108, 0, 0, 0, 2, 119, 1, "a", 98, 0, 0, 1, 0, 106)},
	{"list of strings", List{List{Int(1)}, List(nil)}, wire(108, 0, 0, 0, 2, 107, 0, 1, 1, 106, 106)},
	{"improper list", ImproperList{Elems: []Term{Atom("a")}, Tail: Atom("b")}, wire(108, 0, 0, 0, 1, 119, 1, "a", 119, 1, "b")},
	{"gen_call alias tag", ImproperList{Elems: []Term{Atom("alias")}, Tail: Ref{Node: "a@b.c", Creation: 7, Len: 1, ID: [5]uint32{9}}},
		wire(108, 0, 0, 0, 1, 119, 5, "alias", 90, 0, 1, nodeA, 0, 0, 0, 7, 0, 0, 0, 9)},
	{"empty tuple", Tuple{}, wire(104, 0)},
	{"tuple", Tuple{Atom("ok"), Int(1)}, wire(104, 2, 119, 2, "ok", 97, 1)},
	{"large tuple", Tuple(make256(Int(0))), wire(105, 0, 0, 1, 0, strings.Repeat("a\x00", 256))},
	{"empty map", Map{}, wire(116, 0, 0, 0, 0)},
	{"map", Map{{Atom("a"), Int(1)}, {Tuple{}, List(nil)}}, wire(116, 0, 0, 0, 2, 119, 1, "a", 97, 1, 104, 0, 106)},
	{"pid", testPid, pidWire},
	{"ref", Ref{Node: "a@b.c", Creation: 7, Len: 3, ID: [5]uint32{1, 2, 3}},
		wire(90, 0, 3, nodeA, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3)},
	{"5-word ref", Ref{Node: "a@b.c", Creation: 7, Len: 5, ID: [5]uint32{1, 2, 3, 4, 5}},
		wire(90, 0, 5, nodeA, 0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5)},
	{"port", Port{Node: "a@b.c", ID: 1<<28 - 1, Creation: 7}, wire(89, nodeA, 0x0f, 0xff, 0xff, 0xff, 0, 0, 0, 7)},
	{"v4 port", Port{Node: "a@b.c", ID: 1 << 28, Creation: 7}, wire(120, nodeA, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 7)},
	{"export", Export{Module: "lists", Function: "map", Arity: 2}, wire(113, 119, 5, "lists", 119, 3, "map", 97, 2)},
	{"fun", Fun{Arity: 1, Uniq: [16]byte{15: 1}, Index: 2, Module: "m", OldIndex: 3, OldUniq: -1, Pid: testPid, Free: []Term{Atom("x")}},
		wire(112, 0, 0, 0, 62, 1, strings.Repeat("\x00", 15), 1, 0, 0, 0, 2, 0, 0, 0, 1, 119, 1, "m", 97, 3, 98, 0xff, 0xff, 0xff, 0xff, pidWire, 119, 1, "x")},
	{"fun without free variables", Fun{Module: "m", Pid: testPid},
		wire(112, 0, 0, 0, 56, 0, strings.Repeat("\x00", 16), 0, 0, 0, 0, 0, 0, 0, 0, 119, 1, "m", 97, 0, 97, 0, pidWire)},
	{"nested", Tuple{List{Map{{Atom("k"), Tuple{Binary("v")}}}}, Atom("z")},
		wire(104, 2, 108, 0, 0, 0, 1, 116, 0, 0, 0, 1, 119, 1, "k", 104, 1, 109, 0, 0, 0, 1, "v", 106, 119, 1, "z")},
}

func make256(t Term) []Term {
	ts := make([]Term, 256)
	for i := range ts {
		ts[i] = t
	}
	return ts
}

func TestCodec(t *testing.T) {
	for _, tt := range codecTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendTerm([]byte("prefix"), tt.term)
			if err != nil {
				t.Fatalf("AppendTerm: %v", err)
			}
			if !bytes.Equal(got[6:], tt.wire) || string(got[:6]) != "prefix" {
				t.Fatalf("AppendTerm:\n got %v\nwant prefix%v", got, tt.wire)
			}
			enc, err := Encode(tt.term)
			if err != nil || enc[0] != 131 || !bytes.Equal(enc[1:], tt.wire) {
				t.Fatalf("Encode = %v, %v; want 131 then the wire bytes", enc, err)
			}

			term, n, err := DecodeTerm(append(tt.wire, "next"...), nil)
			if err != nil || n != len(tt.wire) {
				t.Fatalf("DecodeTerm = %d, %v; want %d bytes", n, err, len(tt.wire))
			}
			if !Equal(term, tt.term) {
				t.Fatalf("DecodeTerm = %#v, want %#v", term, tt.term)
			}
			if term, err = Decode(enc); err != nil || !Equal(term, tt.term) {
				t.Fatalf("Decode = %#v, %v", term, err)
			}
			if n, err := SkipTerm(append(tt.wire, "next"...)); err != nil || n != len(tt.wire) {
				t.Fatalf("SkipTerm = %d, %v; want %d", n, err, len(tt.wire))
			}
		})
	}
}

func zlibBytes(b []byte) []byte {
	var buf bytes.Buffer
	w := zlib.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

var compressedTuple = wire(104, 3, 107, 0, 100, strings.Repeat("x", 100), 119, 2, "ok", 109, 0, 0, 0, 100, strings.Repeat("y", 100))

// decodeTests are inputs, with the version byte, in forms OTP reads but no
// longer writes, or writes in more than one way, and the one term each
// decodes to.
var decodeTests = []struct {
	name string
	in   []byte
	want Term
}{
	{"ATOM_EXT", wire(131, 100, 0, 2, "ok"), Atom("ok")},
	{"ATOM_EXT Latin-1", wire(131, 100, 0, 2, 'h', 0xe9), Atom("hé")},
	{"SMALL_ATOM_EXT Latin-1", wire(131, 115, 1, 0xff), Atom("ÿ")},
	{"ATOM_EXT of 255 Latin-1 characters", wire(131, 100, 0, 255, strings.Repeat("\xe9", 255)), Atom(strings.Repeat("é", 255))},
	{"ATOM_UTF8_EXT short", wire(131, 118, 0, 2, "ok"), Atom("ok")},
	{"FLOAT_EXT", wire(131, 99, "1.50000000000000000000e+00", strings.Repeat("\x00", 5)), Float(1.5)},
	{"FLOAT_EXT negative", wire(131, 99, "-2.00000000000000000000e-03", strings.Repeat("\x00", 4)), Float(-0.002)},
	{"SMALL_BIG_EXT in int64 range", wire(131, 110, 2, 1, 0x39, 0x30), Int(-12345)},
	{"SMALL_BIG_EXT with high zero digits", wire(131, 110, 3, 0, 5, 0, 0), Int(5)},
	{"SMALL_BIG_EXT of no digits", wire(131, 110, 0, 1), Int(0)},
	{"SMALL_BIG_EXT sign byte 2", wire(131, 110, 1, 2, 5), Int(-5)},
	{"LARGE_BIG_EXT small", wire(131, 111, 0, 0, 0, 1, 0, 7), Int(7)},
	{"SMALL_BIG_EXT -2^63", wire(131, 110, 8, 1, 0, 0, 0, 0, 0, 0, 0, 0x80), Int(math.MinInt64)},
	{"SMALL_BIG_EXT 2^64-1", wire(131, 110, 8, 0, strings.Repeat("\xff", 8)), bigInt("0xffffffffffffffff")},
	{"BIT_BINARY_EXT of whole bytes", wire(131, 77, 0, 0, 0, 2, 8, 1, 2), Binary{1, 2}},
	{"BIT_BINARY_EXT empty", wire(131, 77, 0, 0, 0, 0, 0), Binary{}},
	{"BIT_BINARY_EXT unused bits set", wire(131, 77, 0, 0, 0, 1, 1, 0xff), Bitstring{Bytes: []byte{0x80}, Bits: 1}},
	{"STRING_EXT", wire(131, 107, 0, 2, 0, 200), List{Int(0), Int(200)}},
	{"STRING_EXT empty", wire(131, 107, 0, 0), List(nil)},
	{"LIST_EXT of no elements is its tail", wire(131, 108, 0, 0, 0, 0, 97, 5), Int(5)},
	{"LIST_EXT with a list tail", wire(131, 108, 0, 0, 0, 1, 97, 5, 107, 0, 1, 6), List{Int(5), Int(6)}},
	{"LIST_EXT with an improper tail", wire(131, 108, 0, 0, 0, 1, 97, 5, 108, 0, 0, 0, 1, 97, 6, 97, 7),
		ImproperList{Elems: []Term{Int(5), Int(6)}, Tail: Int(7)}},
	{"LIST_EXT of bytes", wire(131, 108, 0, 0, 0, 1, 97, 5, 106), List{Int(5)}},
	{"PID_EXT", wire(131, 103, 100, 0, 5, "a@b.c", 0, 0, 0, 1, 0, 0, 0, 2, 3), Pid{Node: "a@b.c", ID: 1, Serial: 2, Creation: 3}},
	{"PORT_EXT", wire(131, 102, 100, 0, 5, "a@b.c", 0, 0, 0, 9, 3), Port{Node: "a@b.c", ID: 9, Creation: 3}},
	{"V4_PORT_EXT of a small ID", wire(131, 120, nodeA, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 3), Port{Node: "a@b.c", ID: 9, Creation: 3}},
	{"REFERENCE_EXT", wire(131, 101, nodeA, 0, 0, 0, 9, 3), Ref{Node: "a@b.c", Len: 1, ID: [5]uint32{9}, Creation: 3}},
	{"NEW_REFERENCE_EXT", wire(131, 114, 0, 2, nodeA, 3, 0, 0, 0, 9, 0, 0, 0, 8),
		Ref{Node: "a@b.c", Len: 2, ID: [5]uint32{9, 8}, Creation: 3}},
	{"atom cache reference in a pid", wire(131, 88, 82, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3), Pid{Node: "b@c", ID: 1, Serial: 2, Creation: 3}},
	{"compressed", wire(131, 80, 0, 0, 0, len(compressedTuple), zlibBytes(compressedTuple)),
		Tuple{List(make([]Term, 0)), Atom("ok"), Binary(strings.Repeat("y", 100))}},
	{"LOCAL_EXT", wire(131, 121, 1, 2, 3), Local{121, 1, 2, 3}},
}

func init() {
	// The string of the compressed case: 100 times 'x'.
	l := make(List, 100)
	for i := range l {
		l[i] = Int('x')
	}
	for i := range decodeTests {
		if decodeTests[i].name == "compressed" {
			decodeTests[i].want.(Tuple)[0] = l
		}
	}
}

func TestDecode(t *testing.T) {
	opts := DecodeOptions{Atoms: []Atom{"a@b.c", "b@c"}}
	for _, tt := range decodeTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := opts.Decode(tt.in)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !Equal(got, tt.want) {
				t.Fatalf("Decode = %#v, want %#v", got, tt.want)
			}
			// Whatever form came in, the term re-encodes to the one form,
			// and a compressed term ends where its zlib data does.
			if _, err := Encode(got); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if n, err := SkipTerm(tt.in[1:]); err != nil || n != len(tt.in)-1 {
				t.Fatalf("SkipTerm = %d, %v; want %d", n, err, len(tt.in)-1)
			}
		})
	}
}

// decodeErrorTests are malformed inputs, with the version byte, and the
// exact errors Decode returns for them.
var decodeErrorTests = []struct {
	name     string
	in       []byte
	sentinel error
	msg      string
}{
	{"empty", nil, ErrTruncated, "etf: truncated input: no version byte at offset 0"},
	{"bad version", wire(130, 106), ErrInvalid, "etf: invalid term: version byte is 130, not 131 at offset 0"},
	{"no term", wire(131), ErrTruncated, "etf: truncated input: a term needs at least 1 byte, 0 left at offset 1"},
	{"unknown tag", wire(131, 1), ErrUnknownTag, "etf: unknown tag: tag 1 at offset 1"},
	{"removed FUN_EXT", wire(131, 117), ErrUnknownTag, "etf: unknown tag: FUN_EXT at offset 1"},
	{"dist header", wire(131, 68, 0), ErrUnknownTag, "etf: unknown tag: tag 68 at offset 1"},
	{"trailing data", wire(131, 106, 106), ErrTrailingData, "etf: trailing data after the term at offset 2"},
	{"truncated integer", wire(131, 98, 0, 0), ErrTruncated, "etf: truncated input: INTEGER_EXT needs 5 bytes, 3 left at offset 1"},
	{"binary longer than the input", wire(131, 109, 0xff, 0xff, 0xff, 0xff, 1, 2), ErrTruncated,
		"etf: truncated input: BINARY_EXT of 4294967295 bytes, 2 left at offset 1"},
	{"tuple larger than the input", wire(131, 105, 0xff, 0xff, 0xff, 0xff), ErrTruncated,
		"etf: truncated input: LARGE_TUPLE_EXT of 4294967295 elements needs at least 4294967295 bytes, 0 left at offset 1"},
	{"map larger than the input", wire(131, 116, 0, 0, 0, 3, 97, 1, 97, 2), ErrTruncated,
		"etf: truncated input: MAP_EXT of 3 elements needs at least 6 bytes, 4 left at offset 1"},
	{"big integer longer than the input", wire(131, 111, 0xff, 0xff, 0xff, 0xff, 0), ErrTruncated,
		"etf: truncated input: LARGE_BIG_EXT of 4294967295 digits needs 4294967301 bytes, 6 left at offset 1"},
	{"element of a tuple", wire(131, 104, 2, 97, 1, 109, 0, 0, 0, 9), ErrTruncated,
		"etf: truncated input: BINARY_EXT of 9 bytes, 0 left at offset 5 (/1)"},
	{"deep path", wire(131, 108, 0, 0, 0, 1, 116, 0, 0, 0, 1, 97, 1, 104, 1, 1), ErrUnknownTag,
		"etf: unknown tag: tag 1 at offset 15 (/0/v0/0)"},
	{"map key", wire(131, 116, 0, 0, 0, 1, 119, 1, 0xff, 97, 1), ErrInvalid, "etf: invalid term: atom is not valid UTF-8 at offset 6 (/k0)"},
	{"list tail", wire(131, 108, 0, 0, 0, 1, 97, 1, 1), ErrUnknownTag, "etf: unknown tag: tag 1 at offset 8 (/tail)"},
	{"duplicate map key", wire(131, 116, 0, 0, 0, 2, 97, 1, 97, 2, 97, 1, 97, 3), ErrInvalid,
		"etf: invalid term: MAP_EXT with a duplicate key of type etf.Int at offset 1"},
	{"duplicate key in a big map", wire(131, 116, 0, 0, 0, 17, mapPairs(16), 98, 0, 0, 0, 3, 97, 0), ErrInvalid,
		"etf: invalid term: MAP_EXT with a duplicate key of type etf.Int at offset 1"},
	{"atom too long", wire(131, 100, 1, 0, strings.Repeat("a", 256)), ErrInvalid,
		"etf: invalid term: ATOM_EXT of 256 characters, the limit is 255 at offset 1"},
	{"UTF-8 atom too long", wire(131, 118, 1, 0, strings.Repeat("a", 256)), ErrInvalid,
		"etf: invalid term: atom of 256 characters, the limit is 255 at offset 1"},
	{"atom cache reference without a cache", wire(131, 82, 0), ErrInvalid,
		"etf: invalid term: atom cache reference 0, the header has 0 at offset 1"},
	{"pid node not an atom", wire(131, 88, 97, 1), ErrInvalid, "etf: invalid term: SMALL_INTEGER_EXT where an atom belongs at offset 1"},
	{"pid truncated", wire(131, 88, nodeA, 0, 0, 0), ErrTruncated,
		"etf: truncated input: NEW_PID_EXT needs 12 bytes after the node name, 3 left at offset 1"},
	{"reference of 6 words", wire(131, 90, 0, 6, nodeA), ErrInvalid, "etf: invalid term: NEWER_REFERENCE_EXT of 6 words, want 1 to 5 at offset 1"},
	{"reference of no words", wire(131, 90, 0, 0, nodeA), ErrInvalid, "etf: invalid term: NEWER_REFERENCE_EXT of 0 words, want 1 to 5 at offset 1"},
	{"NaN", wire(131, 70, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0), ErrInvalid, "etf: invalid term: NEW_FLOAT_EXT is not finite at offset 1"},
	{"infinite FLOAT_EXT", wire(131, 99, "1.0e999", strings.Repeat("\x00", 24)), ErrInvalid, "etf: invalid term: FLOAT_EXT is not finite at offset 1"},
	{"FLOAT_EXT not a number", wire(131, 99, "one", strings.Repeat("\x00", 28)), ErrInvalid, `etf: invalid term: FLOAT_EXT text "one" at offset 1`},
	{"bitstring bits 0", wire(131, 77, 0, 0, 0, 1, 0, 1), ErrInvalid,
		"etf: invalid term: BIT_BINARY_EXT of 1 bytes with 0 bits in the last one at offset 1"},
	{"bitstring bits 9", wire(131, 77, 0, 0, 0, 1, 9, 1), ErrInvalid,
		"etf: invalid term: BIT_BINARY_EXT of 1 bytes with 9 bits in the last one at offset 1"},
	{"empty bitstring with bits", wire(131, 77, 0, 0, 0, 0, 8), ErrInvalid,
		"etf: invalid term: BIT_BINARY_EXT of 0 bytes with 8 bits in the last one at offset 1"},
	{"export arity not small", wire(131, 113, 119, 1, "m", 119, 1, "f", 98, 0, 0, 0, 1), ErrInvalid,
		"etf: invalid term: EXPORT_EXT arity is INTEGER_EXT, want SMALL_INTEGER_EXT at offset 1"},
	{"fun size past the end", wire(131, 112, 0, 0, 1, 0, strings.Repeat("\x00", 25)), ErrTruncated,
		"etf: truncated input: NEW_FUN_EXT of size 256, 29 bytes left at offset 1"},
	{"fun free variables past the end", wire(131, 112, 0, 0, 0, 56, 0, strings.Repeat("\x00", 16), 0, 0, 0, 0, 0, 0, 0, 9, 119, 1, "m", 97, 0, 97, 0, pidWire),
		ErrTruncated, "etf: truncated input: NEW_FUN_EXT with 9 free variables, 0 bytes left at offset 1"},
	{"nested LOCAL_EXT", wire(131, 104, 1, 121, 0), ErrInvalid, "etf: invalid term: LOCAL_EXT inside another term at offset 3 (/0)"},
	{"nested compressed", wire(131, 104, 1, 80, 0), ErrInvalid, "etf: invalid term: compressed term not at the top level at offset 3 (/0)"},
	{"compressed size beyond zlib's ratio", wire(131, 80, 0xff, 0xff, 0xff, 0xff, 1, 2, 3), ErrInvalid,
		"etf: invalid term: compressed term claims 4294967295 bytes from 3 bytes of zlib data at offset 1"},
	{"compressed size too small", wire(131, 80, 0, 0, 0, 1, zlibBytes([]byte{106, 106})), ErrInvalid,
		"etf: invalid term: compressed term of 1 bytes: more data than UncompressedSize at offset 1"},
	{"compressed size too large", wire(131, 80, 0, 0, 0, 3, zlibBytes([]byte{106, 106})), ErrInvalid,
		"etf: invalid term: compressed term of 3 bytes: unexpected EOF at offset 1"},
	{"compressed garbage", wire(131, 80, 0, 0, 0, 3, 1, 2, 3, 4), ErrInvalid,
		"etf: invalid term: compressed term: zlib: invalid header at offset 1"},
	{"error inside compressed data", wire(131, 80, 0, 0, 0, 3, zlibBytes([]byte{104, 1, 1})), ErrUnknownTag,
		"etf: unknown tag: tag 1: in the data compressed at offset 1 at offset 2 (/0)"},
	{"trailing data inside compressed data", wire(131, 80, 0, 0, 0, 2, zlibBytes([]byte{106, 106})), ErrTrailingData,
		"etf: trailing data after the term: in the data compressed at offset 1 at offset 1"},
	{"maps nested too deep in keys", wire(131, strings.Repeat("t\x00\x00\x00\x01", maxKeyDepth+2), "a\x00a\x00"), ErrInvalid,
		"etf: invalid term: maps nested more than 100 deep in map keys at offset 506 (" + strings.Repeat("/k0", maxKeyDepth+1) + ")"},
	{"maps in tuples nested too deep in keys", wire(131, strings.Repeat("t\x00\x00\x00\x01h\x01", maxKeyDepth+2), "a\x00a\x00"), ErrInvalid,
		"etf: invalid term: maps nested more than 100 deep in map keys at offset 708 (" + strings.Repeat("/k0/0", maxKeyDepth+1) + ")"},
}

// mapPairs returns the encoded pairs n => 0 for n from 0 to n-1.
func mapPairs(n int) []byte {
	var b []byte
	for i := range n {
		b = append(b, 97, byte(i), 97, 0)
	}
	return b
}

func TestDecodeErrors(t *testing.T) {
	for _, tt := range decodeErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.in)
			if err == nil {
				t.Fatalf("Decode = %#v, want an error", got)
			}
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, tt.sentinel) {
				t.Errorf("error %T %v is not a *SyntaxError wrapping %v", err, err, tt.sentinel)
			}
			if err.Error() != tt.msg {
				t.Errorf("error:\n got %s\nwant %s", err, tt.msg)
			}
		})
	}
}

var encodeErrorTests = []struct {
	name string
	term Term
	msg  string
}{
	{"nil", nil, "etf: invalid term: nil Term"},
	{"not a term", new(Atom), "etf: invalid term: *etf.Atom is not a term"},
	{"atom too long", Tuple{Atom("ok"), Atom(strings.Repeat("é", 256))}, "etf: invalid term: atom of 256 characters, the limit is 255 (/1)"},
	{"atom not UTF-8", Atom("\xff"), "etf: invalid term: atom is not valid UTF-8"},
	{"infinite float", List{Int(1), Float(math.Inf(1))}, "etf: invalid term: float +Inf: Erlang floats are finite (/1)"},
	{"NaN", Float(math.NaN()), "etf: invalid term: float NaN: Erlang floats are finite"},
	{"bitstring of 0 bits", Bitstring{Bytes: []byte{1}}, "etf: invalid term: Bitstring with Bits 0, want 1 to 7"},
	{"bitstring of 8 bits", Bitstring{Bytes: []byte{1}, Bits: 8}, "etf: invalid term: Bitstring with Bits 8, want 1 to 7"},
	{"bitstring of no bytes", Bitstring{Bits: 1}, "etf: invalid term: Bitstring with no Bytes"},
	{"improper list of no elements", ImproperList{Tail: Atom("a")}, "etf: invalid term: ImproperList with no Elems; the term is its Tail"},
	{"improper list with a list tail", ImproperList{Elems: []Term{Int(1)}, Tail: List{Int(2)}},
		"etf: invalid term: ImproperList with a etf.List Tail; a list tail belongs in Elems"},
	{"improper list with a nil tail", ImproperList{Elems: []Term{Int(1)}},
		"etf: invalid term: ImproperList with a <nil> Tail; a list tail belongs in Elems"},
	{"ref of no words", Ref{Node: "a"}, "etf: invalid term: Ref with Len 0, want 1 to 5"},
	{"ref of 6 words", Ref{Node: "a", Len: 6}, "etf: invalid term: Ref with Len 6, want 1 to 5"},
	{"nil big integer", BigInt{}, "etf: invalid term: BigInt with a nil Value"},
	{"fun OldUniq out of range", Fun{Module: "m", OldUniq: 1 << 40},
		"etf: invalid term: Fun with OldIndex or OldUniq 1099511627776 outside the int32 range"},
	{"empty raw", Raw{}, "etf: invalid term: empty Raw"},
	{"local without its tag", Local{1}, "etf: invalid term: Local does not start with the LOCAL_EXT tag"},
	{"map value", Map{{Atom("a"), Int(1)}, {Atom("b"), nil}}, "etf: invalid term: nil Term (/v1)"},
	{"map key", Map{{Atom("\xff"), Int(1)}}, "etf: invalid term: atom is not valid UTF-8 (/k0)"},
	{"improper tail", ImproperList{Elems: []Term{Int(1)}, Tail: Float(math.NaN())}, "etf: invalid term: float NaN: Erlang floats are finite (/tail)"},
	{"free variable", Fun{Module: "m", Free: []Term{Int(1), nil}}, "etf: invalid term: nil Term (/free1)"},
	{"pid node", Tuple{Pid{Node: "\xff"}}, "etf: invalid term: atom is not valid UTF-8 (/0)"},
}

func TestEncodeErrors(t *testing.T) {
	for _, tt := range encodeErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AppendTerm([]byte("dst"), tt.term)
			if err == nil {
				t.Fatalf("AppendTerm = %v, want an error", got)
			}
			var ee *EncodeError
			if !errors.As(err, &ee) || !errors.Is(err, ErrInvalid) {
				t.Errorf("error %T %v is not an *EncodeError wrapping ErrInvalid", err, err)
			}
			if err.Error() != tt.msg {
				t.Errorf("error:\n got %s\nwant %s", err, tt.msg)
			}
			if string(got) != "dst" {
				t.Errorf("AppendTerm returned %q, want dst unchanged", got)
			}
			if _, err2 := Encode(tt.term); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("Encode error %v, want %v", err2, err)
			}
		})
	}
}
