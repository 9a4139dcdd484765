package host

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
)

// remoteEcho is a Wasm echo on one node, server, registered as to's name,
// and another node, client, to call it from.
type remoteEcho struct {
	client, server *Node
	module         *WasmModule
	pid            etf.Pid
	to             etf.Tuple
}

// startRemoteEcho starts the nodes and the echo of a remoteEcho. The echo
// is killed when the test ends, before its Wasm closes, which must not
// happen under a callback: a request cut off by a disconnect may still
// come in on the connection being closed.
func startRemoteEcho(t *testing.T, name etf.Atom) remoteEcho {
	t.Helper()
	addr := testEPMD(t)
	e := remoteEcho{client: startNet(t, addr), server: startNet(t, addr)}
	e.module = loadGuest(t, testWasm(t, e.server), "echo", abi.ModuleConfig{})
	pid, err := e.server.Start(e.module, etf.List{}, Options{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { kill(t, e.server, pid) })
	e.pid, e.to = pid, etf.Tuple{name, e.server.Name()}
	return e
}

// TestLentBuffersBehaviourChange calls, from another node, a server whose
// behaviour changes between a Go keeper, which keeps its requests, and a
// Wasm echo, which gives their buffers back: whatever a keeper kept is
// never given back, even a call that came while the server ran the Wasm
// echo and waited, suspended, in its mailbox while its code changed to a
// keeper. Each Wasm phase makes the buffers given back be read into again,
// so a kept request released by mistake would be overwritten (run with
// -tags bufpoison to have every release write over its buffer, and -race).
func TestLentBuffersBehaviourChange(t *testing.T) {
	const name etf.Atom = "changing"
	e := startRemoteEcho(t, name)
	client, server, wasmEcho, pid, to := e.client, e.server, e.module, e.pid, e.to
	fill := byte(0)
	// call makes one large call, whose request is all fill, and checks
	// the reply: the request echoed, or the keeper's ok.
	call := func(echoed bool) error {
		fill++
		req := largeRequest(fill)
		reply, err := client.Call(ctx(t), to, req, wait)
		if err != nil {
			return err
		}
		want := etf.Term(etf.Atom("ok"))
		if echoed {
			want = req
		}
		if got := mustDecode(t, reply); !etf.Equal(got, want) {
			return fmt.Errorf("reply %.40v, want %.40v", got, want)
		}
		return nil
	}
	calls := func(n int, echoed bool) {
		t.Helper()
		for range n {
			if err := call(echoed); err != nil {
				t.Fatal(err)
			}
		}
	}
	change := func(b Behaviour) {
		t.Helper()
		if err := server.ChangeCode(ctx(t), name, b, etf.Atom("undefined"), etf.List{}); err != nil {
			t.Fatal(err)
		}
	}
	// checkKept checks that each of k's requests is still all the fill it
	// was sent with, from first on.
	checkKept := func(k *keeper, first byte) {
		t.Helper()
		k.mu.Lock()
		defer k.mu.Unlock()
		for i, raw := range k.kept {
			if got, want := mustDecode(t, raw), largeRequest(first+byte(i)); !etf.Equal(got, want) {
				t.Errorf("kept request %d was overwritten: %.40v, want %.40v", i, got, want)
			}
		}
	}

	calls(3, true)
	first := &keeper{}
	change(first)
	firstFrom := fill + 1
	calls(5, false)
	change(wasmEcho)
	calls(5, true)
	checkKept(first, firstFrom)

	// Calls that arrive while the server runs the Wasm echo, but wait,
	// suspended, until its code changed to a keeper.
	if err := server.Suspend(ctx(t), name); err != nil {
		t.Fatal(err)
	}
	const queued = 4
	secondFrom := fill + 1
	done := make(chan error, queued)
	for range queued {
		fill++
		req := largeRequest(fill)
		go func() {
			_, err := client.Call(ctx(t), to, req, wait)
			done <- err
		}()
	}
	waitQueued(t, server, pid, queued)
	second := &keeper{}
	change(second)
	if err := server.Resume(ctx(t), name); err != nil {
		t.Fatal(err)
	}
	for range queued {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	change(wasmEcho)
	calls(5, true)
	checkKept(first, firstFrom)
	second.mu.Lock()
	kept := len(second.kept)
	second.mu.Unlock()
	if kept != queued {
		t.Fatalf("the second keeper kept %d requests, want %d", kept, queued)
	}
	// The queued calls went in goroutines, so the keeper kept them in any
	// order: each must be whole, one of the fills sent.
	second.mu.Lock()
	defer second.mu.Unlock()
	for i, raw := range second.kept {
		got, ok := mustDecode(t, raw).(etf.Binary)
		if !ok || len(got) != len(largeRequest(0)) || got[0] < secondFrom || got[0] >= secondFrom+queued || !etf.Equal(got, largeRequest(got[0])) {
			t.Errorf("queued request %d, kept by the keeper, was overwritten: %.40v", i, got)
		}
	}
}

// waitQueued waits until the mailbox of pid holds n messages.
func waitQueued(t *testing.T, n *Node, pid etf.Pid, want int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		info, ok := n.ProcessInfo(pid)
		if !ok {
			t.Fatal("the server is gone")
		}
		if info.MessageQueueLen >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server's mailbox holds %d messages, want %d", info.MessageQueueLen, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestLentBuffersAcrossDisconnects calls a Wasm echo on another node with
// large requests from several goroutines while the server drops its
// connection to the caller, again and again: fragmented requests and
// replies are cut off mid-way, and a reply's memory is given back only
// once it is written whole. Every call that succeeds gets its own request
// back, whole, and calls made once the connection stays up all do (run
// with -tags bufpoison and -race to see a buffer given back too early).
func TestLentBuffersAcrossDisconnects(t *testing.T) {
	e := startRemoteEcho(t, "echo")
	client, server, to := e.client, e.server, e.to
	// call makes a call with a request all of fill, and reports whether it
	// succeeded; a reply other than the request is an error.
	call := func(fill byte) (bool, error) {
		req := largeRequest(fill)
		reply, err := client.Call(ctx(t), to, req, wait)
		if err != nil {
			return false, nil // cut off by a disconnect
		}
		if got := mustDecode(t, reply); !etf.Equal(got, req) {
			return true, fmt.Errorf("the reply to a request of %d is %.40v", fill, got)
		}
		return true, nil
	}
	const callers, rounds = 3, 15
	errs := make(chan error, callers)
	ended := make(chan struct{}, callers*rounds)
	var cut atomic.Int32
	for c := range callers {
		go func() {
			for i := range rounds {
				ok, err := call(byte(c*rounds + i))
				if err != nil {
					errs <- err
					return
				}
				if !ok {
					cut.Add(1)
				}
				ended <- struct{}{}
			}
			errs <- nil
		}()
	}
	// Every fourth call to end drops the connection, cutting off the
	// calls of the other callers wherever they are.
	cutting := make(chan struct{})
	go func() {
		defer close(cutting)
		for i := 1; i <= callers*rounds; i++ {
			<-ended
			if i%4 == 0 {
				server.Disconnect(client.Name())
			}
		}
	}()
	for range callers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	<-cutting
	t.Logf("%d of %d calls were cut off by a disconnect", cut.Load(), callers*rounds)
	// The caller's node may learn of the last disconnect only after its
	// next call went out on the connection being closed: that call may fail
	// with nodedown, and the next ones reconnect.
	for i := 0; ; i++ {
		ok, err := call(byte(190 + i))
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if i == 5 {
			t.Fatal("no call succeeded after the disconnects")
		}
	}
	for i := range 5 {
		req := largeRequest(byte(200 + i))
		reply, err := client.Call(ctx(t), to, req, wait)
		if err != nil {
			t.Fatalf("call %d, once the connection stayed up: %v", i, err)
		}
		if got := mustDecode(t, reply); !etf.Equal(got, req) {
			t.Fatalf("call %d, once the connection stayed up: reply %.40v", i, got)
		}
	}
}

// TestLentCastsSentOn casts {send, Pid, Msg} with a large Msg to a Wasm
// echo on another node, which sends Msg on to a probe on the caster's
// node, while large calls to the echo read other requests into the
// buffers its casts give back: the probe receives every Msg, whole and in
// order, though each cast's buffer went back as soon as handle_cast
// returned.
func TestLentCastsSentOn(t *testing.T) {
	e := startRemoteEcho(t, "echo")
	client, to := e.client, e.to
	pr := startProbe(t, client, nil)
	const casts = 20
	calls := make(chan error, 1)
	go func() {
		for i := range casts {
			req := largeRequest(byte(100 + i))
			reply, err := client.Call(ctx(t), to, req, wait)
			if err == nil && !etf.Equal(mustDecode(t, reply), req) {
				err = fmt.Errorf("call %d: the reply is not the request", i)
			}
			if err != nil {
				calls <- err
				return
			}
		}
		calls <- nil
	}()
	for i := range casts {
		client.Cast(to, etf.Tuple{etf.Atom("send"), pr.pid, largeRequest(byte(i))})
	}
	for i := range casts {
		if got, want := mustDecode(t, pr.recv(t)), largeRequest(byte(i)); !etf.Equal(got, want) {
			t.Fatalf("message %d sent on is %.40v, want %.40v", i, got, want)
		}
	}
	if err := <-calls; err != nil {
		t.Fatal(err)
	}
}
