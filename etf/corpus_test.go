package etf

import (
	"bytes"
	"flag"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/creo-dev/creo/internal/erltest"
)

var update = flag.Bool("update", false, "regenerate the golden files of testdata/corpus with erl")

// The golden corpus: terms erl encoded, written by testdata/corpus.escript.
const (
	corpusDir    = "testdata/corpus"
	corpusScript = "testdata/corpus.escript"
	escriptTime  = 2 * time.Minute // erl starts slowly on a busy machine
)

// corpusCase is one term of the corpus, in each encoding erl gave it.
type corpusCase struct {
	name     string
	variants map[string][]byte // m0, m1, m2 (minor versions) and z (compressed)
}

// readCorpus reads the cases of a corpus directory, sorted by name.
func readCorpus(t *testing.T, dir string) []corpusCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.etf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in %s: %v", dir, err)
	}
	byName := map[string]*corpusCase{}
	var cases []corpusCase
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".etf")
		name, variant, ok := strings.Cut(base, ".")
		if !ok || strings.Contains(variant, ".") {
			continue // not an erl original, such as Name.m1.go.etf
		}
		data := readTestFile(t, f)
		c := byName[name]
		if c == nil {
			cases = append(cases, corpusCase{name: name, variants: map[string][]byte{}})
			c = &cases[len(cases)-1]
			byName[name] = c
		}
		c.variants[variant] = data
	}
	return cases
}

// TestCorpus decodes every term erl encoded in every variant, and checks
// that all decode to one term, which Encode writes byte for byte as
// term_to_binary(T, [{minor_version, 2}]) does, and whose comparisons with
// the others agree with erl's.
func TestCorpus(t *testing.T) {
	if *update {
		if err := os.RemoveAll(corpusDir); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(corpusDir, 0o755); err != nil {
			t.Fatal(err)
		}
		erltest.Escript(t, escriptTime, corpusScript, "gen", corpusDir)
	}
	checkCorpus(t, corpusDir)
}

