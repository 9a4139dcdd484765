package etf

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/creo-dev/creo/internal/erltest"
)

// formatsLikeErl runs erl on the Erlang expression list, prints its
// elements with ~tw, and checks that Format prints terms, the same values
// in Go, the same way.
func formatsLikeErl(t *testing.T, list string, terms []Term) {
	t.Helper()
	src := "io:setopts([{encoding, unicode}]), " +
		"[io:format(\"~ts~n\", [io_lib:format(\"~tw\", [T])]) || T <- " + list + "], halt()."
	out := erltest.Eval(t, src, 60*time.Second)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(terms) {
		t.Fatalf("erl printed %d lines for %d terms", len(lines), len(terms))
	}
	for i, term := range terms {
		if got := Format(term); got != lines[i] {
			t.Errorf("Format(%#v) = %s, erl prints %s", term, got, lines[i])
		}
	}
}

// TestFormatFloatLikeErl checks that floats print exactly as erl prints
// them, for random bit patterns and for short decimals, where the choice
// between fixed and scientific notation matters most.
func TestFormatFloatLikeErl(t *testing.T) {
	erltest.Erl(t)
	rng := rand.New(rand.NewPCG(1, 2))
	var floats []float64
	for len(floats) < 2000 {
		f := math.Float64frombits(rng.Uint64())
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			floats = append(floats, f)
		}
	}
	for range 2000 {
		digits := rng.Int64N(1_000_000_000) >> rng.IntN(30)
		floats = append(floats, float64(digits)*math.Pow10(rng.IntN(50)-25))
	}
	for e := -60; e <= 60; e++ {
		floats = append(floats, math.Ldexp(1, e), math.Ldexp(3, e)-1, math.Pow10(e))
	}
	bits := make([]string, len(floats))
	terms := make([]Term, len(floats))
	for i, f := range floats {
		bits[i] = fmt.Sprint(math.Float64bits(f))
		terms[i] = Float(f)
	}
	formatsLikeErl(t, "[F || B <- ["+strings.Join(bits, ",")+"], <<F:64/float>> <= <<B:64>>]", terms)
}

// TestFormatAtomLikeErl checks that atoms are quoted and escaped as erl
// does it. Format differs on purpose for the keywords erl 25 does not quote
// yet (maybe, else) and for characters that do not print, such as U+00A0 and
// U+200B, which erl writes raw and Format escapes; TestFormat covers those.
func TestFormatAtomLikeErl(t *testing.T) {
	erltest.Erl(t)
	atoms := []string{
		"hello", "hello world", "Elixir.Foo", "foo@bar", "a.b", "", "héllo", "Ñu", "ñu",
		"日本", "case", "a\nb", "a\\b", "a\x7fb", "foo_Bar1", "_x", "X", "a'b", "\t", "ÿ",
		"ß", "x÷", "×x", "a\x00b", "a\u0080", "a\u00a1", "ok", "nil", "true", "a1", "1a",
		"a\x1b", "\"", "a-b", "A@b", "aÀ", "andalso", "fun", "end", "of", "when",
	}
	codes := make([]string, len(atoms))
	terms := make([]Term, len(atoms))
	for i, a := range atoms {
		var cs []string
		for _, r := range a {
			cs = append(cs, fmt.Sprint(r))
		}
		codes[i] = "[" + strings.Join(cs, ",") + "]"
		terms[i] = Atom(a)
	}
	formatsLikeErl(t, "[list_to_atom(L) || L <- ["+strings.Join(codes, ",")+"]]", terms)
}
