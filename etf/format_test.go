package etf

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
)

func TestFormat(t *testing.T) {
	big1, _ := new(big.Int).SetString("12345678901234567890", 10)
	tests := []struct {
		name string
		term Term
		want string
	}{
		{name: "bare atom", term: Atom("hello"), want: "hello"},
		{name: "atom with space", term: Atom("hello world"), want: "'hello world'"},
		{name: "elixir module", term: Atom("Elixir.Foo"), want: "'Elixir.Foo'"},
		{name: "node name", term: Atom("creo@host"), want: "creo@host"},
		{name: "atom with dot", term: Atom("creo@127.0.0.1"), want: "'creo@127.0.0.1'"},
		{name: "empty atom", term: Atom(""), want: "''"},
		{name: "keyword", term: Atom("case"), want: "'case'"},
		{name: "otp 27 keyword", term: Atom("maybe"), want: "'maybe'"},
		{name: "capital", term: Atom("X"), want: "'X'"},
		{name: "underscore start", term: Atom("_x"), want: "'_x'"},
		{name: "latin-1 letters", term: Atom("héllo"), want: "héllo"},
		{name: "latin-1 capital start", term: Atom("Ñu"), want: "'Ñu'"},
		{name: "division sign", term: Atom("x÷"), want: "'x÷'"},
		{name: "unicode", term: Atom("日本"), want: "'日本'"},
		{name: "escapes", term: Atom("a'b\\c\nd\x00\x7f\u0080"), want: `'a\'b\\c\nd\000\d\200'`},
		{name: "no-break space", term: Atom("a\u00a0"), want: `'a\x{A0}'`},
		{name: "invisible character", term: Atom("a\u200bb"), want: `'a\x{200B}b'`},
		{name: "invalid utf-8 atom", term: Atom("a\xffb"), want: "'aÿb'"},
		{name: "true", term: True, want: "true"},
		{name: "zero", term: Int(0), want: "0"},
		{name: "negative", term: Int(-5), want: "-5"},
		{name: "min int64", term: Int(math.MinInt64), want: "-9223372036854775808"},
		{name: "big", term: BigInt{big1}, want: "12345678901234567890"},
		{name: "nil big", term: BigInt{}, want: "<nil>"},
		{name: "float one", term: Float(1), want: "1.0"},
		{name: "float tenth", term: Float(0.1), want: "0.1"},
		{name: "float big", term: Float(1e100), want: "1.0e100"},
		{name: "float negative zero", term: Float(math.Copysign(0, -1)), want: "-0.0"},
		{name: "float nan", term: Float(math.NaN()), want: "#Float<NaN>"},
		{name: "float inf", term: Float(math.Inf(-1)), want: "#Float<-Inf>"},
		// What erl 25 prints with ~w for each float.
		{name: "float hundred", term: Float(100), want: "100.0"},
		{name: "float thousand", term: Float(1000), want: "1.0e3"},
		{name: "float six digits", term: Float(123456), want: "123456.0"},
		{name: "float one digit times 1e5", term: Float(2e5), want: "2.0e5"},
		{name: "float eight digits", term: Float(12345678), want: "12345678.0"},
		{name: "float trailing zeros", term: Float(12345600), want: "1.23456e7"},
		{name: "float 2^53", term: Float(1 << 53), want: "9.007199254740992e15"},
		{name: "float 17 digits", term: Float(123456789012345680), want: "1.2345678901234568e17"},
		{name: "float ten thousandth", term: Float(0.0001), want: "0.0001"},
		{name: "float hundred thousandth", term: Float(0.00001), want: "1.0e-5"},
		{name: "float two digits small", term: Float(0.0025), want: "0.0025"},
		{name: "float two digits smaller", term: Float(0.00012), want: "1.2e-4"},
		{name: "float pi", term: Float(3.14), want: "3.14"},
		{name: "float smallest", term: Float(5e-324), want: "5.0e-324"},
		{name: "float largest", term: Float(math.MaxFloat64), want: "1.7976931348623157e308"},
		{name: "float negative", term: Float(-1.5e300), want: "-1.5e300"},
		{name: "float ten digits e10", term: Float(12345678900), want: "12345678900.0"},
		{name: "text binary", term: Binary("hi"), want: `<<"hi">>`},
		{name: "empty binary", term: Binary{}, want: "<<>>"},
		{name: "nil binary", term: Binary(nil), want: "<<>>"},
		{name: "escaped binary", term: Binary("a\tb\x1b\"\n"), want: `<<"a\tb\e\"\n">>`},
		{name: "byte binary", term: Binary{1, 2, 3}, want: "<<1,2,3>>"},
		{name: "del binary", term: Binary{127}, want: "<<127>>"},
		{name: "latin-1 binary", term: Binary{233}, want: "<<233>>"},
		{name: "utf-8 binary", term: Binary("héllo"), want: `<<"héllo"/utf8>>`},
		{name: "utf-8 binary with nul", term: Binary("é\x00"), want: "<<195,169,0>>"},
		{name: "bitstring", term: Bitstring{Bytes: []byte{0x20}, Bits: 3}, want: "<<1:3>>"},
		{name: "bitstring with bytes", term: Bitstring{Bytes: []byte{255, 0x40}, Bits: 2}, want: "<<255,1:2>>"},
		{name: "bitstring without bytes", term: Bitstring{Bits: 3}, want: "<<>>"},
		{name: "bitstring of whole bytes", term: Bitstring{Bytes: []byte("a"), Bits: 8}, want: `<<"a">>`},
		{name: "empty list", term: List{}, want: "[]"},
		{name: "nil list", term: List(nil), want: "[]"},
		{name: "list", term: List{Int(1), Int(2)}, want: "[1,2]"},
		{name: "charlist", term: List{Int('h'), Int('i')}, want: "[104,105]"},
		{name: "improper list", term: ImproperList{Elems: []Term{Atom("a")}, Tail: Atom("b")}, want: "[a|b]"},
		{name: "empty tuple", term: Tuple{}, want: "{}"},
		{name: "tuple", term: Tuple{Atom("ok"), List{Int(1), Int(2)}}, want: "{ok,[1,2]}"},
		{name: "map", term: Map{{Key: Atom("a"), Value: Int(1)}}, want: "#{a => 1}"},
		{name: "empty map", term: Map{}, want: "#{}"},
		{name: "pid", term: Pid{Node: "creo@127.0.0.1", ID: 85, Creation: 3}, want: "<'creo@127.0.0.1'.85.0.3>"},
		{
			name: "ref",
			term: Ref{Node: "a@b", Creation: 7, Len: 3, ID: [5]uint32{1, 2, 3}},
			want: "#Ref<a@b.3.2.1.7>",
		},
		{name: "ref with bad length", term: Ref{Node: "a@b", Len: 9}, want: "#Ref<a@b.0.0.0.0.0.0>"},
		{name: "port", term: Port{Node: "a@b", ID: 5, Creation: 1}, want: "#Port<a@b.5.1>"},
		{name: "fun", term: Fun{Module: "erl_eval", OldIndex: 6, OldUniq: 3316493}, want: "#Fun<erl_eval.6.3316493>"},
		{name: "export", term: Export{Module: "Elixir.Enum", Function: "map", Arity: 2}, want: "fun 'Elixir.Enum':map/2"},
		{name: "local", term: Local{121, 1}, want: "#Local<121,1>"},
		{name: "nil term", term: nil, want: "<nil>"},
		{name: "nil inside", term: Tuple{nil}, want: "{<nil>}"},
		{name: "foreign type", term: struct{ Atom }{"x"}, want: "<struct { etf.Atom }>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Format(tt.term); got != tt.want {
				t.Errorf("Format() = %s, want %s", got, tt.want)
			}
			if got := string(AppendFormat([]byte("x"), tt.term)); got != "x"+tt.want {
				t.Errorf("AppendFormat() = %s, want x%s", got, tt.want)
			}
		})
	}
}

