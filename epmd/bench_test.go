package epmd

import (
	"context"
	"log/slog"
	"testing"

	"github.com/creo-dev/creo/internal/erltest"
)

// BenchmarkEPMD times each request against a real epmd and the embedded
// server in the same run, so their ratio can be quoted.
func BenchmarkEPMD(b *testing.B) {
	servers := []struct {
		name  string
		start func(b *testing.B) string
	}{
		{"real epmd", func(b *testing.B) string { return erltest.Epmd(b) }},
		{"embedded", func(b *testing.B) string {
			return startServer(b, ServerConfig{Logger: slog.New(slog.DiscardHandler)}).Addr().String()
		}},
	}
	ctx := context.Background()
	requests := []struct {
		name string
		do   func(b *testing.B, addr string)
	}{
		{"Lookup", func(b *testing.B, addr string) {
			if _, err := Lookup(ctx, addr, "bench"); err != nil {
				b.Fatal(err)
			}
		}},
		{"Names", func(b *testing.B, addr string) {
			if _, err := Names(ctx, addr); err != nil {
				b.Fatal(err)
			}
		}},
		{"Register+Close", func(b *testing.B, addr string) {
			// Close returns once the name is free, so it is taken again.
			r, err := Register(ctx, addr, Node{Name: "bench_reg", Port: 1})
			if err != nil {
				b.Fatal(err)
			}
			r.Close()
		}},
	}
	for _, srv := range servers {
		b.Run(srv.name, func(b *testing.B) {
			addr := srv.start(b)
			reg, err := Register(ctx, addr, Node{Name: "bench", Port: 5001})
			if err != nil {
				b.Fatal(err)
			}
			defer reg.Close()
			for _, req := range requests {
				b.Run(req.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						req.do(b, addr)
					}
				})
			}
		})
	}
}
