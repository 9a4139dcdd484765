package host

import (
	"slices"

	"github.com/creo-dev/creo/etf"
)

// globalName is a globally registered name, as a row of global's
// global_names table: the pid, the resolve method, and the monitor the
// name server holds on the pid.
type globalName struct {
	name   etf.Term
	pid    etf.Pid
	method etf.Term
	ref    etf.Ref
}

// globalLock is a lock of global's lock service, as a row of its
// global_locks table: a resource, the requester that holds it, and the
// processes that set it with their monitors. Several processes hold a lock
// at once when they set it for the same requester.
type globalLock struct {
	resource  etf.Term
	requester etf.Term
	holders   []lockHolder
}

type lockHolder struct {
	pid etf.Pid
	ref etf.Ref
}

// holds reports whether pid holds the lock.
func (l *globalLock) holds(pid etf.Pid) bool {
	return slices.ContainsFunc(l.holders, func(h lockHolder) bool { return h.pid == pid })
}

// globalTables are the names and locks of a node's global name server.
// The server is their only writer; the Go API, the locker and the
// registrar read them, as global's readers read its protected ETS tables.
// Global.mu guards them.
type globalTables struct {
	names    map[string]*globalName
	nameRefs map[etf.Ref]string // monitor → key of the name it watches
	pidNames map[etf.Pid]int    // how many names each pid has
	locks    map[string]*globalLock
	lockRefs map[etf.Ref]string // monitor → key of the lock its pid holds
}

func (t *globalTables) init() {
	t.names = make(map[string]*globalName)
	t.nameRefs = make(map[etf.Ref]string)
	t.pidNames = make(map[etf.Pid]int)
	t.locks = make(map[string]*globalLock)
	t.lockRefs = make(map[etf.Ref]string)
}

func (t *globalTables) name(name etf.Term) *globalName {
	var buf [keyBuf]byte
	return t.names[string(appendKey(buf[:0], name))]
}

// putName records n, replacing the row of the same name, whose monitor
// the caller has dropped.
func (t *globalTables) putName(n *globalName) {
	key := termKey(n.name)
	if old := t.names[key]; old != nil {
		t.dropName(key, old)
	}
	t.names[key] = n
	t.nameRefs[n.ref] = key
	t.pidNames[n.pid]++
}

// takeName removes the name and returns its row, or nil.
func (t *globalTables) takeName(name etf.Term) *globalName {
	key := termKey(name)
	n := t.names[key]
	if n != nil {
		t.dropName(key, n)
	}
	return n
}

// takeNameByRef removes the name whose monitor is ref and returns it, or
// nil.
func (t *globalTables) takeNameByRef(ref etf.Ref) *globalName {
	key, ok := t.nameRefs[ref]
	if !ok {
		return nil
	}
	n := t.names[key]
	t.dropName(key, n)
	return n
}

func (t *globalTables) dropName(key string, n *globalName) {
	delete(t.names, key)
	delete(t.nameRefs, n.ref)
	if t.pidNames[n.pid]--; t.pidNames[n.pid] <= 0 {
		delete(t.pidNames, n.pid)
	}
}

// nameList returns [{Name, Pid, Method}] for every name, the list that
// global's exchange carries.
func (t *globalTables) nameList() etf.List {
	l := make(etf.List, 0, len(t.names))
	for _, n := range t.names {
		l = append(l, etf.Tuple{n.name, n.pid, n.method})
	}
	return l
}

func (t *globalTables) lock(resource etf.Term) *globalLock {
	var buf [keyBuf]byte
	return t.locks[string(appendKey(buf[:0], resource))]
}

// canSetLock reports whether requester may set the lock on resource, as
// global's can_set_lock/1 does: the resource is free, or held for the
// same requester.
func (t *globalTables) canSetLock(resource, requester etf.Term) bool {
	l := t.lock(resource)
	return l == nil || etf.Equal(l.requester, requester)
}

// addHolder makes pid, which the server monitors with ref, a holder of
// the lock on resource for requester.
func (t *globalTables) addHolder(resource, requester etf.Term, pid etf.Pid, ref etf.Ref) {
	key := termKey(resource)
	l := t.locks[key]
	if l == nil {
		l = &globalLock{resource: resource, requester: requester}
		t.locks[key] = l
	}
	l.holders = append(l.holders, lockHolder{pid: pid, ref: ref})
	t.lockRefs[ref] = key
}