func TestFormatDepth(t *testing.T) {
	// A list that contains itself is malformed; Format must still end.
	cyclic := List{nil}
	cyclic[0] = cyclic
	got := Format(cyclic)
	want := strings.Repeat("[", maxNesting+1) + "..." + strings.Repeat("]", maxNesting+1)
	if got != want {
		t.Errorf("Format(cyclic) = %.10s...%s (%d bytes), want %d levels then ...", got, got[len(got)-10:], len(got), maxNesting+1)
	}
}

func TestStringers(t *testing.T) {
	tests := []struct {
		name string
		v    fmt.Stringer
		want string
	}{
		{name: "atom", v: Atom("a b"), want: "'a b'"},
		{name: "bare atom", v: Atom("ok"), want: "ok"},
		{name: "int", v: Int(-1), want: "-1"},
		{name: "big", v: BigInt{big.NewInt(1)}, want: "1"},
		{name: "float", v: Float(2), want: "2.0"},
		{name: "binary", v: Binary("x"), want: `<<"x">>`},
		{name: "bitstring", v: Bitstring{Bytes: []byte{0x80}, Bits: 1}, want: "<<1:1>>"},
		{name: "list", v: List{Atom("a")}, want: "[a]"},
		{name: "improper", v: ImproperList{Elems: []Term{Int(1)}, Tail: Int(2)}, want: "[1|2]"},
		{name: "tuple", v: Tuple{Atom("a")}, want: "{a}"},
		{name: "map", v: Map{{Key: Int(1), Value: Int(2)}}, want: "#{1 => 2}"},
		{name: "pid", v: Pid{Node: "n@h", ID: 1, Serial: 2, Creation: 3}, want: "<n@h.1.2.3>"},
		{name: "ref", v: Ref{Node: "n@h", Len: 1, ID: [5]uint32{9}}, want: "#Ref<n@h.9.0>"},
		{name: "port", v: Port{Node: "n@h", ID: 1}, want: "#Port<n@h.1.0>"},
		{name: "fun", v: Fun{Module: "m"}, want: "#Fun<m.0.0>"},
		{name: "export", v: Export{Module: "m", Function: "f"}, want: "fun m:f/0"},
		{name: "local", v: Local{1}, want: "#Local<1>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.v.String(); got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
			if got := fmt.Sprint(tt.v); got != tt.want {
				t.Errorf("fmt.Sprint() = %s, want %s", got, tt.want)
			}
		})
	}
}
