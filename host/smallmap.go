package host

import (
	"iter"
	"maps"
	"slices"
)

// smallMax is the most entries a smallMap keeps in its slice.
const smallMax = 8

// smallMap is a map for the links and monitors of one process. Most
// processes have none or one or two, and a Go map costs hundreds of bytes
// even when small, so up to smallMax entries live in a slice searched in
// order; past that (a supervisor's children) they move to a map. The
// slice keeps its capacity when it empties, so that a monitor set up and
// taken down on every call allocates nothing.
type smallMap[K comparable, V any] struct {
	small []smallEntry[K, V]
	big   map[K]V
}

type smallEntry[K comparable, V any] struct {
	key K
	val V
}

func (m *smallMap[K, V]) len() int {
	if m.big != nil {
		return len(m.big)
	}
	return len(m.small)
}

func (m *smallMap[K, V]) get(k K) (V, bool) {
	if m.big != nil {
		v, ok := m.big[k]
		return v, ok
	}
	for _, e := range m.small {
		if e.key == k {
			return e.val, true
		}
	}
	var zero V
	return zero, false
}

func (m *smallMap[K, V]) set(k K, v V) {
	if m.big != nil {
		m.big[k] = v
		return
	}
	for i := range m.small {
		if m.small[i].key == k {
			m.small[i].val = v
			return
		}
	}
	if len(m.small) < smallMax {
		m.small = append(m.small, smallEntry[K, V]{k, v})
		return
	}
	m.big = make(map[K]V, 2*smallMax)
	for _, e := range m.small {
		m.big[e.key] = e.val
	}
	m.big[k] = v
	m.small = nil
}

// del removes k and returns what it held.
func (m *smallMap[K, V]) del(k K) (V, bool) {
	if m.big != nil {
		v, ok := m.big[k]
		delete(m.big, k)
		return v, ok
	}
	for i, e := range m.small {
		if e.key == k {
			last := len(m.small) - 1
			m.small[i] = m.small[last]
			m.small[last] = smallEntry[K, V]{}
			m.small = m.small[:last]
			return e.val, true
		}
	}
	var zero V
	return zero, false
}

// deleteIf removes the entries f accepts.
func (m *smallMap[K, V]) deleteIf(f func(K, V) bool) {
	if m.big != nil {
		maps.DeleteFunc(m.big, f)
		return
	}
	m.small = slices.DeleteFunc(m.small, func(e smallEntry[K, V]) bool { return f(e.key, e.val) })
}

// all yields every entry; the map must not change meanwhile.
func (m *smallMap[K, V]) all() iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		if m.big != nil {
			for k, v := range m.big {
				if !yield(k, v) {
					return
				}
			}
			return
		}
		for _, e := range m.small {
			if !yield(e.key, e.val) {
				return
			}
		}
	}
}

// take empties the map and returns what it held.
func (m *smallMap[K, V]) take() smallMap[K, V] {
	old := *m
	*m = smallMap[K, V]{}
	return old
}
