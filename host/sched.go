package host

import (
	"runtime"
	"sync/atomic"

	"github.com/creo-dev/creo/dist"
)

// Processes run on a pool of goroutines shared by all nodes. A runner that
// finishes a process parks, waiting for the next process to run, rather
// than ending: handing a process to a parked runner costs less than
// starting a goroutine, and its stack has already grown to what callbacks
// need. A runner that blocks in a callback just holds its process; others
// are started as needed. At most maxParked runners park at a time; the
// rest end.
var (
	runq   = make(chan *Process)
	parked atomic.Int32
)

// maxParked is the most runners parked at once.
var maxParked = int32(4 * runtime.GOMAXPROCS(0))

// activate runs p, which was just marked running, on a parked runner or a
// new one.
func activate(p *Process) {
	select {
	case runq <- p:
	default:
		go runner(p)
	}
}

func runner(p *Process) {
	for {
		p.run()
		if parked.Add(1) > maxParked {
			parked.Add(-1)
			return
		}
		p = <-runq
		parked.Add(-1)
	}
}

// runOnReader runs p, which was just marked running, on a connection's
// reader (dist.Conn.RunInline). A wait in a callback hands reading over
// first, since what it waits for may come on that very connection. The
// run is forgotten when p goes idle (next), while p is still owned.
func (p *Process) runOnReader(run dist.InlineRun) {
	p.reader = run
	p.run()
}

// releaseReader hands the reader p runs on over to a new goroutine, before
// p waits. Callback-only.
func (p *Process) releaseReader() {
	p.reader.Release()
	p.reader = dist.InlineRun{}
}
