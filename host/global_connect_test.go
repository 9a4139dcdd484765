package host

import (
	"context"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// TestGlobalConnectHandlers checks the start of a session with a BEAM
// node A, message by message, against the exact terms OTP 25 sends
// (reference/erlang-global.md §2, §3). creo's tags count from 1; A's
// is 100.
func TestGlobalConnectHandlers(t *testing.T) {
	ack := func(his, mine int) etf.Tuple {
		return etf.Tuple{atomInitConnectAck, nodeG, etf.Int(his), etf.Int(mine)}
	}
	cancel := func(his int) etf.Tuple { return etf.Tuple{atomCancelConnect, nodeG, etf.Int(his)} }
	// started runs nodeup and both init_connects.
	started := func(h *globalHarness) {
		h.nodeUp(nodeA)
		h.takeCast(h.server(), nodeA, h.initConnectOf(1))
		h.cast(serverA, initConnectFrom(nodeA, lockerA, 100))
		h.takeSend(h.server(), nodeA, ack(100, 1))
	}
	for _, tt := range []struct {
		name string
		run  func(h *globalHarness)
	}{
		{"nodeup casts init_connect with our tag and locker", func(h *globalHarness) {
			h.nodeUp(nodeA)
			h.takeCast(h.server(), nodeA, h.initConnectOf(1))
		}},
		{"init_connect after nodeup is acknowledged", started},
		{"init_connect before nodeup waits for it", func(h *globalHarness) {
			h.cast(serverA, initConnectFrom(nodeA, lockerA, 100))
			h.nodeUp(nodeA)
			h.takeCast(h.server(), nodeA, h.initConnectOf(1))
			h.takeSend(h.server(), nodeA, ack(100, 1))
		}},
		{"init_connect of a newer version is acknowledged", func(h *globalHarness) {
			h.nodeUp(nodeA)
			h.takeCast(h.server(), nodeA, h.initConnectOf(1))
			h.cast(serverA, etf.Tuple{atomInitConnect, etf.Tuple{etf.Int(9), etf.Int(100), etf.Atom("more")}, nodeA,
				etf.Tuple{atomLocker, atomNoLongerAPid, etf.Map{}, lockerA}})
			h.takeSend(h.server(), nodeA, ack(100, 1))
		}},
		{"nodeup of a node in session starts no other", func(h *globalHarness) {
			started(h)
			h.nodeUp(nodeA)
			h.expectNoneFrom("marker@host")
		}},
		{"init_connect_ack that agrees changes nothing", func(h *globalHarness) {
			started(h)
			h.info(serverA, etf.Tuple{atomInitConnectAck, nodeA, etf.Int(1), etf.Int(100)})
			h.expectNoneFrom("marker@host")
		}},
		{"init_connect_ack that disagrees restarts the session", func(h *globalHarness) {
			started(h)
			h.info(serverA, etf.Tuple{atomInitConnectAck, nodeA, etf.Int(7), etf.Int(100)})
			h.takeSend(h.server(), nodeA, cancel(100)) // the ack's tag
			h.takeSend(h.server(), nodeA, cancel(100)) // the session's, as global's cancel_locker sends it
			h.takeCast(h.server(), nodeA, h.initConnectOf(2))
		}},
		{"cancel_connect with our tag restarts the session", func(h *globalHarness) {
			started(h)
			h.info(serverA, etf.Tuple{atomCancelConnect, nodeA, etf.Int(1)})
			h.takeSend(h.server(), nodeA, cancel(100))
			h.takeCast(h.server(), nodeA, h.initConnectOf(2))
		}},
		{"cancel_connect with another tag is ignored", func(h *globalHarness) {
			started(h)
			h.info(serverA, etf.Tuple{atomCancelConnect, nodeA, etf.Int(5)})
			h.expectNoneFrom("marker@host")
		}},
		{"a second init_connect during a session restarts it", func(h *globalHarness) {
			started(h)
			h.cast(serverA, initConnectFrom(nodeA, lockerA, 101))
			h.takeSend(h.server(), nodeA, cancel(101))
			h.takeSend(h.server(), nodeA, cancel(100))
			h.takeCast(h.server(), nodeA, h.initConnectOf(2))
			h.takeSend(h.server(), nodeA, ack(101, 2))
		}},
		{"lock_set of another session is not passed on", func(h *globalHarness) {
			started(h)
			h.cast(serverA, etf.Tuple{atomLockSet, lockerA, etf.True, etf.List{}, etf.Int(7)})
			h.expectNoneFrom("marker@host")
		}},
		{"exchange of another session cancels it", func(h *globalHarness) {
			started(h)
			h.cast(serverA, etf.Tuple{atomExchange, nodeA, etf.List{}, etf.List{}, etf.Int(7)})
			h.expectNoneFrom("marker@host")
			h.cast(serverA, etf.Tuple{atomLockSet, lockerA, etf.True, etf.List{}, etf.Int(1)})
			h.takeCast(h.locker(), nodeA, etf.Tuple{atomLockSet, h.locker(), etf.True, etf.List{}, etf.Int(100)})
		}},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.run(newGlobalHarness(t)) })
	}
}

