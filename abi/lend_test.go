package abi

import (
	"bytes"
	"context"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

var lendFrom = etf.Tuple{etf.Pid{Node: "elixir@127.0.0.1", ID: 90, Creation: 3}, etf.Ref{Node: "elixir@127.0.0.1", Creation: 3, Len: 3, ID: [5]uint32{1, 2, 3}}}

// echoCall calls guests/echo's handle_call with a binary of n bytes of b
// and checks that the reply is the request.
func echoCall(t *testing.T, ctx context.Context, m Module, n int, b byte) Result {
	t.Helper()
	req := encode(t, etf.Binary(bytes.Repeat([]byte{b}, n)))
	r, err := m.HandleCall(ctx, newFakeProcess(), req, lendFrom, encode(t, etf.Atom("s")))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.Reply, req) {
		t.Fatalf("the reply of %d bytes of %d is not the request", n, b)
	}
	return r
}

// TestLendReply checks when a reply is lent in its instance's memory: a
// large one, to a caller that releases it, when the pool can spare the
// instance. A lent reply holds its instance busy until released.
func TestLendReply(t *testing.T) {
	lending := WithLentReply(context.Background())
	tests := []struct {
		name         string
		ctx          context.Context
		size         int
		maxInstances int
		lent         bool
	}{
		{name: "100 KB, lent", ctx: lending, size: 100_000, lent: true},
		{name: "100 KB, not released by the caller", ctx: context.Background(), size: 100_000},
		{name: "1 KB", ctx: lending, size: 1000},
		{name: "100 KB, the pool's only instance", ctx: lending, size: 100_000, maxInstances: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := loadGo(t, "../guests/echo", ModuleConfig{MaxInstances: tt.maxInstances})
			r := echoCall(t, tt.ctx, m, tt.size, 1)
			if busy := m.Stats().Busy == 1; busy != tt.lent {
				t.Fatalf("the instance is busy after the call: %v, want %v (%+v)", busy, tt.lent, m.Stats())
			}
			if r.Release != nil {
				r.Release()
			}
			if s := m.Stats(); s.Busy != 0 || s.Idle != 1 {
				t.Fatalf("after Release the pool is %+v, want its one instance idle", s)
			}
		})
	}
}

// TestLentReplyHeld checks that lent replies stay whole while the module
// serves other calls, which run on other instances and have their replies
// copied once maxLent are lent, and that Release puts a lent reply's
// instance back for reuse, once however often it is called.
func TestLentReplyHeld(t *testing.T) {
	lending := WithLentReply(context.Background())
	m := loadGo(t, "../guests/echo", ModuleConfig{})
	var lent []Result
	for i := range maxLent {
		lent = append(lent, echoCall(t, lending, m, 100_000, byte(i)))
	}
	copied := echoCall(t, lending, m, 100_000, 100)
	if s := m.Stats(); s.Busy != maxLent || s.Idle != 1 {
		t.Fatalf("with %d replies lent and one copied, the pool is %+v, want %d busy and 1 idle", maxLent, s, maxLent)
	}
	for b := byte(101); b < 104; b++ {
		r := echoCall(t, lending, m, 100_000, b)
		r.Release()
	}
	for i, r := range lent {
		if !bytes.Equal(r.Reply, encode(t, etf.Binary(bytes.Repeat([]byte{byte(i)}, 100_000)))) {
			t.Fatalf("lent reply %d changed while other calls ran", i)
		}
	}
	if !bytes.Equal(copied.Reply, encode(t, etf.Binary(bytes.Repeat([]byte{100}, 100_000)))) {
		t.Fatal("a reply copied while others were lent changed when its instance ran again")
	}
	copied.Release()
	for _, r := range lent {
		r.Release()
		r.Release()
	}
	if s := m.Stats(); s.Busy != 0 || s.Idle != maxLent+1 {
		t.Fatalf("after the releases the pool is %+v, want %d idle", s, maxLent+1)
	}
	again := echoCall(t, lending, m, 100_000, 104)
	if s := m.Stats(); s.Busy != 1 || s.Idle != maxLent {
		t.Fatalf("a reply after the releases left the pool %+v, want it lent again, from the instances made", s)
	}
	again.Release()
}

// TestLentReplyDropped checks that a lent reply never released costs its
// instance, thrown away rather than reused once the Result is collected,
// and frees its slot and the module's loan for the next reply.
func TestLentReplyDropped(t *testing.T) {
	lending := WithLentReply(context.Background())
	m := loadGo(t, "../guests/echo", ModuleConfig{})
	echoCall(t, lending, m, 100_000, 1) // dropped
	deadline := time.Now().Add(10 * time.Second)
	for m.Stats().Busy != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("a dropped lent reply still holds its instance: %+v", m.Stats())
		}
		goruntime.GC()
		time.Sleep(time.Millisecond)
	}
	if s := m.Stats(); s.Idle != 0 {
		t.Fatalf("the instance of a dropped lent reply went back to the pool: %+v", s)
	}
	r := echoCall(t, lending, m, 100_000, 2)
	if s := m.Stats(); s.Busy != 1 {
		t.Fatalf("the reply after a dropped one was not lent: %+v", s)
	}
	r.Release()
}