// checkCorpus checks the corpus in dir as TestCorpus describes, and returns
// the terms by name.
func checkCorpus(t *testing.T, dir string) map[string]Term {
	terms := map[string]Term{}
	for _, c := range readCorpus(t, dir) {
		t.Run(c.name, func(t *testing.T) {
			want, err := Decode(c.variants["m1"])
			if err != nil {
				t.Fatalf("Decode m1: %v", err)
			}
			terms[c.name] = want
			for _, v := range []string{"m0", "m2", "z"} {
				got, err := Decode(c.variants[v])
				if err != nil {
					t.Fatalf("Decode %s: %v", v, err)
				}
				if !Equal(got, want) {
					t.Errorf("%s decodes to %v, m1 to %v", v, got, want)
				}
			}
			enc, err := Encode(want)
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if m2 := c.variants["m2"]; !bytes.Equal(enc, m2) {
				t.Errorf("Encode differs from minor_version 2 at byte %d of %d",
					commonPrefix(enc, m2), len(m2))
			}
			for v, data := range c.variants {
				if n, err := SkipTerm(data[1:]); err != nil || n != len(data)-1 {
					t.Errorf("SkipTerm %s = %d, %v; want %d", v, n, err, len(data)-1)
				}
			}
		})
	}
	checkOrder(t, dir, terms)
	return terms
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// checkOrder checks Compare and Equal on every pair of terms against the
// order and =:= that erl wrote in dir/order.txt.
func checkOrder(t *testing.T, dir string, terms map[string]Term) {
	t.Helper()
	data := readTestFile(t, filepath.Join(dir, "order.txt"))
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	names := strings.Fields(lines[0])
	if len(lines) != 1+2*len(names) {
		t.Fatalf("order.txt has %d lines for %d names", len(lines), len(names))
	}
	order, exact := lines[1:1+len(names)], lines[1+len(names):]
	failures := 0
	for i, a := range names {
		for j, b := range names {
			ta, tb := terms[a], terms[b]
			if ta == nil || tb == nil {
				t.Fatalf("order.txt names %s or %s, which did not decode", a, b)
			}
			if got, want := "<=>"[Compare(ta, tb)+1], order[i][j]; got != want {
				t.Errorf("Compare(%s, %s) is %c, erl says %c", a, b, got, want)
				failures++
			}
			want := exact[i][j] == '1'
			if isZeroPair(ta, tb) {
				want = false // erl 25 holds 0.0 =:= -0.0; OTP 27 does not, nor Equal
			}
			if got := Equal(ta, tb); got != want {
				t.Errorf("Equal(%s, %s) = %v, erl says %v", a, b, got, want)
				failures++
			}
			if failures > 20 {
				t.Fatal("too many failures")
			}
		}
	}
}

// isZeroPair reports whether a and b are 0.0 and -0.0.
func isZeroPair(a, b Term) bool {
	fa, okA := a.(Float)
	fb, okB := b.(Float)
	return okA && okB && fa == 0 && fb == 0 && math.Signbit(float64(fa)) != math.Signbit(float64(fb))
}

// TestErlInterop runs erl both ways. erl encodes the whole corpus, big terms
// included; Go decodes and encodes each encoding again, and erl checks that
// it reads back a term =:= to its original. Then Go encodes terms built in
// Go, and erl reads them and encodes them again for Go to compare.
func TestErlInterop(t *testing.T) {
	erltest.Erl(t)
	dir := t.TempDir()
	erltest.Escript(t, escriptTime, corpusScript, "gen", dir, "all")
	terms := checkCorpus(t, dir)
	if len(terms) == 0 {
		t.Fatal("erl wrote no corpus")
	}

	// erl → Go → erl
	var want []string
	for _, c := range readCorpus(t, dir) {
		for v, data := range c.variants {
			term, err := Decode(data)
			if err != nil {
				t.Fatalf("Decode %s.%s: %v", c.name, v, err)
			}
			enc, err := Encode(term)
			if err != nil {
				t.Fatalf("Encode %s.%s: %v", c.name, v, err)
			}
			name := c.name + "." + v
			writeFile(t, filepath.Join(dir, name+".go.etf"), enc)
			want = append(want, name)
		}
	}
	slices.Sort(want)
	got := strings.Fields(string(erltest.Escript(t, escriptTime, corpusScript, "same", dir)))
	if !slices.Equal(got, want) {
		t.Errorf("erl read back Go's encodings as:\n%s\nwant every one equal:\n%s", got, want)
	}

	// Go → erl → Go
	out := t.TempDir()
	for _, c := range goCorpus {
		enc, err := Encode(c.term)
		if err != nil {
			t.Fatalf("Encode %s: %v", c.name, err)
		}
		writeFile(t, filepath.Join(out, c.name+".go.etf"), enc)
	}
	erltest.Escript(t, escriptTime, corpusScript, "echo", out)
	for _, c := range goCorpus {
		t.Run(c.name, func(t *testing.T) {
			if reason, err := os.ReadFile(filepath.Join(out, c.name+".error")); err == nil {
				t.Fatalf("erl cannot decode it: %s", reason)
			}
			back, err := os.ReadFile(filepath.Join(out, c.name+".erl.etf"))
			if err != nil {
				t.Fatal(err)
			}
			term, err := Decode(back)
			if err != nil {
				t.Fatalf("Decode erl's encoding: %v", err)
			}
			if !Equal(term, c.term) {
				t.Fatalf("erl read %v, want %v", term, c.term)
			}
			// erl writes maps in its own order; everything else must come
			// back byte for byte.
			if enc, _ := Encode(c.term); !c.hasMap && !bytes.Equal(back, enc) {
				t.Errorf("erl encodes it differently from byte %d", commonPrefix(back, enc))
			}
		})
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// goCorpus are terms built in Go, for erl to decode.
var goCorpus = []struct {
	name   string
	term   Term
	hasMap bool
}{
	{name: "atoms", term: List{Atom(""), Atom("ok"), Atom("with space"), Atom("héllo"), Atom(strings.Repeat("日", 255))}},
	{name: "integers", term: List{Int(0), Int(255), Int(256), Int(-1), Int(math.MaxInt32), Int(math.MinInt32),
		Int(math.MaxInt32 + 1), Int(math.MinInt32 - 1), Int(math.MaxInt64), Int(math.MinInt64)}},
	{name: "big_integers", term: List{bigInt("0x10000000000000000"), bigInt("-0x10000000000000000"),
		bigInt("0x8000000000000000"), BigInt{new(big.Int).Lsh(big.NewInt(1), 2048)}, BigInt{big.NewInt(5)}}},
	{name: "floats", term: List{Float(0), Float(math.Copysign(0, -1)), Float(1.5), Float(math.MaxFloat64),
		Float(math.SmallestNonzeroFloat64), Float(-1e-310)}},
	{name: "binaries", term: Tuple{Binary{}, Binary("abc"), Binary(bytes.Repeat([]byte{0xfe}, 1000))}},
	{name: "bitstrings", term: Tuple{Bitstring{Bytes: []byte{0x80}, Bits: 1}, Bitstring{Bytes: []byte{1, 0xfe}, Bits: 7},
		Bitstring{Bytes: []byte{0xff}, Bits: 3}}},
	{name: "lists", term: List{List(nil), List{Int(1), Int(2)}, List{Atom("a"), Float(1)}, List{List{List(nil)}}}},
	{name: "long_lists", term: Tuple{List(make256Ints(maxStringLen)), List(make256Ints(maxStringLen + 1))}},
	{name: "improper_lists", term: List{ImproperList{Elems: []Term{Atom("a")}, Tail: Atom("b")},
		ImproperList{Elems: []Term{Int(1), Int(2)}, Tail: Binary("t")}}},
	{name: "tuples", term: Tuple{Tuple{}, Tuple{Tuple{}}, Tuple(make256(Atom("x")))}},
	{name: "maps", hasMap: true, term: Map{
		{Key: Atom("z"), Value: Int(1)},
		{Key: Int(1), Value: Atom("int")},
		{Key: Float(1), Value: Atom("float")},
		{Key: Map{{Key: Atom("k"), Value: Atom("v")}}, Value: Atom("map")},
		{Key: List{Int(1)}, Value: Atom("list")},
		{Key: Tuple{}, Value: Map{}},
	}},
	{name: "identifiers", term: Tuple{
		Pid{Node: "x@y", ID: math.MaxUint32, Serial: math.MaxUint32, Creation: math.MaxUint32},
		Pid{Node: "nonode@nohost", ID: 80, Creation: 0},
		Ref{Node: "x@y", Creation: 5, Len: 5, ID: [5]uint32{1, 2, 3, 4, math.MaxUint32}},
		Ref{Node: "x@y", Creation: 5, Len: 1, ID: [5]uint32{7}},
		Port{Node: "x@y", ID: maxPortV3, Creation: 1},
		Port{Node: "x@y", ID: math.MaxUint64, Creation: 1},
	}},
	{name: "export", term: Export{Module: "lists", Function: "map", Arity: 2}},
	{name: "raw", term: Tuple{Raw{106}, Raw{104, 1, 97, 5}}},
	{name: "gen_call_reply", term: Tuple{ImproperList{Elems: []Term{Atom("alias")},
		Tail: Ref{Node: "x@y", Creation: 5, Len: 3, ID: [5]uint32{1, 2, 3}}}, Atom("ok")}},
	{name: "deep", term: nested(100000)},
}

func make256Ints(n int) []Term {
	ts := make([]Term, n)
	for i := range ts {
		ts[i] = Int(i % 256)
	}
	return ts
}

// nested returns {{...{x}...}} with depth tuples.
func nested(depth int) Term {
	var t Term = Atom("x")
	for range depth {
		t = Tuple{t}
	}
	return t
}

func readTestFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
