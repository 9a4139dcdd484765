package host

import (
	"context"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// startLoneGlobal starts global on a node that is not distributed: the
// registry works on its own, and every lock is local.
func startLoneGlobal(tb testing.TB) (*Node, *Global) {
	tb.Helper()
	n := testNode(tb)
	g := newGlobal(n, n)
	if _, err := n.Start(g.behaviour(), nil, Options{Name: globalServerName}); err != nil {
		tb.Fatal(err)
	}
	return n, g
}

// TestGlobalWhereisAllocs locks in that a lookup allocates nothing,
// whatever the name's term.
func TestGlobalWhereisAllocs(t *testing.T) {
	n, g := startLoneGlobal(t)
	for _, name := range []etf.Term{
		etf.Atom("srv"),
		etf.Tuple{etf.Atom("srv"), etf.Binary("shard"), etf.Int(42)},
		etf.Atom("unregistered"),
	} {
		if name != etf.Atom("unregistered") {
			pr := startProbe(t, n, nil)
			if ok, err := g.RegisterName(context.Background(), name, pr.pid); !ok || err != nil {
				t.Fatalf("RegisterName = %v, %v", ok, err)
			}
		}
		if allocs := testing.AllocsPerRun(100, func() { g.WhereisName(name) }); allocs != 0 {
			t.Errorf("WhereisName(%v) allocates %v times", name, allocs)
		}
	}
}

// BenchmarkGlobalWhereis compares a global lookup with a local one,
// whereis/1 of a registered name, the baseline: global names are any
// term, looked up by their encoding.
func BenchmarkGlobalWhereis(b *testing.B) {
	n, g := startLoneGlobal(b)
	pr := startProbe(b, n, nil)
	if err := n.Register("srv", pr.pid); err != nil {
		b.Fatal(err)
	}
	names := []struct {
		name string
		term etf.Term
	}{
		{"atom", etf.Atom("srv")},
		{"tuple", etf.Tuple{etf.Atom("srv"), etf.Binary("shard"), etf.Int(42)}},
	}
	for _, nm := range names {
		other := startProbe(b, n, nil)
		if ok, err := g.RegisterName(context.Background(), nm.term, other.pid); !ok || err != nil {
			b.Fatalf("RegisterName = %v, %v", ok, err)
		}
	}
	b.Run("local whereis (baseline)", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := n.Whereis("srv"); !ok {
				b.Fatal("not found")
			}
		}
	})
	for _, nm := range names {
		b.Run("global "+nm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := g.WhereisName(nm.term); !ok {
					b.Fatal("not found")
				}
			}
		})
	}
}

// BenchmarkGlobalRegister measures a registration and its undoing on a
// node on its own: trans_all_known's lock, the request and the unlock,
// each a call to the local name server.
func BenchmarkGlobalRegister(b *testing.B) {
	n, g := startLoneGlobal(b)
	pr := startProbe(b, n, nil)
	ctx := context.Background()
	name := etf.Atom("srv")
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := g.RegisterName(ctx, name, pr.pid); !ok || err != nil {
			b.Fatalf("RegisterName = %v, %v", ok, err)
		}
		if err := g.UnregisterName(ctx, name); err != nil {
			b.Fatal(err)
		}
	}
}
