package host

import (
	"context"
	"fmt"
	"testing"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/erltest"
)

// Interop tests of global: a creo node and real Elixir nodes on
// 127.0.0.1, registered with a private epmd.

// exSync is Elixir code that runs :global.sync() and gives up after 60 s:
// it yields {:ok, :ok} when sync returned, nil when it hung.
const exSync = `(t = Task.async(fn -> :global.sync() end); Task.yield(t, 60_000) || Task.shutdown(t, :brutal_kill))`

// exUntil returns Elixir code that waits, for at most 30 s, until cond
// holds; it yields :ok, or :timeout.
func exUntil(cond string) string {
	return `Enum.find_value(1..600, :timeout, fn _ -> if ` + cond + `, do: :ok, else: (Process.sleep(50); nil) end)`
}

// exGone returns Elixir code that waits until the global name is not
// registered.
func exGone(name string) string { return exUntil(":global.whereis_name(" + name + ") == :undefined") }

// startElixirs starts count Elixir nodes registered with the EPMD at
// epmdAddr, all at once, and waits until they run.
func startElixirs(t *testing.T, epmdAddr string, count int) []*erltest.Node {
	t.Helper()
	nodes := make([]*erltest.Node, count)
	for i := range nodes {
		nodes[i] = erltest.StartNode(t, erltest.NodeConfig{Cookie: testCookie, Epmd: epmdAddr, Elixir: true})
	}
	for _, n := range nodes {
		n.WaitUp(t)
	}
	return nodes
}

// exAtom returns a as an Elixir atom literal.
func exAtom(a etf.Atom) string { return fmt.Sprintf(":%q", string(a)) }

// expectEval evaluates code on n and checks that it gives want.
func expectEval(t *testing.T, n *erltest.Node, code, want string) {
	t.Helper()
	if got := n.Eval(t, code); got != want {
		t.Fatalf("%s: %s = %s, want %s", n.Name, code, got, want)
	}
}

