package host

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
)

// copier is a Go server that copies each request, as a Wasm module does,
// and says so (it is a messageCopier), so its lent messages' buffers go
// back for reuse. It replies with the size of its copy, and records where
// each request lay, without reading there again, to see a buffer come
// back.
type copier struct {
	Defaults
	mu sync.Mutex
	at []*byte
}

func (c *copier) copiesMessages() {}

func (c *copier) Init(_ *Process, args etf.Term) Result { return Ok(args) }

func (c *copier) HandleCall(_ *Process, req etf.Term, _ From, state etf.Term) Result {
	raw := req.(etf.Raw)
	c.mu.Lock()
	c.at = append(c.at, &raw[0])
	c.mu.Unlock()
	return Reply(etf.Int(len(bytes.Clone(raw))), state)
}

// reused reports whether two requests lay at the same place.
func (c *copier) reused() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := map[*byte]bool{}
	for _, p := range c.at {
		if seen[p] {
			return true
		}
		seen[p] = true
	}
	return false
}

// keeper is a Go server that keeps every request it gets in its state,
// as a server may: their buffers must never be reused.
type keeper struct {
	Defaults
	mu   sync.Mutex
	kept []etf.Raw
}

func (k *keeper) Init(_ *Process, args etf.Term) Result { return Ok(args) }

func (k *keeper) HandleCall(_ *Process, req etf.Term, _ From, state etf.Term) Result {
	k.mu.Lock()
	k.kept = append(k.kept, req.(etf.Raw))
	k.mu.Unlock()
	return Reply(etf.Atom("ok"), state)
}

// largeRequest is a binary of 100 KB, which goes in fragments, all of
// whose bytes are fill.
func largeRequest(fill byte) etf.Binary {
	return etf.Binary(bytes.Repeat([]byte{fill}, 100_000))
}

