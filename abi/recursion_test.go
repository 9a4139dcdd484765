package abi

import (
	"context"
	"fmt"
	"path/filepath"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/cputime"
	"github.com/creo-dev/creo/internal/wattest"
)

// The guest testdata/fib.wat recurses with no loop at all: fib(60) takes
// hours, in a stack a few hundred bytes deep. Only the checks at function
// entries (abi/internal/interrupt) stop it at its deadline and let the Go
// runtime preempt it.

// fibGuest returns testdata/fib.wasm, assembled from testdata/fib.wat.
func fibGuest(t testing.TB) []byte {
	t.Helper()
	return wattest.Read(t, filepath.Join("testdata", "fib"))
}

// TestFibGuestBuilt checks that testdata/fib.wasm is what fib.wat assembles to.
func TestFibGuestBuilt(t *testing.T) {
	wattest.CheckBuilt(t, filepath.Join("testdata", "fib"))
}

// fibState is the state the fib guest's callbacks get: ok.
var fibState = etf.Raw{119, 2, 'o', 'k'}

// fibCall runs handle_call(N) on the fib guest in a goroutine and returns
// where its error will come.
func fibCall(m Module, p Process, n int) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := call(etf.Int(n))(m, p, fibState)
		done <- err
	}()
	return done
}

// awaitFib waits for a callback fibCall started under deadline. The bound
// is a guard against a hang, far past the deadline, not a measure of it. A
// callback still running then cannot be stopped, and it holds a thread that
// the next garbage collection waits for without end: the test binary
// panics, so the run fails now rather than hangs.
func awaitFib(done <-chan error, deadline time.Duration) error {
	bound := 150 * deadline
	select {
	case err := <-done:
		return err
	case <-time.After(bound):
		panic(fmt.Sprintf("a fib callback under a deadline of %v still runs after %v: its recursion is not interrupted", deadline, bound))
	}
}

// TestDeadlineStopsRecursion runs fib(20) to check that the guest works
// instrumented, then fib(60), which must end at its deadline.
func TestDeadlineStopsRecursion(t *testing.T) {
	const deadline = 200 * time.Millisecond
	m := load(t, fibGuest(t), ModuleConfig{Deadline: deadline})
	p := newFakeProcess()
	res, err := call(etf.Int(20))(m, p, fibState)
	if err != nil || string(res.Reply) != string(encode(t, etf.Int(6765))) {
		t.Fatalf("fib(20): reply %v, %v; want 6765", res.Reply, err)
	}
	f := asFault(t, awaitFib(fibCall(m, p, 60), deadline), Deadline)
	if want := (etf.Tuple{etf.Atom("wasm_deadline"), etf.Int(deadline.Milliseconds())}); !etf.Equal(f.ExitReason(), want) {
		t.Errorf("reason = %v, want %v", f.ExitReason(), want)
	}
}

// TestRecursionLetsGCRun collects garbage while a guest is deep in fib(60).
// A collection stops the world, which waits for every goroutine to reach a
// safe point, the one running the guest too: without the guest's periodic
// calls into Go it would wait for ever, and with it the whole test binary
// (no guard can fire then). The deadline, long enough for the collections
// to end well within it, ends the guest afterwards.
func TestRecursionLetsGCRun(t *testing.T) {
	const deadline = time.Second
	m := load(t, fibGuest(t), ModuleConfig{Deadline: deadline})
	p := newFakeProcess()
	started := make(chan struct{})
	p.call = func(ctx context.Context, dest, req etf.Term, timeout time.Duration) (etf.Term, error) {
		close(started) // the guest calls once, just before it recurses
		return req, nil
	}
	done := fibCall(m, p, 60)
	select {
	case <-started:
	case err := <-done:
		t.Fatalf("fib(60) ended before it recursed: %v", err)
	}
	for range 3 {
		goruntime.GC()
	}
	select {
	case err := <-done:
		t.Fatalf("fib(60) ended before the collections did, so they proved nothing: %v", err)
	default:
	}
	asFault(t, awaitFib(done, deadline), Deadline)
}

// BenchmarkGuestRecursion runs fib(25), 242,785 calls with no loop, per
// callback: the price of the checks at function entries. Compare with a
// build whose checks are at loop heads only.
func BenchmarkGuestRecursion(b *testing.B) {
	for _, mode := range benchModes[:2] { // fib.wasm is instrumented
		b.Run(mode.name, func(b *testing.B) {
			m := load(b, fibGuest(b), ModuleConfig{Trusted: mode.trusted})
			p := newFakeProcess()
			req := etf.Raw{97, 25}
			b.ReportAllocs()
			defer cputime.Report(b, cputime.Used())
			for b.Loop() {
				if _, err := m.HandleCall(context.Background(), p, req, benchFrom, fibState); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
