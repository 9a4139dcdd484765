package abi

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/abiname"
)

// callingGuest is a guest whose handle_call makes a call to another server
// through the host, then replies done.
func callingGuest() []byte {
	g := okGuest(etf.Int(0))
	call := g.importHost(abiname.Call)
	dest, destLen := g.term(etf.Atom("other"))
	req, reqLen := g.term(etf.Atom("req"))
	g.callback(abiname.HandleCall, cat(
		i32c(int32(dest)), i32c(int32(destLen)), i32c(int32(req)), i32c(int32(reqLen)),
		i32c(abiname.Infinity), i32c(4096), i32c(1024), callFn(call), []byte{opDrop},
		g.returns(etf.Tuple{etf.Atom("reply"), etf.Atom("done"), etf.Int(0)})))
	return g.bytes()
}

func TestPoolConcurrentCallbacks(t *testing.T) {
	const max, workers, calls = 3, 8, 50
	g := okGuest(etf.Int(0))
	g.callback(abiname.HandleCast, g.returns(etf.Tuple{etf.Atom("noreply"), etf.Int(1)}))
	m := load(t, g.bytes(), ModuleConfig{MaxInstances: max, PoolWait: time.Minute})
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			p := newFakeProcess()
			for range calls {
				res, err := m.HandleCast(context.Background(), p, etf.Atom("x"), etf.Int(0))
				if err != nil || string(res.State) != string([]byte{97, 1}) {
					errs <- errors.Join(err, errors.New("wrong result"))
					return
				}
				if st := m.Stats(); st.Busy+st.Idle > max {
					errs <- errors.New("pool over its size")
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st := m.Stats(); st.Busy != 0 || st.Idle < 1 || st.Idle > max {
		t.Errorf("Stats = %+v, want nothing busy and 1 to %d idle", st, max)
	}
}

// TestPoolExhausted holds the only instance in a call that blocks, and
// checks that another server's callback fails as {wasm_unavailable, Msg}
// after PoolWait, and that the blocked one completes.
func TestPoolExhausted(t *testing.T) {
	m := load(t, callingGuest(), ModuleConfig{MaxInstances: 1, PoolWait: 20 * time.Millisecond})
	release := holdInstance(m)
	_, err := m.Init(context.Background(), newFakeProcess(), etf.List{})
	f := asFault(t, err, Unavailable)
	want := etf.Tuple{etf.Atom("wasm_unavailable"), etf.Binary("all 1 instances busy for 20ms")}
	if !etf.Equal(f.ExitReason(), want) {
		t.Errorf("reason = %v, want %v", f.ExitReason(), want)
	}
	if err := release(); err != nil {
		t.Errorf("the blocked callback: %v", err)
	}
}

// holdInstance makes a call into m, a module of callingGuest, whose host
// call blocks, and returns once it holds an instance; release lets the
// call end and returns its error.
func holdInstance(m Module) (release func() error) {
	blocked, unblock := make(chan struct{}), make(chan struct{})
	p := newFakeProcess()
	p.call = func(context.Context, etf.Term, etf.Term, time.Duration) (etf.Term, error) {
		close(blocked)
		<-unblock
		return etf.Atom("late"), nil
	}
	done := make(chan error)
	go func() {
		_, err := m.HandleCall(context.Background(), p, etf.Atom("go"), etf.Atom("from"), etf.Int(0))
		done <- err
	}()
	<-blocked
	return func() error {
		close(unblock)
		return <-done
	}
}

// TestDeadlineLeavesOutCalls makes a call that outlasts the deadline: the
// time waiting for the reply does not count.
func TestDeadlineLeavesOutCalls(t *testing.T) {
	m := load(t, callingGuest(), ModuleConfig{Deadline: 200 * time.Millisecond})
	p := newFakeProcess()
	p.call = func(ctx context.Context, dest, req etf.Term, timeout time.Duration) (etf.Term, error) {
		if timeout >= 0 {
			t.Errorf("timeout = %v, want infinity (negative)", timeout)
		}
		time.Sleep(600 * time.Millisecond)
		return etf.Atom("late"), nil
	}
	res, err := m.HandleCall(context.Background(), p, etf.Atom("go"), etf.Atom("from"), etf.Int(0))
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Reply) != string(encode(t, etf.Atom("done"))) {
		t.Errorf("reply = %v", res.Reply)
	}
}

func TestModuleClose(t *testing.T) {
	m := load(t, okGuest(etf.Int(0)).bytes(), ModuleConfig{})
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := m.Init(context.Background(), newFakeProcess(), etf.List{})
	f := asFault(t, err, Unavailable)
	if !etf.Equal(f.Detail, etf.Binary("module closed")) {
		t.Errorf("detail = %v", f.Detail)
	}
}

// TestPoolHandOff has a second server wait for the only instance, which a
// first holds in a blocked call: when the call ends the instance goes to
// the waiter; and a waiter of a module being closed is turned away.
func TestPoolHandOff(t *testing.T) {
	tests := []struct {
		name  string
		close bool // close the module while the second server waits
		want  error
	}{
		{"handed over", false, nil},
		{"module closed", true, ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := load(t, callingGuest(), ModuleConfig{MaxInstances: 1, PoolWait: time.Minute})
			release := holdInstance(m)
			second := make(chan error)
			go func() {
				_, err := m.Init(context.Background(), newFakeProcess(), etf.List{})
				second <- err
			}()
			// Wait until the second server is queued for the instance.
			for waiting := 0; waiting == 0; {
				time.Sleep(time.Millisecond)
				pl := m.(*module).pool
				pl.mu.Lock()
				waiting = len(pl.waiters)
				pl.mu.Unlock()
			}
			if tt.close {
				m.Close(context.Background())
			}
			if err := release(); err != nil {
				t.Errorf("first: %v", err)
			}
			if err := <-second; !errors.Is(err, tt.want) {
				t.Errorf("second: %v, want %v", err, tt.want)
			}
		})
	}
}
