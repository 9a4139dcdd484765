package epmd

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
)

// table is the embedded server's set of registered nodes. Its methods are
// safe for concurrent use.
type table struct {
	mu    sync.Mutex
	nodes map[string]*registered
	// next is the creation counter: random at start, then sequential, so
	// a name registered again gets a creation its earlier incarnation did
	// not have.
	next uint32
}

// registered is one registration; its pointer identifies it, so that only
// the connection that made it can remove it.
type registered struct {
	node     Node
	creation uint32
}

func newTable() *table {
	return &table{nodes: make(map[string]*registered), next: rand.Uint32()}
}

// register records n and returns its registration, or nil when the name is
// taken.
func (t *table) register(n Node) *registered {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, taken := t.nodes[n.Name]; taken {
		return nil
	}
	r := &registered{node: n, creation: t.nextCreation(n.HighestVersion)}
	t.nodes[n.Name] = r
	return r
}

// nextCreation returns the creation of the next registration. As in epmd,
// the counter skips 0 to 3 (0 is reserved, 1 to 3 are the old 2-bit
// creations), and a node older than version 6 gets a creation of 1 to 3.
func (t *table) nextCreation(highestVersion uint16) uint32 {
	c := t.next
	if c < 4 {
		c = 4
	}
	t.next = c + 1
	if highestVersion < 6 {
		return c%3 + 1
	}
	return c
}

// unregister removes r if it is still registered.
func (t *table) unregister(r *registered) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.nodes[r.node.Name] == r {
		delete(t.nodes, r.node.Name)
	}
}

// lookup returns the node registered as name.
func (t *table) lookup(name string) (Node, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	r, ok := t.nodes[name]
	if !ok {
		return Node{}, false
	}
	return r.node, true
}

// entries returns the registered names and ports, ordered by name.
func (t *table) entries() []Entry {
	t.mu.Lock()
	entries := make([]Entry, 0, len(t.nodes))
	for _, r := range t.nodes {
		entries = append(entries, Entry{Name: r.node.Name, Port: r.node.Port})
	}
	t.mu.Unlock()
	slices.SortFunc(entries, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return entries
}
