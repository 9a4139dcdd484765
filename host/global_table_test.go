package host

import (
	"testing"

	"github.com/creo-dev/creo/etf"
)

func TestTermKey(t *testing.T) {
	m := func(pairs ...etf.Term) etf.Map {
		out := make(etf.Map, 0, len(pairs)/2)
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, etf.Pair{Key: pairs[i], Value: pairs[i+1]})
		}
		return out
	}
	a, b := etf.Atom("a"), etf.Atom("b")
	for _, tt := range []struct {
		name string
		x, y etf.Term
		same bool
	}{
		{name: "equal atoms", x: a, y: a, same: true},
		{name: "an atom and a binary of its text", x: a, y: etf.Binary("a")},
		{name: "a term and its encoding", x: etf.Tuple{a, etf.Int(1)}, y: etf.Raw{104, 2, 119, 1, 'a', 97, 1}, same: true},
		{name: "maps with their pairs in another order", x: m(a, etf.Int(1), b, etf.Int(2)), y: m(b, etf.Int(2), a, etf.Int(1)), same: true},
		{name: "maps nested in tuples and lists", x: etf.Tuple{etf.List{m(a, a, b, b)}}, y: etf.Tuple{etf.List{m(b, b, a, a)}}, same: true},
		{name: "map keys 1 and 1.0 in either order", x: m(etf.Int(1), a, etf.Float(1), b), y: m(etf.Float(1), b, etf.Int(1), a), same: true},
		{name: "maps with other values", x: m(a, etf.Int(1)), y: m(a, etf.Int(2))},
		{name: "1 and 1.0", x: etf.Int(1), y: etf.Float(1)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			kx, ky := termKey(tt.x), termKey(tt.y)
			if kx == "" || ky == "" {
				t.Fatal("a valid term has the empty key")
			}
			if (kx == ky) != tt.same {
				t.Fatalf("termKey(%v) == termKey(%v) is %v, want %v", tt.x, tt.y, kx == ky, tt.same)
			}
		})
	}
}
