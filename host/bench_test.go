package host

import (
	"context"
	"runtime"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// sleeper is the smallest server: Init keeps its argument as state, and the
// process then waits.
type sleeper struct{ Defaults }

func (sleeper) Init(_ *Process, args etf.Term) Result { return Ok(args) }

func (sleeper) HandleCall(_ *Process, req etf.Term, _ From, state etf.Term) Result {
	return Reply(req, state)
}

func (sleeper) HandleInfo(_ *Process, _, state etf.Term) Result { return NoReply(state) }

// BenchmarkSpawn starts servers whose Init runs, and leaves them idle.
func BenchmarkSpawn(b *testing.B) {
	n := NewNode(Config{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.Start(sleeper{}, nil, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "spawns/s")
}

// BenchmarkIdleMemory measures what an idle process costs, state excluded:
// the heap and stack in use after spawning count processes, divided by
// count. The baseline is a parked goroutine per process, each blocked on
// a channel of its own, measured the same way in the same run.
func BenchmarkIdleMemory(b *testing.B) {
	const count = 100_000
	b.Run("process", func(b *testing.B) {
		for b.Loop() {
			n := NewNode(Config{})
			perProc := memoryOf(func() {
				for range count {
					if _, err := n.Start(sleeper{}, nil, Options{}); err != nil {
						b.Fatal(err)
					}
				}
			}, count)
			b.ReportMetric(perProc, "bytes/proc")
			runtime.KeepAlive(n)
		}
	})
	b.Run("parked-goroutine", func(b *testing.B) {
		for b.Loop() {
			chans := make([]chan struct{}, count)
			perProc := memoryOf(func() {
				for i := range chans {
					ch := make(chan struct{})
					chans[i] = ch
					go func() { <-ch }()
				}
			}, count)
			b.ReportMetric(perProc, "bytes/proc")
			for _, ch := range chans {
				close(ch)
			}
		}
	})
}

// memoryOf returns the heap and stack bytes that spawn leaves in use,
// divided by count.
func memoryOf(spawn func(), count int) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	spawn()
	runtime.GC()
	runtime.ReadMemStats(&after)
	used := (after.HeapAlloc + after.StackInuse) - (before.HeapAlloc + before.StackInuse)
	return float64(used) / float64(count)
}

// BenchmarkSend sends messages from outside to one server, which handles
// them with HandleInfo; a call at the end waits until it has handled them
// all. The baseline sends the same values over a buffered Go channel to a
// goroutine.
func BenchmarkSend(b *testing.B) {
	msg := etf.Term(etf.Atom("hello"))
	b.Run("process", func(b *testing.B) {
		n := NewNode(Config{})
		pid, err := n.Start(sleeper{}, nil, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := n.Send(pid, msg); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := n.Call(context.Background(), pid, msg, Infinity); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("channel", func(b *testing.B) {
		ch := make(chan etf.Term, 1024)
		done := make(chan struct{})
		go func() {
			for range ch {
			}
			close(done)
		}()
		b.ReportAllocs()
		for b.Loop() {
			ch <- msg
		}
		close(ch)
		<-done
	})
}

// BenchmarkCall makes gen_server calls from one process to another and
// waits for each reply. The baseline is a round trip between two
// goroutines over two Go channels.
func BenchmarkCall(b *testing.B) {
	req := etf.Term(etf.Atom("ping"))
	b.Run("process", func(b *testing.B) {
		n := NewNode(Config{})
		pid, err := n.Start(sleeper{}, nil, Options{})
		if err != nil {
			b.Fatal(err)
		}
		caller := n.newProcess(nil)
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			if _, err := caller.Call(ctx, pid, req, Infinity); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("channel", func(b *testing.B) {
		reqs, replies := make(chan etf.Term), make(chan etf.Term)
		go func() {
			for r := range reqs {
				replies <- r
			}
		}()
		b.ReportAllocs()
		for b.Loop() {
			reqs <- req
			<-replies
		}
		close(reqs)
	})
}
