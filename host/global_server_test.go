package host

import (
	"context"
	"fmt"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// globalCall is a call another node makes to global_name_server, and the
// reply it must get.
type globalCall struct {
	from etf.Pid
	req  etf.Term
	want etf.Term
}

func TestGlobalCalls(t *testing.T) {
	idA := etf.Tuple{globalResource, etf.List{lockerA, lockerX}}
	idX := etf.Tuple{globalResource, etf.List{lockerX}}
	register := etf.Tuple{atomRegister, etf.Atom("foo"), procA, elixirMethod}
	setLock := func(id etf.Tuple) etf.Tuple { return etf.Tuple{atomSetLock, id} }
	delLock := func(id etf.Tuple) etf.Tuple { return etf.Tuple{atomDelLock, id} }
	for _, tt := range []struct {
		name  string
		calls []globalCall
		foo   etf.Pid // whom the name foo names afterwards
	}{
		{name: "set_lock is granted on a free resource", calls: []globalCall{
			{lockerA, setLock(idA), etf.True},
		}},
		{name: "set_lock for another requester is refused", calls: []globalCall{
			{lockerA, setLock(idA), etf.True},
			{lockerX, setLock(idX), etf.False},
		}},
		{name: "set_lock for the same requester is granted to another pid", calls: []globalCall{
			{lockerA, setLock(idA), etf.True},
			{lockerX, setLock(idA), etf.True},
			{lockerA, setLock(idA), etf.True},
		}},
		{name: "del_lock frees the resource", calls: []globalCall{
			{lockerA, setLock(idA), etf.True},
			{lockerA, delLock(idA), etf.True},
			{lockerX, setLock(idX), etf.True},
		}},
		{name: "del_lock for another requester leaves the lock", calls: []globalCall{
			{lockerA, setLock(idA), etf.True},
			{lockerX, delLock(idX), etf.True},
			{lockerX, setLock(idX), etf.False},
		}},
		{name: "a lock set by two pids is held until both delete it", calls: []globalCall{
			{lockerA, setLock(idA), etf.True},
			{lockerX, setLock(idA), etf.True},
			{lockerA, delLock(idA), etf.True},
			{lockerX, setLock(idX), etf.False},
			{lockerX, delLock(idA), etf.True},
			{lockerX, setLock(idX), etf.True},
		}},
		{name: "register", foo: procA, calls: []globalCall{
			{registrarA, register, atomYes},
		}},
		{name: "register by the holder of global's lock", foo: procA, calls: []globalCall{
			{registrarA, setLock(etf.Tuple{globalResource, registrarA}), etf.True},
			{registrarA, register, atomYes},
		}},
		{name: "register while another holds global's lock is undone", calls: []globalCall{
			{lockerX, setLock(idX), etf.True},
			{registrarA, register, atomYes},
		}},
		{name: "register_ext", foo: procA, calls: []globalCall{
			{registrarA, etf.Tuple{atomRegisterExt, etf.Atom("foo"), procA, elixirMethod, nodeA}, atomYes},
		}},
		{name: "unregister", calls: []globalCall{
			{registrarA, register, atomYes},
			{registrarA, etf.Tuple{atomUnregister, etf.Atom("foo")}, atomOk},
		}},
		{name: "register again names the new pid", foo: procX, calls: []globalCall{
			{registrarA, register, atomYes},
			{registrarA, etf.Tuple{atomRegister, etf.Atom("foo"), procX, elixirMethod}, atomYes},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newGlobalHarness(t)
			for _, c := range tt.calls {
				if got := h.call(c.from, c.req); !etf.Equal(got, c.want) {
					t.Fatalf("%v from %v = %v, want %v", c.req, c.from, got, c.want)
				}
			}
			h.whereis(etf.Atom("foo"), tt.foo)
		})
	}
}

// TestGlobalMonitors checks that global watches what it holds: a name goes
// when its process ends, a lock when its holder does, and then a
// registration that counted on global's lock is undone.
func TestGlobalMonitors(t *testing.T) {
	name := etf.Atom("foo")
	register := etf.Tuple{atomRegister, name, procA, elixirMethod}
	t.Run("a name goes with its process", func(t *testing.T) {
		h := newGlobalHarness(t)
		h.call(registrarA, register)
		ref := h.monitorRef(procA)
		h.whereis(name, procA)
		h.n.PeerMonitorExit(procA, h.server(), ref, etf.Atom("boom"))
		h.whereis(name, etf.Pid{})
	})
	t.Run("a name given to another pid drops the first monitor", func(t *testing.T) {
		h := newGlobalHarness(t)
		h.call(registrarA, register)
		ref := h.monitorRef(procA)
		h.call(registrarA, etf.Tuple{atomRegister, name, procX, elixirMethod})
		h.take(etf.Atom("demonitor"), h.server(), nodeA, procA, ref)
	})
	t.Run("unregister drops the monitor", func(t *testing.T) {
		h := newGlobalHarness(t)
		h.call(registrarA, register)
		ref := h.monitorRef(procA)
		h.call(registrarA, etf.Tuple{atomUnregister, name})
		h.take(etf.Atom("demonitor"), h.server(), nodeA, procA, ref)
	})
	t.Run("a lock goes with its holder, and the registration that counted on it", func(t *testing.T) {
		h := newGlobalHarness(t)
		id := etf.Tuple{globalResource, registrarA}
		h.call(registrarA, etf.Tuple{atomSetLock, id})
		ref := h.monitorRef(registrarA)
		h.n.PeerMonitorExit(registrarA, h.server(), ref, Noconnection)
		if got := h.call(lockerX, etf.Tuple{atomSetLock, etf.Tuple{globalResource, lockerX}}); got != etf.True {
			t.Fatalf("set_lock after the holder died = %v", got)
		}
		h.call(lockerX, etf.Tuple{atomDelLock, etf.Tuple{globalResource, lockerX}})
		// lockDown came from the death, and a normal del_lock clears it.
		h.call(registrarA, register)
		h.whereis(name, procA)
	})
	t.Run("a registration after the lock holder died is undone", func(t *testing.T) {
		h := newGlobalHarness(t)
		h.call(registrarA, etf.Tuple{atomSetLock, etf.Tuple{globalResource, registrarA}})
		ref := h.monitorRef(registrarA)
		h.n.PeerMonitorExit(registrarA, h.server(), ref, Noconnection)
		h.call(registrarA, register)
		h.whereis(name, etf.Pid{})
	})
	t.Run("a local name goes when its process exits", func(t *testing.T) {
		h := newGlobalHarness(t)
		pr := startProbe(t, h.n, nil)
		if ok, err := h.g.RegisterName(context.Background(), name, pr.pid); !ok || err != nil {
			t.Fatalf("RegisterName = %v, %v", ok, err)
		}
		h.whereis(name, pr.pid)
		kill(t, h.n, pr.pid)
		h.whereis(name, etf.Pid{})
	})
}

func TestGlobalUnknownRequestsAreDropped(t *testing.T) {
	h := newGlobalHarness(t)
	for i, tt := range []struct {
		name string
		send func()
	}{
		{"unknown cast", func() { h.cast(serverA, etf.Atom("hello")) }},
		{"malformed init_connect", func() { h.cast(serverA, etf.Tuple{atomInitConnect, etf.Int(8), nodeA, etf.Atom("x")}) }},
		{"unknown message", func() { h.info(serverA, etf.Tuple{etf.Atom("hello")}) }},
		{"unknown call", func() {
			h.n.PeerRegSend(serverA, globalServerName, etf.Tuple{atomGenCall, etf.Tuple{serverA, h.n.MakeRef()}, etf.Atom("info")})
		}},
		{"set_lock without an id", func() {
			h.n.PeerRegSend(serverA, globalServerName, etf.Tuple{atomGenCall, etf.Tuple{serverA, h.n.MakeRef()}, etf.Tuple{atomSetLock, etf.Atom("x")}})
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.send()
			h.expectNoneFrom(etf.Atom(fmt.Sprintf("marker%d@host", i)))
		})
	}
	if got := h.call(lockerA, etf.Tuple{atomSetLock, etf.Tuple{globalResource, lockerA}}); got != etf.True {
		t.Fatalf("the server no longer answers: set_lock = %v", got)
	}
}
