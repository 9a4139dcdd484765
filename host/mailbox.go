package host

// mailbox is a process's message queue: unbounded, in arrival order, a ring
// buffer whose size is a power of two. An empty mailbox holds no buffer, so an
// idle process pays nothing for it. It is guarded by its process's mutex.
//
// Items are etf.Term messages and the runtime's own requests (calls made
// on this node, sys operations from Go), which skip building the wire
// tuples for local traffic.
type mailbox struct {
	buf  []any
	head int
	n    int
}

// keepCap is the largest buffer kept once a mailbox empties; a larger one,
// left by a burst, is released.
const keepCap = 64

func (m *mailbox) len() int { return m.n }

func (m *mailbox) push(x any) {
	if m.n == len(m.buf) {
		m.resize(max(4, 2*len(m.buf)))
	}
	m.buf[(m.head+m.n)&(len(m.buf)-1)] = x
	m.n++
}

func (m *mailbox) resize(size int) {
	buf := make([]any, size)
	for i := range m.n {
		buf[i] = m.buf[(m.head+i)&(len(m.buf)-1)]
	}
	m.buf, m.head = buf, 0
}

// pop removes and returns the oldest item.
func (m *mailbox) pop() (any, bool) {
	if m.n == 0 {
		return nil, false
	}
	return m.removeAt(0), true
}

// at returns the i-th oldest item.
func (m *mailbox) at(i int) any { return m.buf[(m.head+i)&(len(m.buf)-1)] }

// removeAt removes and returns the i-th oldest item, keeping the order of
// the others, for receives that select.
func (m *mailbox) removeAt(i int) any {
	size := len(m.buf)
	x := m.buf[(m.head+i)&(size-1)]
	for j := i; j > 0; j-- {
		m.buf[(m.head+j)&(size-1)] = m.buf[(m.head+j-1)&(size-1)]
	}
	m.buf[m.head] = nil
	m.head = (m.head + 1) & (size - 1)
	m.n--
	if m.n == 0 {
		m.head = 0
		if size > keepCap {
			m.buf = nil
		}
	}
	return x
}

// find returns the index of the oldest item match accepts, or -1.
func (m *mailbox) find(match func(any) bool) int {
	for i := range m.n {
		if match(m.at(i)) {
			return i
		}
	}
	return -1
}

// clear drops every item and the buffer.
func (m *mailbox) clear() {
	m.buf, m.head, m.n = nil, 0, 0
}