// TestGlobalSessionPeerLocksFirst runs a whole session with A as OTP 25
// runs it when A's locker goes first (reference/erlang-global.md §3):
// A has a name and knows B; creo learns the name, tells B it is in sync,
// and sync() on creo returns.
func TestGlobalSessionPeerLocksFirst(t *testing.T) {
	h := newGlobalHarness(t)
	server, locker := h.server(), h.locker()
	h.nodeUp(nodeA)
	h.takeCast(server, nodeA, h.initConnectOf(1))
	h.cast(serverA, initConnectFrom(nodeA, lockerA, 100))
	h.takeSend(server, nodeA, etf.Tuple{atomInitConnectAck, nodeG, etf.Int(100), etf.Int(1)})

	// A's locker locks its partition and this node, and says so.
	id := lockID(lockerA, locker)
	if got := h.call(lockerA, etf.Tuple{atomSetLock, id}); got != etf.True {
		t.Fatalf("set_lock = %v", got)
	}
	h.cast(serverA, etf.Tuple{atomLockSet, lockerA, etf.True, etf.List{}, etf.Int(1)})
	// Our locker locks our partition, this node alone, with the same id.
	h.takeCast(locker, nodeA, etf.Tuple{atomLockSet, locker, etf.True, etf.List{}, etf.Int(100)})
	h.takeCast(server, nodeA, etf.Tuple{atomExchange, nodeG, etf.List{}, etf.List{}, etf.Int(100)})

	foo := etf.Tuple{etf.Atom("foo"), procA, elixirMethod}
	h.cast(serverA, etf.Tuple{atomExchange, nodeA, etf.List{foo}, etf.List{}, etf.Int(1)})
	h.takeCast(server, nodeA, etf.Tuple{atomResolved, nodeG, etf.List{}, etf.List{}, atomUnused, etf.List{}, etf.Int(100)})
	synced := make(chan error, 1)
	go func() { synced <- h.g.Sync(ctx(t)) }()
	h.cast(serverA, etf.Tuple{atomResolved, nodeA, etf.List{}, etf.List{etf.Tuple{nodeB, etf.Int(8)}}, atomUnused, etf.List{}, etf.Int(1)})

	// B knows A, so no session starts with it: it is told we are in sync.
	if node := h.connected(); node != nodeB {
		t.Fatalf("connected to %v, want %v", node, nodeB)
	}
	h.takeCast(server, nodeB, etf.Tuple{atomInSync, nodeG, etf.True})
	if err := <-synced; err != nil {
		t.Fatalf("Sync: %v", err)
	}
	h.whereis(etf.Atom("foo"), procA)
	if known := h.g.knownNodes(); len(known) != 2 || !h.g.isKnown(nodeA) || !h.g.isKnown(nodeB) {
		t.Fatalf("known = %v, want a and b", known)
	}
	// Our locker gives its lock back when the server, done, cancels the
	// session; A's goes when A deletes it.
	if got := h.call(lockerA, etf.Tuple{atomDelLock, id}); got != etf.True {
		t.Fatalf("del_lock = %v", got)
	}
	h.barrier()         // the server has sent the locker its cancel
	h.barrierOf(locker) // the locker has handled it: its del_lock call returned
	if h.g.globalLockSet() {
		t.Fatal("global's lock is still set")
	}
}

