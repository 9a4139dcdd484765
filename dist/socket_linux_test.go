package dist

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// socketPair returns the two ends of a loopback TCP connection, closed
// when the test ends.
func socketPair(t *testing.T) (dialed, accepted *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	a, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return d.(*net.TCPConn), a.(*net.TCPConn)
}

func TestSocket(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, dialed, accepted *net.TCPConn)
	}{
		{name: "a write larger than the socket's buffers waits for the reader, and every byte arrives in order", run: func(t *testing.T, dialed, accepted *net.TCPConn) {
			want := make([]byte, 16<<20)
			for i := range want {
				want[i] = byte(i * 7)
			}
			_, w := newSocket(dialed)
			wrote := make(chan error, 1)
			go func() {
				_, err := w.Write(want)
				wrote <- err
			}()
			r, _ := newSocket(accepted)
			got := make([]byte, len(want))
			// Small reads, so that the writer fills the buffers and waits.
			for n := 0; n < len(got); {
				m, err := r.Read(got[n:min(n+4096, len(got))])
				if err != nil {
					t.Fatalf("read after %d bytes: %v", n, err)
				}
				n += m
			}
			if err := <-wrote; err != nil {
				t.Fatalf("write: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("the bytes read are not the bytes written")
			}
		}},
		{name: "buffers larger than the socket's buffers, more than one writev takes, some empty, are written whole and in order", run: func(t *testing.T, dialed, accepted *net.TCPConn) {
			var want []byte
			var bufs net.Buffers
			for i, size := range []int{23, 0, 4 << 20, 1, 0, 3 << 20, 64 << 10} {
				b := bytes.Repeat([]byte{byte(i + 1)}, size)
				bufs = append(bufs, b)
				want = append(want, b...)
			}
			for i := range 3 * maxIovecs { // more than one writev takes
				bufs = append(bufs, []byte{byte(i)})
				want = append(want, byte(i))
			}
			_, w := newSocket(dialed)
			wrote := make(chan error, 1)
			go func() { wrote <- w.(buffersWriter).WriteBuffers(bufs) }()
			got := make([]byte, len(want))
			if _, err := io.ReadFull(accepted, got); err != nil {
				t.Fatalf("read: %v", err)
			}
			if err := <-wrote; err != nil {
				t.Fatalf("write: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatal("the bytes read are not the bytes written")
			}
		}},
		{name: "buffers written to a closed socket fail", run: func(t *testing.T, dialed, accepted *net.TCPConn) {
			_, w := newSocket(dialed)
			dialed.Close()
			if err := w.(buffersWriter).WriteBuffers(net.Buffers{[]byte("x")}); !errors.Is(err, net.ErrClosed) {
				t.Fatalf("write: %v, want net.ErrClosed", err)
			}
		}},
		{name: "a read after the peer closed returns io.EOF", run: func(t *testing.T, dialed, accepted *net.TCPConn) {
			if _, err := dialed.Write([]byte("last")); err != nil {
				t.Fatal(err)
			}
			dialed.Close()
			r, _ := newSocket(accepted)
			got, err := io.ReadAll(r)
			if err != nil || string(got) != "last" {
				t.Fatalf("read %q, %v; want \"last\" then io.EOF", got, err)
			}
		}},
		{name: "a read past the read deadline fails with os.ErrDeadlineExceeded", run: func(t *testing.T, dialed, accepted *net.TCPConn) {
			accepted.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
			r, _ := newSocket(accepted)
			if _, err := r.Read(make([]byte, 8)); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("read: %v, want os.ErrDeadlineExceeded", err)
			}
		}},
		{name: "a read waiting when the socket is closed fails with net.ErrClosed", run: func(t *testing.T, dialed, accepted *net.TCPConn) {
			r, _ := newSocket(accepted)
			read := make(chan error, 1)
			go func() {
				_, err := r.Read(make([]byte, 8))
				read <- err
			}()
			time.Sleep(10 * time.Millisecond) // let it wait, most often; either way it must fail
			accepted.Close()
			if err := <-read; !errors.Is(err, net.ErrClosed) {
				t.Fatalf("read: %v, want net.ErrClosed", err)
			}
		}},
		{name: "a write to a closed socket fails", run: func(t *testing.T, dialed, accepted *net.TCPConn) {
			_, w := newSocket(dialed)
			dialed.Close()
			if _, err := w.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
				t.Fatalf("write: %v, want net.ErrClosed", err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dialed, accepted := socketPair(t)
			tc.run(t, dialed, accepted)
		})
	}
}

// TestSocketWithoutDescriptor checks that a connection with no descriptor,
// such as net.Pipe's, is read and written as it is.
func TestSocketWithoutDescriptor(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	r, w := newSocket(a)
	if r != io.Reader(a) || w != io.Writer(a) {
		t.Fatalf("newSocket(net.Pipe) = %T, %T; want the pipe itself", r, w)
	}
}
