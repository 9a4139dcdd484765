package abi

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/creo-dev/creo/etf"
)

// The ETF tags the host reads itself, to split a callback's result without
// decoding what the guest put in it (erl_ext_dist.md).
const (
	versionByte    = 131
	tagSmallTuple  = 104
	tagLargeTuple  = 105
	tagAtom        = 100 // ATOM_EXT, Latin-1
	tagSmallAtom   = 115 // SMALL_ATOM_EXT, Latin-1
	tagAtomUTF8    = 118
	tagSmallAtomU8 = 119
)

// maxResultArity is the largest tuple any allowed result is: {stop, Reason,
// Reply, State} and {reply, Reply, State, Action}.
const maxResultArity = 4

// appendArgs appends a callback's argument, the tuple of parts with the
// version byte, to dst. Parts that are etf.Raw are copied verbatim, so a
// state the host keeps encoded is never decoded.
func appendArgs(dst []byte, parts ...etf.Term) ([]byte, error) {
	dst = append(dst, versionByte, tagSmallTuple, byte(len(parts)))
	for _, p := range parts {
		var err error
		if dst, err = etf.AppendTerm(dst, p); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// checkTerm reports whether b is one ETF term with its version byte, and
// nothing after it.
func checkTerm(b []byte) error {
	if len(b) == 0 || b[0] != versionByte {
		return errors.New("not an ETF term: no version byte 131")
	}
	n, err := etf.SkipTerm(b[1:])
	if err != nil {
		return err
	}
	if n != len(b)-1 {
		return fmt.Errorf("%d bytes after the term", len(b)-1-n)
	}
	return nil
}

// splitTuple splits an encoded term (no version byte) that is an atom, or a
// tuple of at most maxResultArity elements whose first is an atom, into that
// atom and the raw elements after it. The elements alias b. ok is false for
// any other term.
func splitTuple(b []byte, elems *[maxResultArity - 1]etf.Raw) (tag []byte, n int, ok bool) {
	if tag, _, ok = readAtom(b); ok {
		return tag, 0, true
	}
	if len(b) < 2 {
		return nil, 0, false
	}
	var arity, off int
	switch b[0] {
	case tagSmallTuple:
		arity, off = int(b[1]), 2
	case tagLargeTuple:
		if len(b) < 5 {
			return nil, 0, false
		}
		arity, off = int(binary.BigEndian.Uint32(b[1:])), 5
	default:
		return nil, 0, false
	}
	if arity < 2 || arity > maxResultArity {
		return nil, 0, false
	}
	tag, used, ok := readAtom(b[off:])
	if !ok {
		return nil, 0, false
	}
	off += used
	for i := range arity - 1 {
		size, err := etf.SkipTerm(b[off:])
		if err != nil {
			return nil, 0, false
		}
		elems[i] = etf.Raw(b[off : off+size])
		off += size
	}
	return tag, arity - 1, true
}

// readAtom returns the name of the atom b starts with and its encoded size.
// The atoms of results are ASCII, so Latin-1 and UTF-8 names compare alike.
func readAtom(b []byte) (name []byte, size int, ok bool) {
	if len(b) < 2 {
		return nil, 0, false
	}
	var n, off int
	switch b[0] {
	case tagSmallAtom, tagSmallAtomU8:
		n, off = int(b[1]), 2
	case tagAtom, tagAtomUTF8:
		if len(b) < 3 {
			return nil, 0, false
		}
		n, off = int(binary.BigEndian.Uint16(b[1:])), 3
	default:
		return nil, 0, false
	}
	if len(b) < off+n {
		return nil, 0, false
	}
	return b[off : off+n], off + n, true
}