// TestLentBuffers calls, from another node and at once, servers that give
// the buffers of their large requests back (a Go copier and a Wasm echo)
// and a server that keeps its requests: what the keeper kept is never
// overwritten by later requests, and, run with -race, a buffer goes back
// only once its server has copied it. Then it calls the copier alone and
// checks that its buffers come back for reuse. (Replies come back as
// large messages to the client, on the same pool, so the copier's are
// small.)
func TestLentBuffers(t *testing.T) {
	addr := testEPMD(t)
	client, server := startNet(t, addr), startNet(t, addr)
	cp, kp := &copier{}, &keeper{}
	wasmEcho := loadGuest(t, testWasm(t, server), "echo", abi.ModuleConfig{})
	for name, b := range map[etf.Atom]Behaviour{"copier": cp, "keeper": kp, "wasm_echo": wasmEcho} {
		if _, err := server.Start(b, etf.List{}, Options{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	const rounds = 20
	calls := func(name etf.Atom, fill byte, want func(req etf.Term) etf.Term) error {
		for i := range rounds {
			req := largeRequest(fill + byte(i))
			reply, err := client.Call(ctx(t), etf.Tuple{name, server.Name()}, req, wait)
			if err != nil {
				return fmt.Errorf("call %s: %w", name, err)
			}
			if got, want := mustDecode(t, reply), want(req); !etf.Equal(got, want) {
				return fmt.Errorf("%s replied %.40v, want %.40v", name, got, want)
			}
		}
		return nil
	}
	copied := func(etf.Term) etf.Term { return etf.Int(5 + 100_000) } // BINARY_EXT
	streams := []func() error{
		func() error { return calls("copier", 0, copied) },
		func() error { return calls("wasm_echo", 50, func(req etf.Term) etf.Term { return req }) },
		func() error { return calls("keeper", 100, func(etf.Term) etf.Term { return etf.Atom("ok") }) },
	}
	errs := make(chan error, len(streams))
	for _, stream := range streams {
		go func() { errs <- stream() }()
	}
	for range streams {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	kp.mu.Lock()
	if len(kp.kept) != rounds {
		t.Fatalf("the keeper kept %d requests, want %d", len(kp.kept), rounds)
	}
	for i, raw := range kp.kept {
		if got, want := mustDecode(t, raw), largeRequest(100+byte(i)); !etf.Equal(got, want) {
			t.Errorf("kept request %d was overwritten: %.40v, want %.40v", i, got, want)
		}
	}
	kp.mu.Unlock()

	cp.mu.Lock()
	cp.at = nil
	cp.mu.Unlock()
	if err := calls("copier", 150, copied); err != nil {
		t.Fatal(err)
	}
	if !cp.reused() {
		t.Errorf("none of the copier's %d requests lay where an earlier one did: no buffer came back", rounds)
	}
}

// releasingServer replies to every call with a large reply whose memory
// it gives up, as a Wasm server's result: its release writes over the
// memory, as its next user might, and counts.
type releasingServer struct {
	Defaults
	released chan struct{}
}

func (s *releasingServer) Init(_ *Process, args etf.Term) Result { return Ok(args) }

func (s *releasingServer) HandleCall(_ *Process, req etf.Term, _ From, state etf.Term) Result {
	raw, err := etf.AppendTerm(nil, largeRequest(7))
	if err != nil {
		panic(err)
	}
	r := Reply(etf.Raw(raw), state)
	r.release = func() {
		clear(raw)
		s.released <- struct{}{}
	}
	return r
}

// TestReplyReleased checks that a reply whose memory its server gives up
// is released once written to a caller on another node, which receives
// it whole, and is never released when the caller is on the server's
// node, which keeps it.
func TestReplyReleased(t *testing.T) {
	addr := testEPMD(t)
	client, server := startNet(t, addr), startNet(t, addr)
	s := &releasingServer{released: make(chan struct{}, 1)}
	if _, err := server.Start(s, etf.List{}, Options{Name: "releasing"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		caller   *Node
		released bool
	}{
		{name: "caller on another node", caller: client, released: true},
		{name: "caller on the same node", caller: server, released: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply, err := tt.caller.Call(ctx(t), etf.Tuple{etf.Atom("releasing"), server.Name()}, etf.Atom("get"), wait)
			if err != nil {
				t.Fatal(err)
			}
			got := mustDecode(t, reply)
			if tt.released {
				select {
				case <-s.released:
				case <-ctx(t).Done():
					t.Fatal("the reply written to the caller's node was not released")
				}
			}
			// Released or not, what the caller got is whole.
			if !etf.Equal(got, largeRequest(7)) {
				t.Errorf("the caller got %.40v, want the reply as sent", got)
			}
			if !tt.released {
				// A reply on this node is never handed to the connection,
				// so nothing would release it: a second one shows none came.
				if _, err := tt.caller.Call(ctx(t), etf.Tuple{etf.Atom("releasing"), server.Name()}, etf.Atom("get"), wait); err != nil {
					t.Fatal(err)
				}
				select {
				case <-s.released:
					t.Error("a reply to a caller on the server's node was released")
				default:
				}
			}
		})
	}
}

// TestWasmReplyRelease checks which results of a Wasm server give their
// memory up with the reply: a reply, once the state that shared its
// memory is copied, and nothing else.
func TestWasmReplyRelease(t *testing.T) {
	large, small, state := etf.Raw(make([]byte, 100_000)), etf.Raw{97, 1}, etf.Raw{97, 2}
	tests := []struct {
		name   string
		result abi.Result
		want   bool
	}{
		{name: "large reply", result: abi.Result{Tag: abi.TagReply, Reply: large, State: state}, want: true},
		{name: "small reply, sharing the state's memory", result: abi.Result{Tag: abi.TagReply, Reply: small, State: state}, want: false},
		{name: "stop with a large reply, keeping the state", result: abi.Result{Tag: abi.TagStop, Reason: etf.Raw{100, 0, 1, 'x'}, Reply: large, State: state}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			released := false
			tt.result.Release = func() { released = true }
			res, err := wasmResult(tt.result, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.release != nil {
				res.release()
			}
			if released != tt.want {
				t.Errorf("released with the reply: %v, want %v", released, tt.want)
			}
		})
	}
}
