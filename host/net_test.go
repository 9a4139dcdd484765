package host

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// Tests of two creo nodes talking over loopback, with an embedded EPMD:
// the connection table and the mapping of signals to control messages,
// without erl.

func TestFirstSendConnects(t *testing.T) {
	addr := testEPMD(t)
	a, b := startNet(t, addr), startNet(t, addr)
	pr := startProbe(t, b, nil)
	if err := b.Register("inbox", pr.pid); err != nil {
		t.Fatal(err)
	}
	const count = 1000
	sender := startProbe(t, a, nil)
	for i := range count {
		if err := a.process(sender.pid).Send(etf.Tuple{etf.Atom("inbox"), b.Name()}, etf.Int(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range count {
		pr.expect(t, etf.Int(i))
	}
	if got := a.Nodes(); !slices.Equal(got, []etf.Atom{b.Name()}) {
		t.Errorf("a.Nodes() = %v, want [%s]", got, b.Name())
	}
	if got := b.Nodes(); !slices.Equal(got, []etf.Atom{a.Name()}) {
		t.Errorf("b.Nodes() = %v, want [%s]", got, a.Name())
	}
}

func TestCallAcrossNodes(t *testing.T) {
	addr := testEPMD(t)
	a, b := startNet(t, addr), startNet(t, addr)
	pid, err := b.Start(echo(), nil, Options{Name: "echo"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		to   etf.Term
		want etf.Term
		err  error
	}{
		{name: "by name", to: etf.Tuple{etf.Atom("echo"), b.Name()}, want: etf.Atom("hello")},
		{name: "by pid", to: pid, want: etf.Atom("hello")},
		{name: "unregistered name", to: etf.Tuple{etf.Atom("nosuch"), b.Name()}, err: ErrNoproc},
		{name: "net_kernel", to: etf.Tuple{etf.Atom("net_kernel"), b.Name()}, want: etf.Atom("yes")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := etf.Term(etf.Atom("hello"))
			if tt.name == "net_kernel" {
				req = etf.Tuple{etf.Atom("is_auth"), a.Name()}
			}
			got, err := a.Call(ctx(t), tt.to, req, Infinity)
			if !errors.Is(err, tt.err) || tt.err == nil && !etf.Equal(got, tt.want) {
				t.Fatalf("Call = %v, %v; want %v, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestConnect(t *testing.T) {
	addr := testEPMD(t)
	a, b := startNet(t, addr), startNet(t, addr)
	if err := a.Connect(ctx(t), b.Name()); err != nil {
		t.Fatal(err)
	}
	if err := a.Connect(ctx(t), "nosuch@127.0.0.1"); err == nil {
		t.Fatal("connected to a node that does not exist")
	}
	if err := NewNode(Config{}).Connect(context.Background(), b.Name()); !errors.Is(err, ErrNotDistributed) {
		t.Fatalf("an offline node's Connect = %v", err)
	}
}