// TestGlobalInteropCreoJoinsCluster has creo join a cluster of two Elixir
// nodes, A and B, that have synced already, by dialling A: :global.sync()
// returns on both (B is never told by a session, only by creo's in_sync,
// reference/erlang-global.md §3 step 9), and names registered on either
// side are found on the other, used, and go with their processes.
func TestGlobalInteropCreoJoinsCluster(t *testing.T) {
	erltest.Elixir(t)
	epmdAddr := erltest.Epmd(t)
	creo := startNet(t, epmdAddr)
	ex := startElixirs(t, epmdAddr, 2)
	a, b := ex[0], ex[1]
	bg := context.Background()

	expectEval(t, a, "Node.connect("+exAtom(etf.Atom(b.Name))+")", "true")
	expectEval(t, a, exSync, "{:ok, :ok}")
	expectEval(t, b, exSync, "{:ok, :ok}")
	expectEval(t, a, "(pid = spawn(fn -> Process.sleep(:infinity) end); :global.register_name(:from_a, pid))", ":yes")

	if err := creo.Connect(bg, etf.Atom(a.Name)); err != nil {
		t.Fatal(err)
	}
	t.Run("sync returns on every node", func(t *testing.T) {
		expectEval(t, a, exSync, "{:ok, :ok}")
		// A tells B of creo; B connects, and counts creo in sync only
		// once creo says so.
		expectEval(t, b, exUntil("Enum.member?(Node.list(), "+exAtom(creo.Name())+")"), ":ok")
		expectEval(t, b, exSync, "{:ok, :ok}")
		syncGlobal(t, creo)
	})
	t.Run("a name of A is found on creo and B", func(t *testing.T) {
		pid, ok := creo.Global().WhereisName(etf.Atom("from_a"))
		if !ok || pid.Node != etf.Atom(a.Name) {
			t.Fatalf("whereis from_a = %v, %v", pid, ok)
		}
		expectEval(t, b, ":global.whereis_name(:from_a) |> node()", exAtom(etf.Atom(a.Name)))
		expectEval(t, b, "(pid = spawn(fn -> Process.sleep(:infinity) end); :global.register_name(:from_b, pid))", ":yes")
		if pid, ok := creo.Global().WhereisName(etf.Atom("from_b")); !ok || pid.Node != etf.Atom(b.Name) {
			t.Fatalf("whereis from_b = %v, %v", pid, ok)
		}
	})

	srv, err := creo.Start(echo(), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pr := startProbe(t, creo, nil)
	for name, pid := range map[etf.Atom]etf.Pid{"creo_srv": srv, "creo_probe": pr.pid} {
		if ok, err := creo.Global().RegisterName(bg, name, pid); !ok || err != nil {
			t.Fatalf("RegisterName %v = %v, %v", name, ok, err)
		}
	}
	t.Run("creo's names are found from Elixir", func(t *testing.T) {
		expectEval(t, b, ":global.whereis_name(:creo_srv) |> node()", exAtom(creo.Name()))
		expectEval(t, a, "GenServer.call({:global, :creo_srv}, :ping)", ":ping")
		expectEval(t, b, ":global.send(:creo_probe, :hello) |> node()", exAtom(creo.Name()))
		pr.expect(t, etf.Atom("hello"))
	})
	t.Run("a creo pid registered by B", func(t *testing.T) {
		other := startProbe(t, creo, nil)
		expectEval(t, b, "Process.register(self(), :repl)", "true")
		if err := creo.Send(etf.Tuple{etf.Atom("repl"), etf.Atom(b.Name)}, other.pid); err != nil {
			t.Fatal(err)
		}
		expectEval(t, b, "receive do p -> :global.register_name(:by_b, p) end", ":yes")
		if pid, ok := creo.Global().WhereisName(etf.Atom("by_b")); !ok || pid != other.pid {
			t.Fatalf("whereis by_b on creo = %v, %v; want %v", pid, ok, other.pid)
		}
		expectEval(t, a, ":global.whereis_name(:by_b) |> node()", exAtom(creo.Name()))
		kill(t, creo, other.pid)
		expectEval(t, b, exGone(":by_b"), ":ok")
	})
	t.Run("a name goes when its creo process ends", func(t *testing.T) {
		kill(t, creo, srv)
		expectEval(t, a, exGone(":creo_srv"), ":ok")
		expectEval(t, b, exGone(":creo_srv"), ":ok")
	})
}

// TestGlobalInteropConnect checks that creo and an Elixir node sync
// whichever side dials, and when both dial at once, and that names then
// go both ways.
func TestGlobalInteropConnect(t *testing.T) {
	erltest.Elixir(t)
	for _, tt := range []struct {
		name              string
		creoDials, exDial bool
	}{
		{name: "creo dials", creoDials: true},
		{name: "Elixir dials", exDial: true},
		{name: "both dial at once", creoDials: true, exDial: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			epmdAddr := erltest.Epmd(t)
			creo := startNet(t, epmdAddr)
			a := startElixirs(t, epmdAddr, 1)[0]
			dialed := make(chan error, 1)
			if tt.creoDials {
				go func() { dialed <- creo.Connect(context.Background(), etf.Atom(a.Name)) }()
			}
			if tt.exDial {
				expectEval(t, a, "Node.connect("+exAtom(creo.Name())+")", "true")
			}
			if tt.creoDials {
				if err := <-dialed; err != nil {
					t.Fatal(err)
				}
			}
			expectEval(t, a, exSync, "{:ok, :ok}")
			syncGlobal(t, creo)

			expectEval(t, a, "(pid = spawn(fn -> Process.sleep(:infinity) end); :global.register_name(:from_a, pid))", ":yes")
			if pid, ok := creo.Global().WhereisName(etf.Atom("from_a")); !ok || pid.Node != etf.Atom(a.Name) {
				t.Fatalf("whereis from_a on creo = %v, %v", pid, ok)
			}
			srv, err := creo.Start(echo(), nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if ok, err := creo.Global().RegisterName(context.Background(), etf.Atom("creo_srv"), srv); !ok || err != nil {
				t.Fatalf("RegisterName = %v, %v", ok, err)
			}
			expectEval(t, a, "GenServer.call({:global, :creo_srv}, :ping)", ":ping")
		})
	}
}

// TestGlobalInteropBlip runs prevent_overlapping_partitions after a blip
// on the connection between creo and A, in a cluster of creo, A and B
// (reference/erlang-global.md §5, s8): A tells B it lost creo, B asks
// creo to remove its connection to B, and creo does; redialling A then
// syncs everything again, creo's names included.
func TestGlobalInteropBlip(t *testing.T) {
	erltest.Elixir(t)
	epmdAddr := erltest.Epmd(t)
	creo := startNet(t, epmdAddr)
	ex := startElixirs(t, epmdAddr, 2)
	a, b := ex[0], ex[1]
	nodeA, nodeB := etf.Atom(a.Name), etf.Atom(b.Name)
	bg := context.Background()
	expectEval(t, a, "Node.connect("+exAtom(nodeB)+")", "true")
	expectEval(t, a, exSync, "{:ok, :ok}")
	joined := exUntil("Enum.member?(Node.list(), " + exAtom(creo.Name()) + ")")
	if err := creo.Connect(bg, nodeA); err != nil {
		t.Fatal(err)
	}
	expectEval(t, b, joined, ":ok")
	expectEval(t, b, exSync, "{:ok, :ok}")
	pr := startProbe(t, creo, nil)
	if ok, err := creo.Global().RegisterName(bg, etf.Atom("blip"), pr.pid); !ok || err != nil {
		t.Fatalf("RegisterName = %v, %v", ok, err)
	}
	expectEval(t, b, ":global.whereis_name(:blip) |> node()", exAtom(creo.Name()))

	creo.Disconnect(nodeA)
	eventually(t, "creo is still connected", func() bool { return len(creo.Nodes()) == 0 })
	expectEval(t, b, exGone(":blip"), ":ok")
	expectEval(t, a, "Node.list()", "["+exAtom(nodeB)+"]")

	if err := creo.Connect(bg, nodeA); err != nil {
		t.Fatal(err)
	}
	expectEval(t, a, exSync, "{:ok, :ok}")
	expectEval(t, b, joined, ":ok")
	expectEval(t, b, exSync, "{:ok, :ok}")
	syncGlobal(t, creo)
	expectEval(t, b, exUntil(":global.whereis_name(:blip) != :undefined"), ":ok")
	expectEval(t, b, ":global.send(:blip, :again) |> node()", exAtom(creo.Name()))
	pr.expect(t, etf.Atom("again"))
}
