package host

import (
	"sync"
	"sync/atomic"
)

// pageBits sizes the pages of the process table: 4096 slots of 16 bytes.
const pageBits = 12

// table is the process table. A pid's ID is the index of its slot and its
// Serial the slot's generation, as in the BEAM, so a lookup is two loads and
// no hashing. Lookups take no lock; spawns and exits take mu.
type table struct {
	mu    sync.Mutex
	free  []uint32 // slots to reuse, last freed first
	used  uint32   // slots handed out at least once
	pages atomic.Pointer[[]*page]
	live  atomic.Int64
}

type page [1 << pageBits]slot

type slot struct {
	proc   atomic.Pointer[Process]
	serial uint32 // generation of the slot's last process; guarded by table.mu
}

// insert gives p a slot and returns the slot's index and generation, which
// make p's pid.
func (t *table) insert(p *Process) (id, serial uint32) {
	t.mu.Lock()
	if n := len(t.free); n > 0 {
		id = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		id = t.used
		t.used++
		t.grow(id)
	}
	s := t.slot(id)
	s.serial++
	serial = s.serial
	t.mu.Unlock()
	t.live.Add(1)
	return id, serial
}

// publish makes p visible to lookups, once its pid is set.
func (t *table) publish(id uint32, p *Process) {
	t.slot(id).proc.Store(p)
}

// grow adds a page when id falls past the last one. Readers keep using the
// old page list until the new one is stored; pages never move.
func (t *table) grow(id uint32) {
	old := t.pages.Load()
	var pages []*page
	if old != nil {
		pages = *old
	}
	if int(id>>pageBits) < len(pages) {
		return
	}
	grown := append(pages[:len(pages):len(pages)], new(page))
	t.pages.Store(&grown)
}

func (t *table) slot(id uint32) *slot {
	pages := *t.pages.Load()
	return &pages[id>>pageBits][id&(1<<pageBits-1)]
}

// lookup returns the live process in slot id with generation serial, or nil.
func (t *table) lookup(id, serial uint32) *Process {
	p := t.at(id)
	if p == nil || p.pid.Serial != serial {
		return nil
	}
	return p
}

// at returns the process in slot id, whatever its generation, or nil.
func (t *table) at(id uint32) *Process {
	pages := t.pages.Load()
	if pages == nil || int(id>>pageBits) >= len(*pages) {
		return nil
	}
	return (*pages)[id>>pageBits][id&(1<<pageBits-1)].proc.Load()
}

// remove frees slot id.
func (t *table) remove(id uint32) {
	t.slot(id).proc.Store(nil)
	t.mu.Lock()
	t.free = append(t.free, id)
	t.mu.Unlock()
	t.live.Add(-1)
}

// each calls f for every live process until f returns false.
func (t *table) each(f func(*Process) bool) {
	pages := t.pages.Load()
	if pages == nil {
		return
	}
	for _, pg := range *pages {
		for i := range pg {
			if p := pg[i].proc.Load(); p != nil && !f(p) {
				return
			}
		}
	}
}
