package etf

import (
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/creo-dev/creo/internal/erltest"
)

// TestMarshalLikeErl checks Marshal and Format against erl: erl reads the
// text Format prints with erl_parse, and the term it gets must be the one
// Marshal encodes, and encode, with term_to_binary, to the same bytes.
func TestMarshalLikeErl(t *testing.T) {
	erltest.Erl(t)
	values := []any{
		user{Name: "bob", UserID: 1 << 63, Tags: []string{"a", "é"}, Address: &address{Street: "x", Zip: 7}, Admin: true},
		add{K: "k", V: -1},
		map[string]any{"b": 1.5, "a": []any{nil, true, "x"}, "c": map[int]bool{3: true, 1: false, 2: true}},
		map[any]int{1: 1, 1.0: 2, "a": 3, Atom("a"): 4, [2]int{}: 5, false: 6},
		[]byte{0, 255}, [3]uint8{1, 2, 3}, "héllo", *new(big.Int).Lsh(big.NewInt(-1), 200), uint64(1 << 63),
		[]float64{0.1, 1e100, -2.5e-300, 123456789}, List{Int(104), Int(105)},
		ImproperList{Elems: []Term{Atom("a")}, Tail: Binary("b")}, Bitstring{Bytes: []byte{255, 0x40}, Bits: 2},
		Export{Module: "Elixir.Enum", Function: "map", Arity: 2}, Atom("日本"), Atom("maybe"),
	}
	var lines []string
	for _, v := range values {
		data, err := Marshal(v)
		if err != nil {
			t.Fatalf("Marshal(%#v): %v", v, err)
		}
		term, _ := ToTerm(v)
		lines = append(lines, fmt.Sprintf(`{<<"%X">>, <<"%X">>}`, data, Format(term)))
	}
	src := `[begin
			Bytes = binary:decode_hex(B),
			{ok, Tokens, _} = erl_scan:string(unicode:characters_to_list(binary:decode_hex(Text))),
			{ok, T} = erl_parse:parse_term(Tokens ++ [{dot, 1}]),
			io:format("~s ~s~n", [binary_to_term(Bytes) =:= T, term_to_binary(T, [{minor_version, 2}]) =:= Bytes])
		end || {B, Text} <- [` + strings.Join(lines, ",") + `]], halt().`
	out := strings.Split(strings.TrimSuffix(string(erltest.Eval(t, src, 60*time.Second)), "\n"), "\n")
	if len(out) != len(values) {
		t.Fatalf("erl printed %d lines for %d values: %s", len(out), len(values), out)
	}
	for i, v := range values {
		term, _ := ToTerm(v)
		switch out[i] {
		case "true true":
		case "true false":
			t.Errorf("Marshal(%#v) is the term erl reads from %s, but not its term_to_binary", v, Format(term))
		default:
			t.Errorf("erl reads %s as another term than Marshal(%#v) encodes", Format(term), v)
		}
	}
}
