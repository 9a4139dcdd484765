package dist

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// socket reads and writes a connection's descriptor with raw system calls,
// through the runtime's poller: a read or write that would block (EAGAIN)
// parks on the poller as net.Conn's do, and the connection's deadlines and
// Close apply as to net.Conn's. What it leaves out is the runtime's
// bookkeeping around a system call (entersyscall), which wakes the
// runtime's monitor thread (sysmon) whenever the node was idle: sysmon then
// polls every 20 µs until the node is idle again, and a node that serves
// a call, waits for the next one and serves it goes idle thousands of
// times a second. That cost a context switch or more a call. A socket of
// this node's connections never blocks in the kernel (the poller waits for
// it), so its system calls return promptly, as the runtime assumes of a
// raw call; a long write holds its thread as long as computing would.
//
// Measured at 64 Elixir callers (host's probe of CPU a call, creo's node
// with and without it in alternating runs of one process, medians of 5):
// creo's CPU a call, small tuple 18.4 → 16.6 µs, 1 KB 20.6 → 19.3 µs,
// 1,000-key map 67.1 → 53.8 µs; context switches a call 0.74 → 0.51,
// 0.72 → 0.52, 3.27 → 1.40.
type socket struct {
	rc syscall.RawConn
	// quick is whether the last wait for data took at most spinFor, when
	// the next wait may poll (spin_linux.go). Only the goroutine reading
	// uses it, inside rc.Read, which holds the descriptor's read lock.
	quick bool
	// free reports whether the machine's CPUs are free for the reader to
	// poll: cpuFree, which tests replace.
	free func() bool

	// rd is the read in progress and readFn the function rc.Read runs for
	// it, bound once: a closure over Read's variables escapes to rc.Read,
	// which cost three allocations a Read. Reads are never concurrent: the
	// connection's reading has one owner at a time (reader), as the
	// bufio.Reader around the socket requires too.
	rd     readOp
	readFn func(fd uintptr) bool

	// wmu serializes writes, which keep their state in wr, as reads do in
	// rd; writeFn is the function rc.Write runs.
	wmu     sync.Mutex
	wr      writeOp
	writeFn func(fd uintptr) bool
}

// readOp is the state of one Read.
type readOp struct {
	p       []byte
	n       int
	errno   syscall.Errno
	waiting time.Time // since the first read that found nothing
}

// writeOp is the state of one writev: what is left to write, and its
// iovecs, whose array is kept from one write to the next.
type writeOp struct {
	bufs  net.Buffers
	one   [1][]byte // Write's buffer, as net.Buffers without allocating
	iov   []syscall.Iovec
	done  int
	errno syscall.Errno
}

// newSocket returns how to read and write nc: nc itself when it has no
// descriptor, as net.Pipe's ends in tests.
func newSocket(nc net.Conn) (io.Reader, io.Writer) {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nc, nc
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nc, nc
	}
	s := &socket{rc: rc, free: cpuFree}
	s.readFn, s.writeFn = s.readOnce, s.writeOnce
	return s, s
}

// Read reads what has arrived, at most len(p) bytes, waiting on the poller
// when nothing has, after polling for it a while when packets come in a
// stream and the machine's CPUs are free (spin_linux.go).
func (s *socket) Read(p []byte) (int, error) {
	s.rd = readOp{p: p}
	err := s.rc.Read(s.readFn)
	n, errno := s.rd.n, s.rd.errno
	s.rd.p = nil // not kept beyond the call
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, os.NewSyscallError("read", errno)
	case n == 0 && len(p) > 0:
		return 0, io.EOF
	}
	return n, nil
}

// readOnce reads into s.rd.p, for rc.Read: it reports false, to wait on the
// poller, when nothing has arrived.
func (s *socket) readOnce(fd uintptr) bool {
	rd := &s.rd
	for {
		rd.n, rd.errno = rawRead(fd, rd.p)
		switch rd.errno {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			if !rd.waiting.IsZero() {
				return false // woken for nothing
			}
			rd.waiting = time.Now()
			if s.quick && s.free() {
				rd.n, rd.errno = poll(fd, rd.p, rd.waiting)
			}
			if rd.errno == syscall.EAGAIN || rd.errno == syscall.EINTR {
				return false
			}
		}
		if !rd.waiting.IsZero() {
			s.quick = time.Since(rd.waiting) <= spinFor
		}
		return true
	}
}

// Write writes all of p, waiting on the poller whenever the socket's
// buffer is full.
func (s *socket) Write(p []byte) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.wr.one[0] = p
	n, err := s.writevLocked(s.wr.one[:])
	s.wr.one[0] = nil
	return n, err
}

// WriteBuffers writes all of bufs, in as few system calls as the socket
// takes them: what net.Buffers' WriteTo does for a net.Conn, without
// waking sysmon.
func (s *socket) WriteBuffers(bufs net.Buffers) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	_, err := s.writevLocked(bufs)
	return err
}

// writevLocked writes all of bufs with writev, waiting on the poller
// whenever the socket's buffer is full, and returns how many bytes it
// wrote. s.wmu is held.
func (s *socket) writevLocked(bufs net.Buffers) (int, error) {
	s.wr.bufs, s.wr.done, s.wr.errno = bufs, 0, 0
	err := s.rc.Write(s.writeFn)
	done, errno := s.wr.done, s.wr.errno
	// Neither the buffers nor the iovecs that point into them are kept.
	s.wr.bufs = nil
	clear(s.wr.iov)
	switch {
	case err != nil:
		return done, err
	case errno != 0:
		return done, os.NewSyscallError("writev", errno)
	}
	return done, nil
}

// writeOnce writes s.wr.bufs, for rc.Write: it reports false, to wait on
// the poller, when the socket's buffer is full.
func (s *socket) writeOnce(fd uintptr) bool {
	wr := &s.wr
	for {
		wr.iov = appendIovecs(wr.iov[:0], wr.bufs)
		if len(wr.iov) == 0 {
			return true
		}
		n, _, e := syscall.RawSyscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&wr.iov[0])), uintptr(len(wr.iov)))
		switch e {
		case 0:
			wr.done += int(n)
			wr.bufs = consume(wr.bufs, int(n))
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			wr.errno = e
			return true
		}
	}
}

// maxIovecs is how many buffers one writev takes at most (Linux's IOV_MAX).
const maxIovecs = 1024

// appendIovecs appends to iov the non-empty buffers of bufs, up to
// maxIovecs of them.
func appendIovecs(iov []syscall.Iovec, bufs net.Buffers) []syscall.Iovec {
	for _, b := range bufs {
		if len(iov) == maxIovecs {
			break
		}
		if len(b) > 0 {
			v := syscall.Iovec{Base: &b[0]}
			v.SetLen(len(b))
			iov = append(iov, v)
		}
	}
	return iov
}

// consume drops the first n bytes of bufs.
func consume(bufs net.Buffers, n int) net.Buffers {
	for len(bufs) > 0 && n >= len(bufs[0]) {
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	if len(bufs) > 0 {
		bufs[0] = bufs[0][n:]
	}
	return bufs
}

// rawRead makes the read system call on fd into b. The pointer to b is
// converted in the call expression itself, as package unsafe's rules for
// system calls require, so b stays live and in place for the call; so is
// writev's pointer to its iovecs.
func rawRead(fd uintptr, b []byte) (int, syscall.Errno) {
	if len(b) == 0 {
		return 0, 0
	}
	n, _, errno := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	return int(n), errno
}
