package dist

import (
	"encoding/binary"
	"fmt"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/etfwire"
)

// The tags resolver.scan reads (erl_ext_dist.md), beside those of
// internal/etfwire.
const (
	tagAtomCacheRef  = 82
	tagInteger       = 98
	tagBinary        = 109
	tagLargeTuple    = 105
	tagList          = 108
	tagMap           = 116
	tagNewPid        = 88
	tagNewPort       = 89
	tagV4Port        = 120
	tagNewerRef      = 90
	tagNewFun        = 112
	tagExport        = 113
	tagPid           = 103
	tagPort          = 102
	tagRef           = 101
	tagNewRef        = 114
	tagCompressed    = 80
	tagAtom          = 100
	tagSmallAtom     = 115
	tagAtomUTF8      = 118
	tagSmallAtomUTF8 = 119
)

// resolver rewrites a raw payload's atom cache references as the atoms
// they stand for, so that the payload stands on its own. It belongs to a
// decoder, whose buffers it reuses from message to message.
type resolver struct {
	encoded [][]byte // what each reference index stands for, encoded
	refs    []int    // the positions of the references in the term
	room    []byte   // copied before the term, for the atoms to take
}

// resolve rewrites the term at b[at:] with each atom cache reference
// replaced by the atom it stands for, given as etf.AppendTerm writes it by
// encoded, and returns it and the bytes of b the term took. Everything else
// is kept as it is, so a raw payload that names cached atoms costs a copy
// at most rather than a decode and an encode. ok is false for a term it
// leaves to the decoder: a fun, an export, the old pid, port and reference
// forms, or a compressed term.
//
// The term moves forward, into the room its atoms need in front of it
// (which the scan that finds the references measures), up to its last
// reference, each reference replaced on the way: what follows, say a
// large binary, is where it belongs already. With inPlace, b[:at] is that
// room, when it is large enough: the term is rewritten in b. Otherwise the
// term is copied behind room of its own first.
func (r *resolver) resolve(b []byte, at int, encoded [][]byte, inPlace bool) (out []byte, n int, ok bool, err error) {
	r.encoded = encoded
	n, grow, ok, err := r.scan(b[at:])
	if !ok || err != nil {
		return nil, 0, ok, err
	}
	if !inPlace || grow > at {
		// append rather than make, which would clear memory about to be
		// written over; the room's bytes are all written over too.
		if cap(r.room) < grow {
			r.room = make([]byte, grow)
		}
		b, at = append(r.room[:grow:grow], b[at:at+n]...), grow
	}
	w, from := at-grow, at
	for _, p := range r.refs {
		ref := at + p
		w += copy(b[w:], b[from:ref])
		// What the atoms added so far is at most grow, so w never passes
		// the reference it replaces: read its index first.
		w += copy(b[w:], encoded[b[ref+1]])
		from = ref + 2
	}
	return b[at-grow : at+n : at+n], n, true, nil
}

// scan finds the atom cache references of the term at the start of b, in
// r.refs, and returns the bytes the term takes and how many more its
// references will take as atoms.
func (r *resolver) scan(b []byte) (n, grow int, ok bool, err error) {
	r.refs = r.refs[:0]
	pos := 0
	// left counts the terms still to scan: containers add their elements.
	for left := 1; left > 0; left-- {
		if pos >= len(b) {
			return 0, 0, false, fmt.Errorf("term truncated at byte %d", pos)
		}
		var more int
		switch b[pos] {
		case tagAtomCacheRef:
			more, err = r.ref(b, pos)
			pos += 2
		case tagSmallTuple:
			if pos+2 > len(b) {
				return 0, 0, false, fmt.Errorf("tuple head truncated at byte %d", pos)
			}
			left += int(b[pos+1])
			pos += 2
		case etfwire.LargeTuple, tagList, tagMap:
			if pos+5 > len(b) {
				return 0, 0, false, fmt.Errorf("head truncated at byte %d", pos)
			}
			count := int(binary.BigEndian.Uint32(b[pos+1:]))
			switch b[pos] {
			case tagList:
				count++ // and the tail
			case tagMap:
				count *= 2
			}
			if count > len(b)-pos {
				return 0, 0, false, fmt.Errorf("%d elements in %d bytes at byte %d", count, len(b)-pos, pos)
			}
			left += count
			pos += 5
		case tagNewPid, tagNewPort, tagV4Port, tagNewerRef:
			pos, more, err = r.identifier(b, pos)
		case tagNewFun, tagExport, tagPid, tagPort, tagRef, tagNewRef, tagCompressed:
			return 0, 0, false, nil
		default:
			pos, err = skipLeaf(b, pos)
		}
		if err != nil {
			return 0, 0, false, err
		}
		grow += more
	}
	return pos, grow, true, nil
}

