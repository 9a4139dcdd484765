package etf

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/creo-dev/creo/internal/erltest"
)

// TestParseErlText checks that Parse reads what erl prints, with ~p and
// ~w, as the term erl encodes with term_to_binary.
func TestParseErlText(t *testing.T) {
	erltest.Erl(t)
	terms := `[ok, 'hello world', 'Elixir.Foo', '', 'maybe', 'a\'b\n', '日本', héllo,
		0, 42, -5, 1 bsl 100, -(1 bsl 64), 16#ff, $a,
		1.5, 0.1, 1.0e100, -0.0, 1.0e-300, 123456789.0, 1/3,
		<<>>, <<"hi">>, <<1,2,3>>, <<1:3>>, <<255,1:2>>, <<"héllo"/utf8>>, <<"é">>, <<"a\tb\e">>, <<0:100>>,
		[], [1,2], "hi", "héllo", "日本", [a|b], [1,2|<<"t">>], [[]|[]],
		{}, {ok,[1,2]}, {{{}}},
		#{}, #{a => 1, "s" => <<"b">>, 1.0 => x, 1 => y}, #{#{} => [], [a] => {b}},
		fun lists:map/2, fun 'Elixir.Enum':map/2,
		lists:seq(1, 300), list_to_tuple(lists:seq(1, 40))]`
	src := `io:setopts([{encoding, unicode}]),
		[io:format("~s\t~ts\t~ts~n", [binary:encode_hex(term_to_binary(T)), io_lib:format("~0tp", [T]), io_lib:format("~tw", [T])])
		 || T <- ` + terms + `], halt().`
	out := erltest.Eval(t, src, 60*time.Second)
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		fields := strings.Split(line, "\t")
		if len(fields) != 3 {
			t.Fatalf("erl printed %q", line)
		}
		data, err := hex.DecodeString(fields[0])
		if err != nil {
			t.Fatal(err)
		}
		want, err := Decode(data)
		if err != nil {
			t.Fatalf("Decode(%s): %v", fields[0], err)
		}
		for _, text := range fields[1:] {
			got, err := Parse(text)
			if err != nil {
				t.Errorf("Parse(%s): %v", text, err)
				continue
			}
			if !Equal(got, want) {
				t.Errorf("Parse(%s) = %s, want %s", text, got, want)
			}
		}
	}
}