// TestGlobalSessionCreoLocksFirst runs a session in which creo's locker
// tries first: it locks the boss (itself) and A, and sends lock_set; A's
// answer completes the lock. A's resolved comes before A's exchange.
func TestGlobalSessionCreoLocksFirst(t *testing.T) {
	h := newGlobalHarness(t, 0)
	server, locker := h.server(), h.locker()
	h.nodeUp(nodeA)
	h.takeCast(server, nodeA, h.initConnectOf(1))
	h.cast(serverA, initConnectFrom(nodeA, lockerA, 100))

	id := lockID(lockerA, locker)
	h.answer(locker, nodeA, etf.Tuple{atomSetLock, id}, etf.True)
	h.takeCast(locker, nodeA, etf.Tuple{atomLockSet, locker, etf.True, etf.List{}, etf.Int(100)})
	h.cast(serverA, etf.Tuple{atomLockSet, lockerA, etf.True, etf.List{}, etf.Int(1)})
	h.takeCast(server, nodeA, etf.Tuple{atomExchange, nodeG, etf.List{}, etf.List{}, etf.Int(100)})

	h.cast(serverA, etf.Tuple{atomResolved, nodeA, etf.List{}, etf.List{}, atomUnused, etf.List{}, etf.Int(1)})
	h.cast(serverA, etf.Tuple{atomExchange, nodeA, etf.List{}, etf.List{}, etf.Int(1)})
	h.takeCast(server, nodeA, etf.Tuple{atomResolved, nodeG, etf.List{}, etf.List{}, atomUnused, etf.List{}, etf.Int(100)})
	// The locker takes its lock back, the boss (this node) last.
	h.answer(locker, nodeA, etf.Tuple{atomDelLock, id}, etf.True)
	if err := h.g.Sync(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if !h.g.isKnown(nodeA) {
		t.Fatal("a is not known")
	}
}

// TestGlobalSessionRefused checks that a lock_set false from the other
// side makes our locker give its lock back and try again later.
func TestGlobalSessionRefused(t *testing.T) {
	h := newGlobalHarness(t, 0)
	locker := h.locker()
	h.nodeUp(nodeA)
	h.cast(serverA, initConnectFrom(nodeA, lockerA, 100))
	id := lockID(lockerA, locker)
	h.answer(locker, nodeA, etf.Tuple{atomSetLock, id}, etf.True)
	h.takeCast(locker, nodeA, etf.Tuple{atomLockSet, locker, etf.True, etf.List{}, etf.Int(100)})
	h.cast(serverA, etf.Tuple{atomLockSet, lockerA, etf.False, etf.List{}, etf.Int(1)})
	h.answer(locker, nodeA, etf.Tuple{atomDelLock, id}, etf.True)
	// The next try.
	h.answer(locker, nodeA, etf.Tuple{atomSetLock, id}, etf.True)
}

// TestGlobalNameConflicts checks conflicts this node resolves, since its
// name is the smaller (g < x), by the method of its registration.
func TestGlobalNameConflicts(t *testing.T) {
	name := etf.Atom("foo")
	for _, tt := range []struct {
		name    string
		method  etf.Export
		theirs  etf.Term // what X's process gets
		mine    etf.Term // what ours gets
		killed  bool     // X's process is killed
		keeps   bool     // our process keeps the name, else nobody does
		deletes bool
	}{
		{name: "random_exit_name kills the pid of the larger node", method: defaultMethod, killed: true, keeps: true},
		{name: "random_notify_name notifies it", method: etf.Export{Module: "global", Function: "random_notify_name", Arity: 3},
			theirs: etf.Tuple{atomNameConflict, name}, keeps: true},
		{name: "notify_all_name notifies both and keeps neither", method: etf.Export{Module: "global", Function: "notify_all_name", Arity: 3},
			theirs: etf.Tuple{atomNameConflict, name, etf.Pid{}}, mine: etf.Tuple{atomNameConflict, name, procX}, deletes: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newGlobalHarness(t)
			server, locker := h.server(), h.locker()
			pr := startProbe(t, h.n, nil)
			h.call(registrarA, etf.Tuple{atomRegister, name, pr.pid, tt.method})
			h.nodeUp(nodeX)
			h.cast(serverX, initConnectFrom(nodeX, lockerX, 100))
			h.call(lockerX, etf.Tuple{atomSetLock, lockID(lockerX, locker)})
			h.cast(serverX, etf.Tuple{atomLockSet, lockerX, etf.True, etf.List{}, etf.Int(1)})
			h.takeCast(server, nodeX, etf.Tuple{atomExchange, nodeG, etf.List{etf.Tuple{name, pr.pid, tt.method}}, etf.List{}, etf.Int(100)})
			h.cast(serverX, etf.Tuple{atomExchange, nodeX, etf.List{etf.Tuple{name, procX, elixirMethod}}, etf.List{}, etf.Int(1)})

			res := etf.List{etf.Tuple{atomInsert, etf.Tuple{name, pr.pid, tt.method}}}
			if tt.deletes {
				res = etf.List{etf.Tuple{atomDelete, name}}
			}
			h.takeCast(server, nodeX, etf.Tuple{atomResolved, nodeG, res, etf.List{}, atomUnused, etf.List{}, etf.Int(100)})
			if tt.killed {
				h.take(etf.Atom("exit2"), server, procX, Kill)
			}
			if tt.theirs != nil {
				want := tt.theirs.(etf.Tuple)
				if len(want) == 3 {
					want = etf.Tuple{want[0], want[1], pr.pid}
				}
				h.take(etf.Atom("send"), server, procX, want)
			}
			if tt.mine != nil {
				pr.expect(t, tt.mine)
			}
			h.cast(serverX, etf.Tuple{atomResolved, nodeX, etf.List{}, etf.List{}, atomUnused, etf.List{}, etf.Int(1)})
			want := etf.Pid{}
			if tt.keeps {
				want = pr.pid
			}
			h.whereis(name, want)
		})
	}
}

