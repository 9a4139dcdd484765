package sdk

import (
	"unsafe"

	"github.com/creo-dev/creo/etf"
)

// rawBoxes holds, for each length below its last index, the last argument
// element of that length boxed as an etf.Term by boxRaw; the last holds
// the last element at least that long.
var rawBoxes [256]etf.Term

// boxRaw returns raw, an element of a callback's argument, as an etf.Term.
//
// Converting a slice to an interface copies its header (address, length,
// capacity) to the heap, and under wasm one allocation costs a Go guest
// about 0.3 µs, as much as the rest of a small callback. Every callback's
// argument is written in the same buffer, and its first element starts at
// the same offset, so a message of a length met before has the same header
// as the one boxed then: that box is returned again. A box holds only the
// header, never the bytes, so reusing one is the same as making a new one.
// Long messages share one box, the last one's: a server sent requests of
// one large size again and again (a 1 KB or a 100 KB binary) boxes none
// after the first. The boxes are dropped when the buffer is (see
// clearRawBoxes), so they never keep an old buffer alive.
func boxRaw(raw etf.Raw) etf.Term {
	box := &rawBoxes[min(len(raw), len(rawBoxes)-1)]
	if old, ok := (*box).(etf.Raw); ok && len(old) == len(raw) && cap(old) == cap(raw) && unsafe.SliceData(old) == unsafe.SliceData(raw) {
		return *box
	}
	*box = raw
	return *box
}

// clearRawBoxes drops the boxes, when the argument buffer is replaced.
func clearRawBoxes() { clear(rawBoxes[:]) }
