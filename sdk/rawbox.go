package sdk

import (
	"unsafe"

	"github.com/creo-dev/creo/etf"
)

// rawBoxes holds, for each length below its size, the last argument
// element of that length boxed as an etf.Term by boxRaw.
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
// The boxes are dropped when the buffer is (see clearRawBoxes), so they
// never keep an old buffer alive.
func boxRaw(raw etf.Raw) etf.Term {
	if len(raw) >= len(rawBoxes) {
		return raw
	}
	box := &rawBoxes[len(raw)]
	if old, ok := (*box).(etf.Raw); ok && cap(old) == cap(raw) && unsafe.SliceData(old) == unsafe.SliceData(raw) {
		return *box
	}
	*box = raw
	return *box
}

// clearRawBoxes drops the boxes, when the argument buffer is replaced.
func clearRawBoxes() { clear(rawBoxes[:]) }
