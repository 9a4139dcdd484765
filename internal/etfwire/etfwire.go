// Package etfwire reads the few parts of the External Term Format that the
// host's ABI layer and the guest SDK look at without decoding a term: the
// version byte, the head of a tuple and an atom's name. Both sides split
// callback arguments and results on these bytes, so they share one reading
// of them (erl_ext_dist.md).
package etfwire

import "encoding/binary"

// The tags read here, and the version byte that starts a whole term.
const (
	VersionByte   = 131
	SmallTuple    = 104 // SMALL_TUPLE_EXT: arity in one byte
	LargeTuple    = 105 // LARGE_TUPLE_EXT: arity in four bytes
	Atom          = 100 // ATOM_EXT, Latin-1
	SmallAtom     = 115 // SMALL_ATOM_EXT, Latin-1
	AtomUTF8      = 118 // ATOM_UTF8_EXT
	SmallAtomUTF8 = 119 // SMALL_ATOM_UTF8_EXT
	List          = 108 // LIST_EXT
	Map           = 116 // MAP_EXT
)

// ReadAtom returns the name of the atom b starts with, in any of its four
// encodings, its encoded size, and whether it is UTF-8 (else Latin-1).
// ok is false when b does not start with a whole atom.
func ReadAtom(b []byte) (name []byte, size int, utf8, ok bool) {
	if len(b) < 2 {
		return nil, 0, false, false
	}
	var n, off int
	switch b[0] {
	case SmallAtom, SmallAtomUTF8:
		n, off = int(b[1]), 2
	case Atom, AtomUTF8:
		if len(b) < 3 {
			return nil, 0, false, false
		}
		n, off = int(binary.BigEndian.Uint16(b[1:])), 3
	default:
		return nil, 0, false, false
	}
	if len(b) < off+n {
		return nil, 0, false, false
	}
	return b[off : off+n], off + n, b[0] == AtomUTF8 || b[0] == SmallAtomUTF8, true
}

// TupleHead returns the arity of the tuple b starts with and the size of
// its head. ok is false when b does not start with a tuple's head.
func TupleHead(b []byte) (arity, size int, ok bool) {
	switch {
	case len(b) >= 2 && b[0] == SmallTuple:
		return int(b[1]), 2, true
	case len(b) >= 5 && b[0] == LargeTuple:
		return int(binary.BigEndian.Uint32(b[1:])), 5, true
	}
	return 0, 0, false
}
