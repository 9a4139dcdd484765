package host

import (
	"runtime/debug"
	"testing"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
)

// TestWasmReplyLent checks which calls of a Wasm server may have a large
// reply lent from its instance's memory: those whose reply is written to
// an alias on another node and released once written. A lent reply's
// instance goes back to the module's pool, to serve again, once written;
// a reply to a caller on this node is copied, its instance back at once.
func TestWasmReplyLent(t *testing.T) {
	addr := testEPMD(t)
	client, server := startNet(t, addr), startNet(t, addr)
	echo := loadGuest(t, testWasm(t, server), "echo", abi.ModuleConfig{})
	if _, err := server.Start(echo, etf.Atom("nil"), Options{Name: "echo"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		caller *Node
		lent   bool
	}{
		{name: "caller on another node", caller: client, lent: true},
		{name: "caller on the same node", caller: server},
	}
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 3 {
				req := largeRequest(byte(i + 1))
				reply, err := tt.caller.Call(ctx(t), etf.Tuple{etf.Atom("echo"), server.Name()}, req, wait)
				if err != nil {
					t.Fatal(err)
				}
				if got := mustDecode(t, reply); !etf.Equal(got, req) {
					t.Fatalf("call %d: the caller got %.40v, want its request", i, got)
				}
			}
			// Written, a lent reply gives its instance back: it waits idle
			// in the pool, not thrown away. (The collector is off, so a
			// lease dropped rather than released keeps its instance busy.)
			deadline := time.Now().Add(10 * time.Second)
			for echo.Stats().Busy != 0 {
				if time.Now().After(deadline) {
					t.Fatalf("an instance is still busy after the replies: %+v", echo.Stats())
				}
				time.Sleep(time.Millisecond)
			}
			if s := echo.Stats(); s.Idle == 0 {
				t.Fatalf("no instance is left idle after the replies: %+v", s)
			}
		})
	}
}

// TestWasmCallCtx checks which calls' replies a Wasm server asks abi to
// lend: those replyThen releases once written.
func TestWasmCallCtx(t *testing.T) {
	addr := testEPMD(t)
	n := startNet(t, addr)
	offline := NewNode(Config{})
	p := &Process{node: n}
	other := etf.Atom("other@127.0.0.1")
	aliasOf := func(node etf.Atom) etf.Term {
		return etf.ImproperList{Elems: []etf.Term{etf.Atom("alias")}, Tail: etf.Ref{Node: node, Len: 3}}
	}
	tests := []struct {
		name string
		p    *Process
		from From
		lent bool
	}{
		{name: "alias on another node", p: p, from: newFrom(etf.Pid{Node: other}, aliasOf(other)), lent: true},
		{name: "alias on this node", p: p, from: newFrom(etf.Pid{Node: n.Name()}, aliasOf(n.Name()))},
		{name: "plain tag from another node", p: p, from: newFrom(etf.Pid{Node: other}, etf.Ref{Node: other, Len: 3})},
		{name: "node without a network", p: &Process{node: offline}, from: newFrom(etf.Pid{Node: other}, aliasOf(other))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if lent := tt.p.callCtx(tt.from) == lentReplyCtx; lent != tt.lent {
				t.Errorf("lends the reply: %v, want %v", lent, tt.lent)
			}
		})
	}
}
