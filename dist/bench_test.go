package dist

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/erltest"
)

// benchPayload is the message of the throughput benchmarks: a small tuple
// like most messages between processes, {bench, I, <<32 bytes>>}.
func benchPayload(i int) etf.Term {
	return etf.Tuple{etf.Atom("bench"), etf.Int(i), etf.Binary("0123456789abcdef0123456789abcdef")}
}

const benchPayloadElixir = `{:bench, i, "0123456789abcdef0123456789abcdef"}`

// benchSink is an Elixir process registered as :bench_sink that, told
// {:count, N, To}, takes N messages and then sends :done to To.
const benchSink = `defmodule BenchSink do ` +
	`def serve, do: (receive do {:count, n, to} -> take(n); send(to, :done) end; serve()); ` +
	`defp take(0), do: :ok; ` +
	`defp take(n), do: (receive do {:bench, _, _} -> take(n - 1) end) end; ` +
	`Process.register(spawn(&BenchSink.serve/0), :bench_sink)`

// BenchmarkInteropThroughput measures messages per second over one loopback
// connection, Elixir to Go and Go to Elixir, beside Elixir to Elixir on the
// same machine in the same run. Each message is a REG_SEND of benchPayload;
// a run ends when the receiver has taken the last message.
//
//	go test ./dist -run '^$' -bench InteropThroughput -benchtime 200000x -count 5
func BenchmarkInteropThroughput(b *testing.B) {
	erltest.Elixir(b)
	epmdAddr := erltest.Epmd(b)
	g := startGoNode(b, epmdAddr)
	// Messages to bench_sink are counted on the reader goroutine, as a
	// node's mailbox would take them, so that the sender is never held up
	// by a test channel.
	var arrived, want atomic.Int64
	last := make(chan struct{}, 1)
	others := g.cfg.Handler
	g.cfg.Handler = func(c *Conn, m Control) {
		if rs, ok := m.(RegSend); ok && rs.To == "bench_sink" {
			if arrived.Add(1) == want.Load() {
				last <- struct{}{}
			}
			return
		}
		others(c, m)
	}
	ex1 := erltest.StartNode(b, erltest.NodeConfig{Cookie: interopCookie, Epmd: epmdAddr, Elixir: true})
	ex2 := erltest.StartNode(b, erltest.NodeConfig{Cookie: interopCookie, Epmd: epmdAddr, Elixir: true})
	ex1.WaitUp(b)
	ex2.Eval(b, benchSink)
	ex1.Eval(b, benchSink)
	if got := ex1.Eval(b, fmt.Sprintf("Node.ping(:%q)", ex2.Name)); got != ":pong" {
		b.Fatalf("elixir nodes do not connect: %s", got)
	}
	c, err := g.dial(b, ex1.Name)
	if err != nil {
		b.Fatal(err)
	}
	me := g.pid(5)

	b.Run("elixir-to-go", func(b *testing.B) {
		send := fmt.Sprintf("Enum.each(1..%d, fn i -> send({:bench_sink, :%q}, %s) end)", b.N, string(g.name), benchPayloadElixir)
		arrived.Store(0)
		want.Store(int64(b.N))
		b.ResetTimer()
		start := time.Now()
		ex1.Eval(b, send)
		select {
		case <-last:
		case <-time.After(time.Minute):
			b.Fatalf("%d of %d messages after a minute", arrived.Load(), b.N)
		}
		reportRate(b, start)
	})
	b.Run("go-to-elixir", func(b *testing.B) {
		b.ResetTimer()
		start := time.Now()
		count := etf.Tuple{etf.Atom("count"), etf.Int(b.N), etf.Tuple{etf.Atom("bench_done"), g.name}}
		if err := c.Send(RegSend{From: me, To: "bench_sink", Message: count}); err != nil {
			b.Fatal(err)
		}
		for i := range b.N {
			if err := c.Send(RegSend{From: me, To: "bench_sink", Message: benchPayload(i)}); err != nil {
				b.Fatal(err)
			}
		}
		if d := g.next(b); d.msg.(RegSend).To != "bench_done" {
			b.Fatalf("got %#v, not :done", d.msg)
		}
		reportRate(b, start)
	})
	b.Run("elixir-to-elixir", func(b *testing.B) {
		sink := fmt.Sprintf("{:bench_sink, :%q}", ex2.Name)
		send := fmt.Sprintf("send(%s, {:count, %d, self()}); Enum.each(1..%d, fn i -> send(%s, %s) end); receive do :done -> :ok end",
			sink, b.N, b.N, sink, benchPayloadElixir)
		b.ResetTimer()
		start := time.Now()
		ex1.Eval(b, send)
		reportRate(b, start)
	})
}

