package host

import "github.com/creo-dev/creo/etf"

// children are a supervisor's children in start order, with an index of
// the running ones by pid.
type children struct {
	head, tail *child
	byPid      map[etf.Pid]*child
	len        int
}

// add appends c, the child started last.
func (cs *children) add(c *child) {
	c.prev, c.next = cs.tail, nil
	if cs.tail != nil {
		cs.tail.next = c
	} else {
		cs.head = c
	}
	cs.tail = c
	cs.len++
}

func (cs *children) remove(c *child) {
	cs.stopped(c)
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		cs.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		cs.tail = c.prev
	}
	c.prev, c.next = nil, nil
	cs.len--
}

// run records that c runs as pid.
func (cs *children) run(c *child, pid etf.Pid) {
	if cs.byPid == nil {
		cs.byPid = make(map[etf.Pid]*child)
	}
	c.pid = pid
	cs.byPid[pid] = c
}

// stopped records that c no longer runs.
func (cs *children) stopped(c *child) {
	delete(cs.byPid, c.pid)
	c.pid = etf.Pid{}
}

// byID returns the child with id, or nil.
func (cs *children) byID(id etf.Term) *child {
	for c := cs.head; c != nil; c = c.next {
		if c.spec.ID != nil && etf.Equal(c.spec.ID, id) {
			return c
		}
	}
	return nil
}
