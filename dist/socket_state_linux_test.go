package dist

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
)

// The socket keeps the state of a read and of a write in itself, so that
// they allocate nothing; these tests hold it to that, and show that writes
// from several goroutines still go out whole, one after the other.
func TestSocketState(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, r io.Reader, w io.Writer)
	}{
		{name: "a read, a write and a write of buffers allocate nothing", run: func(t *testing.T, r io.Reader, w io.Writer) {
			bw := w.(buffersWriter)
			out, in := []byte("ping"), make([]byte, 64)
			bufs := make(net.Buffers, 2)
			allocs := testing.AllocsPerRun(200, func() {
				if _, err := w.Write(out); err != nil {
					t.Fatal(err)
				}
				bufs[0], bufs[1] = out, out
				if err := bw.WriteBuffers(bufs); err != nil {
					t.Fatal(err)
				}
				for got := 0; got < 3*len(out); {
					n, err := r.Read(in)
					if err != nil {
						t.Fatal(err)
					}
					got += n
				}
			})
			if allocs != 0 {
				t.Fatalf("%v allocations a round of writes and reads, want 0", allocs)
			}
		}},
		{name: "writes from several goroutines each arrive whole", run: func(t *testing.T, r io.Reader, w io.Writer) {
			const writers, each = 4, 500
			var wg sync.WaitGroup
			for g := range writers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// A record is 64 bytes of the writer's number, written
					// with Write or as two buffers.
					rec := bytes.Repeat([]byte{byte('a' + g)}, 64)
					for i := range each {
						var err error
						if i%2 == 0 {
							_, err = w.Write(rec)
						} else {
							err = w.(buffersWriter).WriteBuffers(net.Buffers{rec[:10], rec[10:]})
						}
						if err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			got := make([]byte, writers*each*64)
			if _, err := io.ReadFull(r, got); err != nil {
				t.Fatal(err)
			}
			wg.Wait()
			for i := 0; i < len(got); i += 64 {
				if rec := got[i : i+64]; !bytes.Equal(rec, bytes.Repeat(rec[:1], 64)) {
					t.Fatalf("record %d mixes two writes: %q", i/64, rec)
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dialed, accepted := socketPair(t)
			r, _ := newSocket(accepted)
			_, w := newSocket(dialed)
			tc.run(t, r, w)
		})
	}
}