// BenchmarkSend measures messages per second between two Go connections
// over loopback TCP, the baseline of what this package costs: small
// messages, and 1 MiB binaries (fragmented), decoded or kept raw.
func BenchmarkSend(b *testing.B) {
	large := etf.Binary(make([]byte, 1<<20))
	call := etf.Binary(make([]byte, 100<<10)) // the 100 KB request of bench's calls
	callRaw, err := etf.Encode(call)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		msg     func(i int) etf.Term
		raw     bool
		release bool // the handler gives lent buffers back, as a Wasm server's node does
	}{
		{"small", benchPayload, false, false},
		{"small raw", benchPayload, true, false},
		{"1MiB", func(int) etf.Term { return large }, false, false},
		{"1MiB raw", func(int) etf.Term { return large }, true, false},
		{"100KB raw", func(int) etf.Term { return call }, true, false},
		// As a Wasm server's reply is sent: encoded already.
		{"100KB raw both ways", func(int) etf.Term { return etf.Raw(callRaw[1:]) }, true, false},
		{"100KB raw both ways, released", func(int) etf.Term { return etf.Raw(callRaw[1:]) }, true, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			received := make(chan struct{}, 1024)
			handler := func(_ *Conn, m Control) {
				if s, ok := m.(RegSend); ok && bc.release {
					s.Buffer.Release() // the message is not read
				}
				received <- struct{}{}
			}
			a, _ := tcpPair(b, func(c *Config) { c.Handler = handler; c.RawPayloads = bc.raw })
			encoded, err := etf.Encode(bc.msg(0))
			if err != nil {
				b.Fatal(err)
			}
			// At most 64 MiB in flight, as a node would hold its senders
			// back: Send never blocks, and the queue is bounded.
			inFlight := make(chan struct{}, max(1, 64<<20/len(encoded)))
			failed := make(chan error, 1)
			b.SetBytes(int64(len(encoded)))
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			go func() {
				for i := range b.N {
					inFlight <- struct{}{}
					if err := a.Send(RegSend{From: pid, To: "sink", Message: bc.msg(i)}); err != nil {
						failed <- err
						return
					}
				}
			}()
			for range b.N {
				select {
				case <-received:
					<-inFlight
				case err := <-failed:
					b.Fatal(err)
				}
			}
			reportRate(b, start)
		})
	}
}

// tcpPair connects two Go nodes over loopback TCP.
func tcpPair(b testing.TB, modify func(*Config)) (dialed, accepted *Conn) {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	dialer, _ := testConfig("a@host")
	acceptor, _ := testConfig("b@host")
	modify(dialer)
	modify(acceptor)
	done := make(chan handshakeResult, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			done <- handshakeResult{err: err}
			return
		}
		c, err := Accept(context.Background(), nc, acceptor)
		done <- handshakeResult{c, err}
	}()
	dialed, err = Dial(context.Background(), ln.Addr().String(), "b@host", dialer)
	if err != nil {
		b.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		b.Fatal(r.err)
	}
	for _, c := range []*Conn{dialed, r.conn} {
		b.Cleanup(func() { c.Close(); <-c.Done() })
	}
	return dialed, r.conn
}

func reportRate(b *testing.B, start time.Time) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}
