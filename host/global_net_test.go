package host

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

// syncWait bounds how long a test waits for global to converge: lockers
// first try after up to 3 s, and the machine is small and shared.
const syncWait = 60 * time.Second

// eventually waits until cond holds, and fails the test with what
// otherwise.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(syncWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", syncWait, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// syncGlobal runs Sync on n, bounded by syncWait.
func syncGlobal(t testing.TB, n *Node) {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), syncWait)
	defer cancel()
	if err := n.Global().Sync(c); err != nil {
		t.Fatalf("%s: Sync: %v", n.Name(), err)
	}
}

// TestGlobalBetweenCreoNodes runs global between creo nodes over real
// connections, where both sides' lockers try on their own: two nodes
// sync, a name registered on one is found on the other, a third node
// joining through one of them learns the name and is connected to the
// other, and the name goes everywhere when its process ends.
func TestGlobalBetweenCreoNodes(t *testing.T) {
	epmdAddr := testEPMD(t)
	a, b, c := startNet(t, epmdAddr), startNet(t, epmdAddr), startNet(t, epmdAddr)
	if a.Global() == nil {
		t.Fatal("a visible node runs no global")
	}
	bg := context.Background()
	if err := b.Connect(bg, a.Name()); err != nil {
		t.Fatal(err)
	}
	syncGlobal(t, a)
	syncGlobal(t, b)

	pid, err := a.Start(echo(), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	name := etf.Tuple{etf.Atom("srv"), etf.Int(1)}
	if ok, err := a.Global().RegisterName(bg, name, pid); !ok || err != nil {
		t.Fatalf("RegisterName = %v, %v", ok, err)
	}
	if got, ok := b.Global().WhereisName(name); !ok || got != pid {
		t.Fatalf("whereis on b = %v, %v; want %v", got, ok, pid)
	}
	reply, err := b.Call(bg, pid, etf.Atom("ping"), 10*time.Second)
	if err != nil || decoded(reply) != etf.Atom("ping") {
		t.Fatalf("call through the global name = %v, %v", reply, err)
	}

	if err := c.Connect(bg, b.Name()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "c is not connected to a", func() bool { return slices.Contains(c.Nodes(), a.Name()) })
	syncGlobal(t, c)
	syncGlobal(t, a)
	eventually(t, "c does not know the name", func() bool {
		got, ok := c.Global().WhereisName(name)
		return ok && got == pid
	})

	kill(t, a, pid)
	for _, n := range []*Node{a, b, c} {
		eventually(t, string(n.Name())+" still knows the name", func() bool {
			_, ok := n.Global().WhereisName(name)
			return !ok
		})
	}
}

// TestGlobalHiddenNode checks that a hidden node runs no global.
func TestGlobalHiddenNode(t *testing.T) {
	n := startNet(t, testEPMD(t), func(cfg *NetConfig) { cfg.Hidden = true })
	if n.Global() != nil {
		t.Fatal("a hidden node runs global")
	}
	if _, ok := n.Whereis(globalServerName); ok {
		t.Fatal("global_name_server is registered on a hidden node")
	}
}
