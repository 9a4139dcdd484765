package etf

import (
	"math"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func mustBigInt(t testing.TB, s string) BigInt {
	t.Helper()
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("bad big integer %s", s)
	}
	return BigInt{Value: n}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Term
	}{
		{name: "bare atom", text: "hello", want: Atom("hello")},
		{name: "atom with digits and at", text: "creo@host_1", want: Atom("creo@host_1")},
		{name: "latin-1 atom", text: "héllo", want: Atom("héllo")},
		{name: "quoted atom", text: "'hello world'", want: Atom("hello world")},
		{name: "quoted keyword", text: "'case'", want: Atom("case")},
		{name: "otp 27 keyword bare", text: "maybe", want: Atom("maybe")},
		{name: "empty atom", text: "''", want: Atom("")},
		{name: "atom escapes", text: `'a\'b\\c\n\t\s\d\e\101\x41\x{1F600}\^a\q'`, want: Atom("a'b\\c\n\t \x7f\x1bAA😀\x01q")},
		{name: "unicode atom", text: "'日本'", want: Atom("日本")},
		{name: "atom of 255 characters", text: strings.Repeat("é", 255), want: Atom(strings.Repeat("é", 255))},
		{name: "integer", text: "42", want: Int(42)},
		{name: "negative", text: "-42", want: Int(-42)},
		{name: "plus", text: "+42", want: Int(42)},
		{name: "sign and space", text: "- 42", want: Int(-42)},
		{name: "underscores", text: "1_000_000", want: Int(1000000)},
		{name: "base 16", text: "16#fF", want: Int(255)},
		{name: "negative base 2", text: "-2#1010", want: Int(-10)},
		{name: "base 36", text: "36#zz", want: Int(1295)},
		{name: "char", text: "$a", want: Int('a')},
		{name: "char escape", text: `$\n`, want: Int('\n')},
		{name: "char space", text: "$ ", want: Int(' ')},
		{name: "char unicode", text: "$日", want: Int('日')},
		{name: "negative char", text: "-$a", want: Int(-97)},
		{name: "min int64", text: "-9223372036854775808", want: Int(math.MinInt64)},
		{name: "above int64", text: "9223372036854775808", want: mustBigInt(t, "9223372036854775808")},
		{name: "below int64", text: "-9223372036854775809", want: mustBigInt(t, "-9223372036854775809")},
		{name: "big base 16", text: "16#10000000000000000", want: mustBigInt(t, "18446744073709551616")},
		{name: "float", text: "1.5", want: Float(1.5)},
		{name: "float exponent", text: "2.5e-3", want: Float(0.0025)},
		{name: "float capital exponent", text: "1.0E+2", want: Float(100)},
		{name: "float underscores", text: "1_0.5e1_0", want: Float(1.05e11)},
		{name: "negative float", text: "-0.0", want: Float(math.Copysign(0, -1))},
		{name: "string", text: `"hi"`, want: List{Int('h'), Int('i')}},
		{name: "empty string", text: `""`, want: List{}},
		{name: "joined strings", text: `"a" "b"` + "\n" + `"c"`, want: List{Int('a'), Int('b'), Int('c')}},
		{name: "unicode string", text: `"é"`, want: List{Int(0xe9)}},
		{name: "empty list", text: "[]", want: List(nil)},
		{name: "list", text: "[1, 2]", want: List{Int(1), Int(2)}},
		{name: "improper list", text: "[a|b]", want: ImproperList{Elems: []Term{Atom("a")}, Tail: Atom("b")}},
		{name: "list tail", text: "[a|[b]]", want: List{Atom("a"), Atom("b")}},
		{name: "list empty tail", text: "[a|[]]", want: List{Atom("a")}},
		{name: "improper tail", text: "[a|[b|c]]", want: ImproperList{Elems: []Term{Atom("a"), Atom("b")}, Tail: Atom("c")}},
		{name: "string tail", text: `[1|"a"]`, want: List{Int(1), Int('a')}},
		{name: "empty tuple", text: "{}", want: Tuple(nil)},
		{name: "tuple", text: "{ok, [1,2]}", want: Tuple{Atom("ok"), List{Int(1), Int(2)}}},
		{name: "empty map", text: "#{}", want: Map{}},
		{name: "map", text: "#{a => 1, {b} => [c]}", want: Map{{Key: Atom("a"), Value: Int(1)}, {Key: Tuple{Atom("b")}, Value: List{Atom("c")}}}},
		{name: "empty binary", text: "<<>>", want: Binary{}},
		{name: "text binary", text: `<<"hi">>`, want: Binary("hi")},
		{name: "byte binary", text: "<<1,2,255>>", want: Binary{1, 2, 255}},
		{name: "utf8 binary", text: `<<"é"/utf8>>`, want: Binary("é")},
		{name: "latin-1 binary", text: `<<"é">>`, want: Binary{0xe9}},
		{name: "mixed binary", text: `<<"a", 1, $b, "c"/utf8>>`, want: Binary("a\x01bc")},
		{name: "bitstring", text: "<<1:3>>", want: Bitstring{Bytes: []byte{0x20}, Bits: 3}},
		{name: "bitstring after bytes", text: "<<255,1:2>>", want: Bitstring{Bytes: []byte{255, 0x40}, Bits: 2}},
		{name: "sized segments", text: "<<1:4, 15:4, 258:16>>", want: Binary{0x1f, 1, 2}},
		{name: "negative segment", text: "<<-1>>", want: Binary{255}},
		{name: "truncated segment", text: "<<256>>", want: Binary{0}},
		{name: "wide negative segment", text: "<<-1:72>>", want: Binary{255, 255, 255, 255, 255, 255, 255, 255, 255}},
		{name: "big segment", text: "<<16#10000000000000001:72>>", want: Binary{1, 0, 0, 0, 0, 0, 0, 0, 1}},
		{name: "unaligned big segment", text: "<<1:7, -1:65>>", want: Binary{3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
		{name: "string segment of 16 bits", text: `<<"ab":16>>`, want: Binary{0, 'a', 0, 'b'}},
		{name: "zero size", text: "<<1:0>>", want: Binary{}},
		{name: "type specifiers", text: "<<1:8/integer-unsigned-big, 2/signed>>", want: Binary{1, 2}},
		{name: "utf8 integer", text: "<<$é/utf8>>", want: Binary("é")},
		{name: "pid", text: "<'creo@127.0.0.1'.85.0.3>", want: Pid{Node: "creo@127.0.0.1", ID: 85, Creation: 3}},
		{name: "pid bare node", text: "<a@b.1.2.4294967295>", want: Pid{Node: "a@b", ID: 1, Serial: 2, Creation: math.MaxUint32}},
		{name: "ref", text: "#Ref<a@b.3.2.1.7>", want: Ref{Node: "a@b", Creation: 7, Len: 3, ID: [5]uint32{1, 2, 3}}},
		{name: "ref of one word", text: "#Ref<a@b.9.0>", want: Ref{Node: "a@b", Len: 1, ID: [5]uint32{9}}},
		{name: "ref of five words", text: "#Ref<a@b.5.4.3.2.1.0>", want: Ref{Node: "a@b", Len: 5, ID: [5]uint32{1, 2, 3, 4, 5}}},
		{name: "port", text: "#Port<a@b.18446744073709551615.1>", want: Port{Node: "a@b", ID: math.MaxUint64, Creation: 1}},
		{name: "export", text: "fun lists:map/2", want: Export{Module: "lists", Function: "map", Arity: 2}},
		{name: "export quoted", text: "fun 'Elixir.Enum' : 'map' / 255", want: Export{Module: "Elixir.Enum", Function: "map", Arity: 255}},
		{name: "full stop", text: "ok.", want: Atom("ok")},
		{name: "integer and full stop", text: "1.", want: Int(1)},
		{name: "space and comments", text: " % config\n\t{a, % first\n b} . % done\n", want: Tuple{Atom("a"), Atom("b")}},
		{name: "latin-1 white space", text: "\u00a0ok", want: Atom("ok")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.text)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.text, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %#v, want %#v", tt.text, got, tt.want)
			}
		})
	}
}

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{name: "empty", text: "", want: "etf: 1:1: expected a term, found end of text"},
		{name: "only a comment", text: "% nothing", want: "etf: 1:10: expected a term, found end of text"},
		{name: "stray bracket", text: "]", want: "etf: 1:1: expected a term, found ']'"},
		{name: "variable", text: "{ok, Foo}", want: "etf: 1:6: variable Foo is not a term"},
		{name: "underscore", text: "_", want: "etf: 1:1: variable _ is not a term"},
		{name: "keyword", text: "case", want: "etf: 1:1: keyword case is not an atom; quote it: 'case'"},
		{name: "atom too long", text: strings.Repeat("a", 256), want: "etf: 1:1: atom of 256 characters, longer than 255"},
		{name: "quoted atom not terminated", text: "'abc", want: "etf: 1:1: quoted atom not terminated"},
		{name: "surrogate in atom", text: `'\x{D800}'`, want: `etf: 1:1: atom holds \x{D800}, which is not a Unicode character`},
		{name: "string not terminated", text: "\n  \"abc", want: "etf: 2:3: string not terminated"},
		{name: "bad hex escape", text: `"\xZZ"`, want: `etf: 1:2: invalid escape sequence \xZZ`},
		{name: "hex escape too large", text: `"\x{110000}"`, want: `etf: 1:2: invalid escape sequence \x110000`},
		{name: "hex escape not closed", text: `"\x{41"`, want: "etf: 1:2: escape sequence not finished"},
		{name: "escape at end", text: `"\`, want: "etf: 1:2: escape sequence not finished"},
		{name: "char at end", text: "$", want: "etf: 1:1: character missing after $"},
		{name: "sign alone", text: "-", want: "etf: 1:2: expected a number, found end of text"},
		{name: "sign before atom", text: "-a", want: "etf: 1:2: expected a number, found 'a'"},
		{name: "bad base", text: "37#1", want: "etf: 1:1: base 37 is not between 2 and 36"},
		{name: "no based digits", text: "16#g", want: "etf: 1:4: expected digits of base 16, found 'g'"},
		{name: "float out of range", text: "1.0e400", want: "etf: 1:1: float 1.0e400 is out of range"},
		{name: "float without exponent", text: "1.0e", want: "etf: 1:5: expected the exponent of a float, found end of text"},
		{name: "float without fraction", text: "1.e5", want: "etf: 1:3: unexpected 'e' after the term"},
		{name: "trailing garbage", text: "ok ok", want: "etf: 1:4: unexpected 'o' after the term"},
		{name: "two full stops", text: "ok..", want: "etf: 1:4: unexpected '.' after the term"},
		{name: "list not closed", text: "[1,2", want: "etf: 1:5: expected ',', '|' or ']' in a list, found end of text"},
		{name: "list tail not closed", text: "[1|2,3]", want: "etf: 1:5: expected ']' after the tail of a list, found ','"},
		{name: "list without head", text: "[|a]", want: "etf: 1:2: expected a term, found '|'"},
		{name: "trailing comma", text: "[1,]", want: "etf: 1:4: expected a term, found ']'"},
		{name: "tuple not closed", text: "{a b}", want: "etf: 1:4: expected ',' or '}' in a tuple, found 'b'"},
		{name: "map without arrow", text: "#{a := 1}", want: "etf: 1:5: expected '=>' after a map key, found ':'"},
		{name: "map not closed", text: "#{a => 1", want: "etf: 1:9: expected ',' or '}' in a map, found end of text"},
		{name: "binary not closed", text: "<<1,2", want: "etf: 1:6: expected ',' or '>>' in a binary, found end of text"},
		{name: "atom in binary", text: "<<a>>", want: "etf: 1:3: expected a number, found 'a'"},
		{name: "float in binary", text: "<<1.5>>", want: "etf: 1:3: float segments are not supported in a binary"},
		{name: "segment too large", text: "<<0:1025>>", want: "etf: 1:5: segment size 1025 is over 1024 bits"},
		{name: "segment without size", text: "<<0:>>", want: "etf: 1:5: expected the size of a binary segment, found '>'"},
		{name: "unsupported type", text: "<<1/little>>", want: "etf: 1:5: type specifier little is not supported in a binary"},
		{name: "missing type", text: "<<1/>>", want: "etf: 1:5: expected a type specifier, found '>'"},
		{name: "utf8 with size", text: "<<1:8/utf8>>", want: "etf: 1:11: a utf8 segment takes no size"},
		{name: "utf8 surrogate", text: "<<16#D800/utf8>>", want: "etf: 1:3: 55296 is not a Unicode character for a utf8 segment"},
		{name: "wide char", text: `<<"日">>`, want: "etf: 1:3: character 26085 does not fit in 8 bits; write the string with /utf8"},
		{name: "pid without creation", text: "<a@b.1.2>", want: "etf: 1:2: a pid has 3 to 3 numbers after its node, not 2"},
		{name: "local pid", text: "<0.85.0>", want: "etf: 1:2: expected an atom, found '0'"},
		{name: "pid field too large", text: "<a@b.4294967296.0.0>", want: "etf: 1:1: number 4294967296 is over 32 bits"},
		{name: "pid number too large", text: "<a@b.99999999999999999999.0.0>", want: "etf: 1:6: number 99999999999999999999 is out of range in a pid"},
		{name: "pid not closed", text: "<a@b.1.2.3", want: "etf: 1:11: expected '.' or '>' in a pid, found end of text"},
		{name: "pid missing number", text: "<a@b.>", want: "etf: 1:6: expected a number in a pid, found '>'"},
		{name: "ref of six words", text: "#Ref<a@b.1.2.3.4.5.6.7>", want: "etf: 1:6: a reference has 2 to 6 numbers after its node, not 7"},
		{name: "local fun", text: "#Fun<erl_eval.6.1>", want: "etf: 1:1: a local fun cannot be read back from text"},
		{name: "unknown hash form", text: "#Foo<1>", want: "etf: 1:1: expected a term, found '#'"},
		{name: "export without colon", text: "fun map/2", want: "etf: 1:8: expected ':' after the module of a fun, found '/'"},
		{name: "export without slash", text: "fun m:f", want: "etf: 1:8: expected '/' after the function of a fun, found end of text"},
		{name: "export arity too large", text: "fun m:f/256", want: "etf: 1:9: expected an arity from 0 to 255"},
		{name: "invalid utf-8", text: "'a\xffb'", want: "etf: 1:3: text is not valid UTF-8"},
		{name: "too deep", text: strings.Repeat("[", maxNesting+1), want: "etf: 1:10001: terms nest deeper than 10000 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.text)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error %s", tt.text, got, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse(%q) error\n got: %s\nwant: %s", tt.text, err, tt.want)
			}
		})
	}
}

// textTerms are terms of every kind that has a text form.
func textTerms(t testing.TB) []Term {
	return []Term{
		Atom("ok"), Atom(""), Atom("hello world"), Atom("Elixir.Foo"), Atom("maybe"), Atom("case"),
		Atom("a'b\\c\n\x00\x7f"), Atom("日本\u200b"), Atom("héllo"), Atom(strings.Repeat("x", 255)),
		Int(0), Int(-1), Int(255), Int(math.MaxInt64), Int(math.MinInt64),
		mustBigInt(t, "9223372036854775808"), mustBigInt(t, "-123456789012345678901234567890"),
		Float(0), Float(math.Copysign(0, -1)), Float(0.1), Float(-1e100), Float(5e-324), Float(math.MaxFloat64),
		Binary{}, Binary("hi"), Binary("a\"\\\n\t\x1b"), Binary("日本"), Binary{0, 1, 255}, Binary{0xe9},
		Bitstring{Bytes: []byte{0x20}, Bits: 3}, Bitstring{Bytes: []byte{255, 0xfe}, Bits: 7},
		List{}, List{Int(104), Int(105)}, List{List{}, Tuple{}, Map{}},
		ImproperList{Elems: []Term{Atom("a")}, Tail: Atom("b")},
		ImproperList{Elems: []Term{Atom("alias")}, Tail: Ref{Node: "a@b", Creation: 1, Len: 3, ID: [5]uint32{1, 2, 3}}},
		ImproperList{Elems: []Term{Int(1)}, Tail: Binary("t")},
		Tuple{}, Tuple{Atom("ok"), List{Int(1), Int(2)}},
		Map{}, Map{{Key: Atom("b"), Value: Int(1)}, {Key: Atom("a"), Value: Int(2)}},
		Map{{Key: Map{{Key: Int(1), Value: Float(1)}}, Value: List{}}, {Key: Int(1), Value: Int(2)}, {Key: Float(1), Value: Int(3)}},
		Pid{Node: "creo@127.0.0.1", ID: 85, Serial: 2, Creation: math.MaxUint32},
		Ref{Node: "a@b", Creation: 7, Len: 5, ID: [5]uint32{1, 2, 3, 4, math.MaxUint32}},
		Port{Node: "nonode@nohost", ID: math.MaxUint64, Creation: 0},
		Export{Module: "Elixir.Enum", Function: "map", Arity: 2},
		Raw{97, 1},
	}
}

// TestParseFormat checks that Parse reads back what Format prints, for a
// table of terms and for random ones.
func TestParseFormat(t *testing.T) {
	terms := textTerms(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		terms = append(terms, randomTerm(rng, 4))
	}
	for _, term := range terms {
		text := Format(term)
		got, err := Parse(text)
		if err != nil {
			t.Errorf("Parse(%s): %v", text, err)
			continue
		}
		if !Equal(got, term) {
			t.Errorf("Parse(%s) = %#v, want %#v", text, got, term)
		}
	}
}

// randomTerm returns a random term that has a text form, nested depth
// levels at the most.
func randomTerm(rng *rand.Rand, depth int) Term {
	kind := rng.IntN(14)
	if depth == 0 {
		kind %= 8
	}
	switch kind {
	case 0:
		runes := []rune("aZ_@. '\\\"\né日\x00\u200b")
		var b strings.Builder
		for range rng.IntN(6) {
			b.WriteRune(runes[rng.IntN(len(runes))])
		}
		return Atom(b.String())
	case 1:
		return Int(rng.Int64() >> rng.IntN(64))
	case 2:
		n := new(big.Int).Lsh(big.NewInt(rng.Int64()|1), 64+uint(rng.IntN(100)))
		return BigInt{Value: n.Neg(n)}
	case 3:
		return Float(math.Float64frombits(rng.Uint64()&^(0x7ff<<52) | uint64(rng.IntN(0x7ff))<<52))
	case 4:
		b := make(Binary, rng.IntN(8))
		for i := range b {
			b[i] = "hé\x00\xff\n\"日"[rng.IntN(10)]
		}
		return b
	case 5:
		bits := uint8(1 + rng.IntN(7))
		b := make([]byte, 1+rng.IntN(3))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		b[len(b)-1] &^= 0xff >> bits
		return Bitstring{Bytes: b, Bits: bits}
	case 6:
		return Pid{Node: "n@h", ID: rng.Uint32(), Serial: rng.Uint32(), Creation: rng.Uint32()}
	case 7:
		r := Ref{Node: "n@h", Creation: rng.Uint32(), Len: uint8(1 + rng.IntN(5))}
		for i := range r.Len {
			r.ID[i] = rng.Uint32()
		}
		return r
	case 8, 9:
		l := make(List, rng.IntN(4))
		for i := range l {
			l[i] = randomTerm(rng, depth-1)
		}
		return l
	case 10:
		tail := randomTerm(rng, depth-1)
		switch tail.(type) {
		case List, ImproperList: // [a|[b]] is [a,b], and [a|[b|c]] is [a,b|c]
			tail = Atom("t")
		}
		return ImproperList{Elems: []Term{randomTerm(rng, depth-1)}, Tail: tail}
	case 11:
		tuple := make(Tuple, rng.IntN(4))
		for i := range tuple {
			tuple[i] = randomTerm(rng, depth-1)
		}
		return tuple
	default:
		var m Map
		for range rng.IntN(4) {
			key := randomTerm(rng, depth-1)
			if !slices.ContainsFunc(m, func(p Pair) bool { return Equal(p.Key, key) }) {
				m = append(m, Pair{Key: key, Value: randomTerm(rng, depth-1)})
			}
		}
		return m
	}
}

// FuzzParse checks that whatever Parse reads, Format prints as text that
// Parse reads back to an equal term, and that printing that again gives
// the same text.
func FuzzParse(f *testing.F) {
	for _, term := range textTerms(f) {
		f.Add(Format(term))
	}
	for _, text := range []string{"#{a => 1, a => 2}", `"ab" "c"`, "16#fF_ff", "<<1:3, -1:70>>", "[a|[b|c]]", "% c\n ok ."} {
		f.Add(text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		term, err := Parse(text)
		if err != nil {
			return
		}
		out := Format(term)
		back, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q) = %#v, but its text %s does not parse: %v", text, term, out, err)
		}
		if !Equal(back, term) {
			t.Fatalf("Parse(%q) = %#v, but its text %s parses to %#v", text, term, out, back)
		}
		if again := Format(back); again != out {
			t.Fatalf("Format is not stable: %s, then %s", out, again)
		}
	})
}