// removeHolder drops pid from the lock on resource, and the lock when pid
// was its only holder, as global's remove_lock/6 does. It returns the
// monitor to drop, and whether the lock is gone.
func (t *globalTables) removeHolder(resource etf.Term, pid etf.Pid) (ref etf.Ref, held, gone bool) {
	key := termKey(resource)
	l := t.locks[key]
	if l == nil {
		return etf.Ref{}, false, false
	}
	i := slices.IndexFunc(l.holders, func(h lockHolder) bool { return h.pid == pid })
	if i < 0 {
		return etf.Ref{}, false, false
	}
	ref = l.holders[i].ref
	delete(t.lockRefs, ref)
	l.holders = slices.Delete(l.holders, i, i+1)
	if len(l.holders) == 0 {
		delete(t.locks, key)
		gone = true
	}
	return ref, true, gone
}

// lockByRef returns the lock whose holder the server monitors with ref,
// and that holder.
func (t *globalTables) lockByRef(ref etf.Ref) (*globalLock, etf.Pid) {
	key, ok := t.lockRefs[ref]
	if !ok {
		return nil, etf.Pid{}
	}
	l := t.locks[key]
	for _, h := range l.holders {
		if h.ref == ref {
			return l, h.pid
		}
	}
	return nil, etf.Pid{}
}

// maxKeyDepth bounds how deep termKey looks for maps to sort: a name is
// a term from the wire, and both walks recurse.
const maxKeyDepth = 64

// keyBuf is the room lookups give a key on the stack: most names and
// lock resources encode in fewer bytes.
const keyBuf = 64

// termKey returns a Go map key for t: its encoding, with the pairs of its
// maps sorted, so that terms equal under =:= share a key whatever order
// their maps were built in. A term that does not encode gets the empty
// key, which no valid term has.
func termKey(t etf.Term) string { return string(appendKey(nil, t)) }

// appendKey appends the key of t to dst; lookups index a map with
// string(appendKey(...)), which Go does without copying the bytes.
func appendKey(dst []byte, t etf.Term) []byte {
	t = decoded(t)
	if hasMap(t, maxKeyDepth) {
		t = sortMaps(t, maxKeyDepth)
	}
	b, err := etf.AppendTerm(dst, t)
	if err != nil {
		return dst[:0]
	}
	return b
}

// hasMap reports whether t holds a map within depth levels.
func hasMap(t etf.Term, depth int) bool {
	if depth == 0 {
		return false
	}
	switch v := t.(type) {
	case etf.Map:
		return true
	case etf.Tuple:
		return slices.ContainsFunc(v, func(e etf.Term) bool { return hasMap(e, depth-1) })
	case etf.List:
		return slices.ContainsFunc(v, func(e etf.Term) bool { return hasMap(e, depth-1) })
	case etf.ImproperList:
		return hasMap(v.Tail, depth-1) ||
			slices.ContainsFunc(v.Elems, func(e etf.Term) bool { return hasMap(e, depth-1) })
	}
	return false
}

// sortMaps returns a copy of t whose maps, within depth levels, have
// their pairs in Erlang's map key order: term order, integers before
// floats that compare equal to them.
func sortMaps(t etf.Term, depth int) etf.Term {
	if depth == 0 {
		return t
	}
	each := func(elems []etf.Term) []etf.Term {
		out := make([]etf.Term, len(elems))
		for i, e := range elems {
			out[i] = sortMaps(e, depth-1)
		}
		return out
	}
	switch v := t.(type) {
	case etf.Tuple:
		return etf.Tuple(each(v))
	case etf.List:
		return etf.List(each(v))
	case etf.ImproperList:
		return etf.ImproperList{Elems: each(v.Elems), Tail: sortMaps(v.Tail, depth-1)}
	case etf.Map:
		m := make(etf.Map, len(v))
		for i, p := range v {
			m[i] = etf.Pair{Key: sortMaps(p.Key, depth-1), Value: sortMaps(p.Value, depth-1)}
		}
		slices.SortFunc(m, func(a, b etf.Pair) int {
			if c := etf.Compare(a.Key, b.Key); c != 0 {
				return c
			}
			_, aFloat := a.Key.(etf.Float)
			_, bFloat := b.Key.(etf.Float)
			switch {
			case aFloat == bFloat:
				return 0
			case bFloat:
				return -1
			}
			return 1
		})
		return m
	}
	return t
}
