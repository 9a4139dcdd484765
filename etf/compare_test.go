package etf

import (
	"math"
	"math/big"
	"runtime/debug"
	"testing"
)

// compareTests are pairs of terms with their order and whether they are
// equal, for cases the erl corpus does not reach: representations Go can
// build, Raw and Local, and exact number comparisons.
var compareTests = []struct {
	name  string
	a, b  Term
	order int
	equal bool
}{
	{"int and float", Int(1), Float(1), 0, false},
	{"int below float", Int(1), Float(1.5), -1, false},
	{"negative int and float", Int(-2), Float(-1.5), -1, false},
	{"int near 2^63 and float", Int(math.MaxInt64), Float(1 << 63), -1, false},
	{"int and float of 2^62", Int(1 << 62), Float(1 << 62), 0, false},
	{"big integer and float", bigInt("0x1000000000000000001"), Float(1 << 72), 1, false},
	{"big integer below float", bigInt("-0x1000000000000000001"), Float(-(1 << 72)), -1, false},
	{"small BigInt equals Int", BigInt{big.NewInt(5)}, Int(5), 0, true},
	{"BigInt and Int", bigInt("0x10000000000000000"), Int(math.MaxInt64), 1, false},
	{"nil BigInt is zero", BigInt{}, Int(0), 0, true},
	{"zero and negative zero", Float(0), Float(math.Copysign(0, -1)), 0, false},
	{"atoms", Atom("a"), Atom("b"), -1, false},
	{"atom after number", Atom(""), bigInt("0x10000000000000000"), 1, false},
	{"ref words beyond Len", Ref{Node: "n", Len: 1, ID: [5]uint32{1}}, Ref{Node: "n", Len: 3, ID: [5]uint32{1}}, 0, true},
	{"ref last word first", Ref{Node: "n", Len: 2, ID: [5]uint32{9, 1}}, Ref{Node: "n", Len: 2, ID: [5]uint32{1, 2}}, -1, false},
	{"nil and empty list", List(nil), List{}, 0, true},
	{"nil before list", List(nil), List{Int(1)}, -1, false},
	{"list prefix", List{Int(1)}, List{Int(1), Int(2)}, -1, false},
	{"improper before proper", ImproperList{Elems: []Term{Int(1)}, Tail: Int(2)}, List{Int(1), Int(2)}, -1, false},
	{"improper tails", ImproperList{Elems: []Term{Int(1)}, Tail: Atom("a")}, ImproperList{Elems: []Term{Int(1)}, Tail: Atom("b")}, -1, false},
	{"improper lengths", ImproperList{Elems: []Term{Int(1), Int(2)}, Tail: Atom("a")}, ImproperList{Elems: []Term{Int(1)}, Tail: Int(2)}, 1, false},
	{"tuple size first", Tuple{Int(9)}, Tuple{Int(1), Int(1)}, -1, false},
	{"tuple elements", Tuple{Int(1), Atom("a")}, Tuple{Int(1), Atom("b")}, -1, false},
	{"map pairs in any order", Map{{Atom("a"), Int(1)}, {Atom("b"), Int(2)}}, Map{{Atom("b"), Int(2)}, {Atom("a"), Int(1)}}, 0, true},
	{"map values compare by value", Map{{Int(1), Int(2)}}, Map{{Int(1), Float(2)}}, 0, false},
	{"map keys exactly", Map{{Int(2), Atom("a")}}, Map{{Float(1), Atom("a")}}, -1, false},
	{"map keys before values", Map{{Int(1), Atom("z")}, {Int(2), Atom("z")}}, Map{{Int(1), Atom("a")}, {Int(3), Atom("a")}}, -1, false},
	{"map with map keys", Map{{Map{{Atom("b"), Int(1)}, {Atom("a"), Int(2)}}, Int(0)}}, Map{{Map{{Atom("a"), Int(2)}, {Atom("b"), Int(1)}}, Int(0)}}, 0, true},
	{"binary prefix", Binary("ab"), Binary("abc"), -1, false},
	{"bitstring inside a byte", Bitstring{Bytes: []byte{0x80}, Bits: 1}, Binary{0x80}, -1, false},
	{"bitstring bits", Bitstring{Bytes: []byte{0x40}, Bits: 2}, Bitstring{Bytes: []byte{0x80}, Bits: 1}, -1, false},
	{"bitstring after binary prefix", Bitstring{Bytes: []byte{1, 0x80}, Bits: 1}, Binary{1}, 1, false},
	{"empty binary", Binary{}, Binary(nil), 0, true},
	{"fun before export", Fun{Module: "z"}, Export{Module: "a", Function: "f"}, -1, false},
	{"exports", Export{Module: "m", Function: "f", Arity: 1}, Export{Module: "m", Function: "f", Arity: 2}, -1, false},
	{"raw decodes", Raw{97, 5}, Int(5), 0, true},
	{"raw and raw", Raw{104, 1, 97, 5}, Raw{104, 1, 98, 0, 0, 0, 5}, 0, true},
	{"raw that does not decode", Raw{1}, Binary{1}, 1, false},
	{"local after bitstrings", Local{121, 1}, Binary{0xff}, 1, false},
	{"locals", Local{121, 1}, Local{121, 1}, 0, true},
}

func TestCompare(t *testing.T) {
	for _, tt := range compareTests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Compare(tt.a, tt.b); got != tt.order {
				t.Errorf("Compare(a, b) = %d, want %d", got, tt.order)
			}
			if got := Compare(tt.b, tt.a); got != -tt.order {
				t.Errorf("Compare(b, a) = %d, want %d", got, -tt.order)
			}
			if got := Equal(tt.a, tt.b); got != tt.equal {
				t.Errorf("Equal(a, b) = %v, want %v", got, tt.equal)
			}
			if got := Equal(tt.b, tt.a); got != tt.equal {
				t.Errorf("Equal(b, a) = %v, want %v", got, tt.equal)
			}
			if got := compareTerms(tt.a, tt.b, true) == 0; got != tt.equal {
				t.Errorf("exact comparison is 0: %v, want %v", got, tt.equal)
			}
		})
	}
}

// TestDeep checks that encoding, decoding and comparing deeply nested terms
// does not recurse: with the goroutine stack limited to 1 MiB, recursing
// 100,000 deep would crash the test.
func TestDeep(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(1 << 20))
	const depth = 100_000
	a, b := nested(depth), nested(depth)
	if !Equal(a, b) || Compare(a, b) != 0 {
		t.Fatal("deep equal terms differ")
	}
	if c := nested(depth - 1); Equal(a, c) || Compare(a, c) != 1 {
		t.Fatal("deep unequal terms compare wrong")
	}
	enc, err := Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(enc)
	if err != nil || !Equal(back, a) {
		t.Fatalf("deep round trip: %v", err)
	}
	if n, err := SkipTerm(enc[1:]); err != nil || n != len(enc)-1 {
		t.Fatalf("SkipTerm = %d, %v; want %d", n, err, len(enc)-1)
	}
}