// skipLeaf returns the position after the term at b[pos:], which holds no
// reference. The leaves most payloads are made of (a 1,000-key map has
// 2,000) are measured here, which saves a call a leaf; etf.SkipTerm
// measures the rest, and reports what is malformed.
func skipLeaf(b []byte, pos int) (int, error) {
	rest := len(b) - pos
	switch b[pos] {
	case tagSmallInteger:
		if rest >= 2 {
			return pos + 2, nil
		}
	case tagInteger:
		if rest >= 5 {
			return pos + 5, nil
		}
	case tagBinary:
		if rest >= 5 && uint64(binary.BigEndian.Uint32(b[pos+1:])) <= uint64(rest-5) {
			return pos + 5 + int(binary.BigEndian.Uint32(b[pos+1:])), nil
		}
	case tagSmallAtomUTF8:
		if rest >= 2 && int(b[pos+1]) <= rest-2 {
			return pos + 2 + int(b[pos+1]), nil
		}
	}
	size, err := etf.SkipTerm(b[pos:])
	return pos + size, err
}

// ref records the reference at b[pos:], and returns how many bytes more
// than the reference its atom takes.
func (r *resolver) ref(b []byte, pos int) (int, error) {
	if pos+2 > len(b) {
		return 0, fmt.Errorf("atom cache reference truncated at byte %d", pos)
	}
	i := int(b[pos+1])
	if i >= len(r.encoded) {
		return 0, fmt.Errorf("atom cache reference %d of %d", i, len(r.encoded))
	}
	r.refs = append(r.refs, pos)
	return len(r.encoded[i]) - 2, nil
}

// identifier scans the pid, port or reference at b[pos:], whose node may
// be a cached atom, and returns the position after it and how many bytes
// more its node takes as an atom:
//
//	NEW_PID_EXT         88 | Node | ID u32 | Serial u32 | Creation u32
//	NEW_PORT_EXT        89 | Node | ID u32 | Creation u32
//	V4_PORT_EXT        120 | Node | ID u64 | Creation u32
//	NEWER_REFERENCE_EXT 90 | Len u16 | Node | Creation u32 | ID u32 * Len
func (r *resolver) identifier(b []byte, pos int) (end, more int, err error) {
	tag, head := b[pos], 1
	var rest int // the bytes after the node
	switch tag {
	case tagNewPid:
		rest = 12
	case tagNewPort:
		rest = 8
	case tagV4Port:
		rest = 12
	case tagNewerRef:
		if pos+3 > len(b) {
			return 0, 0, fmt.Errorf("reference truncated at byte %d", pos)
		}
		head, rest = 3, 4+4*int(binary.BigEndian.Uint16(b[pos+1:]))
	}
	if pos+head >= len(b) {
		return 0, 0, fmt.Errorf("%d truncated at byte %d", tag, pos)
	}
	node := pos + head
	var size int
	switch b[node] {
	case tagAtomCacheRef:
		more, err = r.ref(b, node)
		size = 2
	case etfwire.Atom, etfwire.SmallAtom, etfwire.AtomUTF8, etfwire.SmallAtomUTF8:
		size, err = etf.SkipTerm(b[node:])
	default:
		err = fmt.Errorf("node of %d at byte %d is not an atom", tag, pos)
	}
	if err != nil {
		return 0, 0, err
	}
	end = node + size + rest
	if end > len(b) {
		return 0, 0, fmt.Errorf("%d truncated at byte %d", tag, pos)
	}
	return end, more, nil
}
