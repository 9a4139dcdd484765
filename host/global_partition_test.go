package host

import (
	"testing"

	"github.com/creo-dev/creo/etf"
)

// knowAB makes a@host and b@host known to the harness's global, and
// connected, as after a sync.
func knowAB(h *globalHarness) {
	h.t.Helper()
	h.cast(serverX, etf.Tuple{atomNewNodes, nodeX, etf.List{}, etf.List{},
		etf.List{etf.Tuple{nodeA, etf.Int(8)}, etf.Tuple{nodeB, etf.Int(8)}}, etf.List{}})
	h.takeCast(h.server(), nodeA, etf.Tuple{atomInSync, nodeG, etf.True})
	h.takeCast(h.server(), nodeB, etf.Tuple{atomInSync, nodeG, etf.True})
	h.connected()
	h.connected()
	h.nodeUp(nodeA)
	h.nodeUp(nodeB)
	h.barrier()
	if !h.g.isKnown(nodeA) || !h.g.isKnown(nodeB) {
		h.t.Fatal("a and b are not known")
	}
}

// TestGlobalLostConnection checks prevent_overlapping_partitions from the
// side of a node that hears of a lost connection: it passes the report
// on and asks the node reported lost to drop its connection to it.
func TestGlobalLostConnection(t *testing.T) {
	lost := func(a, b etf.Atom, opID int) etf.Tuple {
		return etf.Tuple{atomLostConnection, a, etf.Int(7), etf.Int(opID), b}
	}
	remove := etf.Tuple{atomRemoveConnection, nodeG}
	for _, tt := range []struct {
		name    string
		run     func(h *globalHarness)
		known   []etf.Atom
		unknown []etf.Atom
	}{
		{name: "A lost B: the report goes on, and B is asked to remove us", run: func(h *globalHarness) {
			h.info(serverA, lost(nodeA, nodeB, 1))
			h.takeSend(h.server(), nodeB, lost(nodeA, nodeB, 1))
			h.takeSend(h.server(), nodeB, remove)
		}, known: []etf.Atom{nodeA}, unknown: []etf.Atom{nodeB}},
		{name: "a report seen before is ignored", run: func(h *globalHarness) {
			h.info(serverA, lost(nodeA, nodeB, 1))
			h.takeSend(h.server(), nodeB, lost(nodeA, nodeB, 1))
			h.takeSend(h.server(), nodeB, remove)
			h.info(serverB(), lost(nodeA, nodeB, 1))
			h.expectNoneFrom("marker@host")
		}, known: []etf.Atom{nodeA}, unknown: []etf.Atom{nodeB}},
		{name: "A lost us: A is asked to remove us", run: func(h *globalHarness) {
			h.info(serverA, lost(nodeA, nodeG, 1))
			h.takeSend(h.server(), nodeB, lost(nodeA, nodeG, 1))
			h.takeSend(h.server(), nodeA, remove)
		}, known: []etf.Atom{nodeB}, unknown: []etf.Atom{nodeA}},
		{name: "a loss of a node we do not know is only passed on", run: func(h *globalHarness) {
			h.info(serverA, lost(nodeA, nodeX, 1))
			h.takeSend(h.server(), nodeB, lost(nodeA, nodeX, 1))
			h.expectNoneFrom("marker@host")
		}, known: []etf.Atom{nodeA, nodeB}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newGlobalHarness(t)
			knowAB(h)
			tt.run(h)
			h.barrier()
			for _, node := range tt.known {
				if !h.g.isKnown(node) {
					t.Errorf("%v is not known", node)
				}
			}
			for _, node := range tt.unknown {
				if h.g.isKnown(node) {
					t.Errorf("%v is known", node)
				}
			}
			select {
			case node := <-h.net.disconnects:
				t.Errorf("global disconnected %v itself", node)
			default:
			}
		})
	}
}

func serverB() etf.Pid { return etf.Pid{Node: nodeB, ID: 11, Serial: 1, Creation: 7} }

// TestGlobalRemoveConnection checks that a node asking us to remove our
// connection to it has it closed, and is forgotten; a node we do not know
// is not disconnected.
func TestGlobalRemoveConnection(t *testing.T) {
	h := newGlobalHarness(t)
	knowAB(h)
	h.info(serverA, etf.Tuple{atomRemoveConnection, nodeX})
	h.info(serverA, etf.Tuple{atomRemoveConnection, nodeA})
	h.barrier()
	select {
	case node := <-h.net.disconnects:
		if node != nodeA {
			t.Fatalf("disconnected %v, want %v", node, nodeA)
		}
	default:
		t.Fatal("a was not disconnected")
	}
	select {
	case node := <-h.net.disconnects:
		t.Fatalf("disconnected %v too", node)
	default:
	}
	if h.g.isKnown(nodeA) || !h.g.isKnown(nodeB) {
		t.Fatalf("known = %v, want b only", h.g.knownNodes())
	}
}
