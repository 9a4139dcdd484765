package host

import (
	"context"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// knowNode makes node known to the harness's global, as after a sync.
func knowNode(h *globalHarness, node etf.Atom) {
	h.t.Helper()
	h.cast(serverB(), etf.Tuple{atomNewNodes, nodeB, etf.List{}, etf.List{}, etf.List{etf.Tuple{node, etf.Int(8)}}, etf.List{}})
	h.takeCast(h.server(), node, etf.Tuple{atomInSync, nodeG, etf.True})
	h.connected()
	h.nodeUp(node)
	h.barrier()
}

// TestGlobalRegistrar checks trans_all_known as the registrar runs it for
// the Go API (reference/erlang-global.md §4): global's lock {global,
// Registrar} on the boss, then on every known node, the request on all of
// them, and the lock deleted, the boss last.
func TestGlobalRegistrar(t *testing.T) {
	name := etf.Atom("foo")
	for _, tt := range []struct {
		name string
		peer etf.Atom // the known node: a@host is smaller than g@host, x@host the boss
		// refusals is how many times the peer refuses the lock first.
		refusals int
	}{
		{name: "this node is the boss", peer: nodeA},
		{name: "the peer is the boss", peer: nodeX},
		{name: "the boss refuses, then grants", peer: nodeX, refusals: 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newGlobalHarness(t)
			knowNode(h, tt.peer)
			h.g.mu.RLock()
			registrar := h.g.registrar
			h.g.mu.RUnlock()
			pr := startProbe(t, h.n, nil)
			id := etf.Tuple{globalResource, registrar}
			setLock, delLock := etf.Tuple{atomSetLock, id}, etf.Tuple{atomDelLock, id}

			type result struct {
				ok  bool
				err error
			}
			done := make(chan result, 1)
			go func() {
				ok, err := h.g.RegisterName(context.Background(), name, pr.pid)
				done <- result{ok, err}
			}()
			for range tt.refusals {
				h.answer(registrar, tt.peer, setLock, etf.False)
			}
			// lock plays the peer through trans_all_known around the
			// request req, if any.
			lock := func(req etf.Term) {
				h.answer(registrar, tt.peer, setLock, etf.True)
				if tt.peer == nodeX {
					// The boss first, then every node, the boss again included.
					h.answer(registrar, tt.peer, setLock, etf.True)
				}
				if req != nil {
					h.answer(registrar, tt.peer, req, atomYes)
				}
				h.answer(registrar, tt.peer, delLock, etf.True)
			}
			lock(etf.Tuple{atomRegister, name, pr.pid, defaultMethod})
			if r := <-done; !r.ok || r.err != nil {
				t.Fatalf("RegisterName = %v, %v", r.ok, r.err)
			}
			h.whereis(name, pr.pid)
			if h.g.globalLockSet() {
				t.Fatal("global's lock is still set here")
			}

			// A second name for the pid is refused, under the lock.
			go func() {
				ok, err := h.g.RegisterName(context.Background(), etf.Atom("bar"), pr.pid)
				done <- result{ok, err}
			}()
			lock(nil)
			if r := <-done; r.ok || r.err != nil {
				t.Fatalf("RegisterName of a second name = %v, %v", r.ok, r.err)
			}
		})
	}
}

func TestGlobalUnregisterName(t *testing.T) {
	h := newGlobalHarness(t)
	knowNode(h, nodeA)
	h.g.mu.RLock()
	registrar := h.g.registrar
	h.g.mu.RUnlock()
	name := etf.Atom("foo")
	h.call(registrarA, etf.Tuple{atomRegister, name, procA, elixirMethod})
	h.whereis(name, procA)
	done := make(chan error, 1)
	go func() { done <- h.g.UnregisterName(context.Background(), name) }()
	id := etf.Tuple{globalResource, registrar}
	h.answer(registrar, nodeA, etf.Tuple{atomSetLock, id}, etf.True)
	h.answer(registrar, nodeA, etf.Tuple{atomUnregister, name}, atomOk)
	h.answer(registrar, nodeA, etf.Tuple{atomDelLock, id}, etf.True)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	h.whereis(name, etf.Pid{})
	// A name nobody holds needs no lock.
	if err := h.g.UnregisterName(context.Background(), name); err != nil {
		t.Fatal(err)
	}
}

func TestGlobalSend(t *testing.T) {
	h := newGlobalHarness(t)
	pr := startProbe(t, h.n, nil)
	name := etf.Atom("foo")
	if _, err := h.g.Send(name, etf.Atom("hi")); err == nil {
		t.Fatal("Send to a name nobody holds succeeded")
	} else if want := (&ExitError{Reason: etf.Tuple{etf.Atom("badarg"), etf.Tuple{name, etf.Atom("hi")}}}); !etf.Equal(ExitReason(err), want.Reason) {
		t.Fatalf("Send error = %v, want %v", err, want)
	}
	if ok, err := h.g.RegisterName(context.Background(), name, pr.pid); !ok || err != nil {
		t.Fatalf("RegisterName = %v, %v", ok, err)
	}
	if pid, err := h.g.Send(name, etf.Atom("hi")); pid != pr.pid || err != nil {
		t.Fatalf("Send = %v, %v", pid, err)
	}
	pr.expect(t, etf.Atom("hi"))
	if names := h.g.RegisteredNames(); len(names) != 1 || names[0] != name {
		t.Fatalf("RegisteredNames = %v", names)
	}
}
