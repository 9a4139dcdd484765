package erltest

import (
	"fmt"
	"testing"
)

func TestNodeEval(t *testing.T) {
	epmd := Epmd(t)
	tests := []struct {
		name   string
		elixir bool
		code   []string
		want   string
	}{
		{name: "erl", code: []string{"X = 20 + 1.", "{node(), X * 2}."}, want: "{'%s',42}"},
		{name: "elixir", elixir: true, code: []string{"x = 20 + 1", "{node(), x * 2}"}, want: "{:\"%s\", 42}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := StartNode(t, NodeConfig{Cookie: "c", Epmd: epmd, Elixir: tt.elixir})
			var got string
			for _, code := range tt.code {
				got = n.Eval(t, code)
			}
			if want := fmt.Sprintf(tt.want, n.Name); got != want {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}
}