// TestGlobalConflictResolvedByPeer checks a conflict the other side
// resolves, since its name is the smaller: its resolved says who keeps
// the name.
func TestGlobalConflictResolvedByPeer(t *testing.T) {
	h := newGlobalHarness(t)
	server, locker := h.server(), h.locker()
	name := etf.Atom("foo")
	pr := startProbe(t, h.n, nil)
	if ok, err := h.g.RegisterName(context.Background(), name, pr.pid); !ok || err != nil {
		t.Fatalf("RegisterName = %v, %v", ok, err)
	}
	h.nodeUp(nodeA)
	h.cast(serverA, initConnectFrom(nodeA, lockerA, 100))
	h.call(lockerA, etf.Tuple{atomSetLock, lockID(lockerA, locker)})
	h.cast(serverA, etf.Tuple{atomLockSet, lockerA, etf.True, etf.List{}, etf.Int(1)})
	h.cast(serverA, etf.Tuple{atomExchange, nodeA, etf.List{etf.Tuple{name, procA, elixirMethod}}, etf.List{}, etf.Int(1)})
	// We leave the conflict to A: nothing for its partition.
	h.takeCast(server, nodeA, etf.Tuple{atomResolved, nodeG, etf.List{}, etf.List{}, atomUnused, etf.List{}, etf.Int(100)})
	h.cast(serverA, etf.Tuple{atomResolved, nodeA, etf.List{etf.Tuple{atomInsert, etf.Tuple{name, procA, elixirMethod}}},
		etf.List{}, atomUnused, etf.List{}, etf.Int(1)})
	h.whereis(name, procA)
}

// TestGlobalNewNodes checks new_nodes, with which a node of our partition
// tells us of the partition it synced with: the names are taken only
// under the lock the message names.
func TestGlobalNewNodes(t *testing.T) {
	idA := etf.Tuple{globalResource, etf.List{lockerA, lockerX}}
	bar := etf.Tuple{atomInsert, etf.Tuple{etf.Atom("bar"), procB, elixirMethod}}
	msg := etf.Tuple{atomNewNodes, nodeA, etf.List{bar}, etf.List{}, etf.List{etf.Tuple{nodeB, etf.Int(8)}},
		etf.List{etf.Tuple{atomVsn, etf.Int(8)}, etf.Tuple{atomLock, idA}}}
	for _, tt := range []struct {
		name   string
		holder etf.Pid   // who holds global's lock here, if anyone
		lock   etf.Tuple // and with which id
		bar    etf.Pid
	}{
		{name: "without a lock here", bar: procB},
		{name: "under the lock it names", holder: lockerA, lock: idA, bar: procB},
		{name: "under another lock", holder: lockerX, lock: etf.Tuple{globalResource, etf.List{lockerX}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newGlobalHarness(t)
			if tt.holder != (etf.Pid{}) {
				h.call(tt.holder, etf.Tuple{atomSetLock, tt.lock})
			}
			h.cast(serverA, msg)
			if node := h.connected(); node != nodeB {
				t.Fatalf("connected to %v, want %v", node, nodeB)
			}
			h.takeCast(h.server(), nodeB, etf.Tuple{atomInSync, nodeG, etf.True})
			h.whereis(etf.Atom("bar"), tt.bar)
			if !h.g.isKnown(nodeB) {
				t.Fatal("b is not known")
			}
		})
	}
}

// TestGlobalSync checks that Sync waits for every connected node to be in
// sync, or down.
func TestGlobalSync(t *testing.T) {
	for _, tt := range []struct {
		name   string
		settle func(h *globalHarness)
	}{
		{"in_sync", func(h *globalHarness) { h.cast(serverA, etf.Tuple{atomInSync, nodeA, etf.True}) }},
		{"nodedown", func(h *globalHarness) { h.n.PeerSend(etf.Pid{}, h.server(), etf.Tuple{atomNodedown, nodeA}) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newGlobalHarness(t)
			h.nodeUp(nodeA)
			synced := make(chan error, 1)
			go func() { synced <- h.g.Sync(ctx(t)) }()
			h.waitSyncers(1)
			select {
			case err := <-synced:
				t.Fatalf("Sync returned %v before a was in sync", err)
			default:
			}
			tt.settle(h)
			if err := <-synced; err != nil {
				t.Fatal(err)
			}
		})
	}
}
