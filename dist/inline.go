package dist

import (
	"errors"
	"sync"
	"time"
)

// handoverAfter is how long an inline run may hold the reader before the
// watchdog hands reading over to a new goroutine. It bounds how long a
// slow or blocked run delays the connection's other messages, as a BEAM
// scheduler's time slice bounds a process's.
const handoverAfter = time.Millisecond

// errHandedOver ends a goroutine that handed reading over.
var errHandedOver = errors.New("dist: reading handed over")

// An InlineRun is one run of a function given to [Conn.RunInline].
type InlineRun struct {
	c   *Conn
	run uint64 // Conn.inline while it runs
}

// RunInline makes the reader run f once the Handler call in progress
// returns, before it reads the next packet. A handler that wakes work for
// the message it was given, such as the process it delivered it to, runs
// that work here rather than handing it to another goroutine: the message
// is served on the thread that read it, without waking another, and what
// the work sends is written by the reader after it. f must not assume it
// holds the reader, though: when it runs for longer than a millisecond, a
// watchdog hands reading over to a new goroutine, so that a slow or blocked
// f never holds up the connection's other messages; f goes on, and its
// goroutine ends with it. f hands reading over itself, at once, with
// [InlineRun.Release], before it waits for something that may take long.
// Only a Handler may call RunInline, once a call.
func (c *Conn) RunInline(f func(InlineRun)) {
	c.inlineFn = f
}

// Release hands reading over to a new goroutine, if the run still holds
// the reader, so that the run may block. Only the run's own function may
// call it.
func (r InlineRun) Release() {
	if r.c != nil {
		r.c.handover(r.run)
	}
}

// runInline runs f on the reader and reports whether the reader still
// owns r after it, or handed reading over meanwhile.
func (c *Conn) runInline(r *reader, f func(InlineRun)) bool {
	r.run++
	run := r.run<<1 | 1
	c.handed = r
	c.inline.Store(run)
	if !c.watched.Load() {
		watch(c)
	}
	f(InlineRun{c: c, run: run})
	return c.inline.CompareAndSwap(run, run&^1)
}

// handover ends the inline run run, if it still holds the reader, and
// starts a goroutine that reads on.
func (c *Conn) handover(run uint64) bool {
	if !c.inline.CompareAndSwap(run, run&^1) {
		return false
	}
	// The reader will not flush what is queued before the run ends: the
	// writer does.
	c.mu.Lock()
	c.readerFlushes = false
	c.mu.Unlock()
	c.wakeWriter()
	go c.readFrom(c.handed)
	return true
}

// deferWakes makes Send leave what handlers queue to the reader's flush.
func (c *Conn) deferWakes() {
	c.mu.Lock()
	c.readerFlushes = true
	c.mu.Unlock()
}

// In the middle of a burst of packets, the reader writes what handlers
// queued once it reaches writeBehindMessages messages or writeBehindBytes
// bytes (writeBehindDue), so that with many callers their answers flow out
// as their calls are handled, rather than all once the buffer is empty;
// less waits for the end of the burst. The reader writes it itself rather
// than waking the writer: each wake of the writer woke a thread too (the
// runtime's wakep), which spun to steal work and slept again, and on two
// busy cores the writer ran so late that the reader had written the queue
// by then (a 100 KB reply, over writeBehindBytes alone, woke it on every
// call of a burst: 0.37 futex and 1.1 context switches a call).
const (
	writeBehindMessages = 16
	writeBehindBytes    = 16 << 10
)

// writeBehindDue reports whether handlers queued enough for the reader to
// write it in the middle of a burst.
func (c *Conn) writeBehindDue() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue) >= writeBehindMessages || c.queueBytes >= writeBehindBytes
}

// queuedForReader ends the reader's deferral of writes, and reports
// whether handlers queued anything for it to write.
func (c *Conn) queuedForReader() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.readerFlushes = false
	return len(c.queue) > 0
}

// flushQueued writes what handlers queued, unless the writer is writing:
// then the writer takes it. It runs as an inline run (Conn.runInline), so
// that a write that blocks, the peer not reading, hands reading over: two
// nodes whose readers both wait to write would never read again.
func (c *Conn) flushQueued(InlineRun) {
	if !c.wmu.TryLock() {
		c.wakeWriter()
		return
	}
	var err error
	c.flushBatch, err = c.flushQueue(c.flushBatch)
	c.wmu.Unlock()
	if err != nil {
		c.fail(err)
	}
}

// The watchdog hands reading over from inline runs that hold it for a
// whole period. One goroutine watches every connection that ran something
// inline in the last period, and ends when none did.
var watchdog struct {
	mu      sync.Mutex
	last    map[*Conn]uint64 // Conn.inline when last looked at
	running bool
}

// watch makes the watchdog look at c.
func watch(c *Conn) {
	watchdog.mu.Lock()
	defer watchdog.mu.Unlock()
	if c.watched.Swap(true) {
		return
	}
	if watchdog.last == nil {
		watchdog.last = make(map[*Conn]uint64)
	}
	watchdog.last[c] = 0
	if !watchdog.running {
		watchdog.running = true
		go watchInline()
	}
}

func watchInline() {
	ticker := time.NewTicker(handoverAfter)
	defer ticker.Stop()
	for range ticker.C {
		if !watchOnce() {
			return
		}
	}
}

// watchOnce hands over every run seen at the last look too, forgets the
// connections that ran nothing since, and reports whether any is left.
func watchOnce() bool {
	watchdog.mu.Lock()
	defer watchdog.mu.Unlock()
	for c, last := range watchdog.last {
		now := c.inline.Load()
		switch {
		case now != last:
			watchdog.last[c] = now
		case now&1 == 1:
			c.handover(now)
		default:
			// A run that starts now sees watched false and comes back;
			// one that started before it was cleared is seen here.
			c.watched.Store(false)
			if c.inline.Load() == now {
				delete(watchdog.last, c)
			} else {
				c.watched.Store(true)
			}
		}
	}
	if len(watchdog.last) == 0 {
		watchdog.running = false
		return false
	}
	return true
}
