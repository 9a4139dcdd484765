package dist

import (
	"encoding/binary"
	"fmt"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/etfwire"
)

// The tags appendResolved reads (erl_ext_dist.md), beside those of
// internal/etfwire.
const (
	tagAtomCacheRef  = 82
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

// appendResolved appends the term at the start of b to dst with each atom
// cache reference replaced by the atom it stands for, as etf.AppendTerm
// writes it, and returns the bytes of b the term took. Everything else is
// copied as it is, so a raw payload that names cached atoms costs a copy
// rather than a decode and an encode. ok is false for a term it leaves to
// the decoder: a fun, an export, the old pid, port and reference forms, or
// a compressed term.
func appendResolved(dst, b []byte, atoms []etf.Atom) (out []byte, n int, ok bool, err error) {
	pos := 0
	// left counts the terms still to copy: containers add their elements.
	for left := 1; left > 0; left-- {
		if pos >= len(b) {
			return dst, 0, false, fmt.Errorf("term truncated at byte %d", pos)
		}
		switch b[pos] {
		case tagAtomCacheRef:
			if dst, err = appendCachedAtom(dst, b, pos, atoms); err != nil {
				return dst, 0, false, err
			}
			pos += 2
		case tagSmallTuple:
			if pos+2 > len(b) {
				return dst, 0, false, fmt.Errorf("tuple head truncated at byte %d", pos)
			}
			left += int(b[pos+1])
			dst, pos = append(dst, b[pos:pos+2]...), pos+2
		case etfwire.LargeTuple, tagList, tagMap:
			if pos+5 > len(b) {
				return dst, 0, false, fmt.Errorf("head truncated at byte %d", pos)
			}
			count := int(binary.BigEndian.Uint32(b[pos+1:]))
			switch b[pos] {
			case tagList:
				count++ // and the tail
			case tagMap:
				count *= 2
			}
			if count > len(b)-pos {
				return dst, 0, false, fmt.Errorf("%d elements in %d bytes at byte %d", count, len(b)-pos, pos)
			}
			left += count
			dst, pos = append(dst, b[pos:pos+5]...), pos+5
		case tagNewPid, tagNewPort, tagV4Port, tagNewerRef:
			if dst, pos, err = appendIdentifier(dst, b, pos, atoms); err != nil {
				return dst, 0, false, err
			}
		case tagNewFun, tagExport, tagPid, tagPort, tagRef, tagNewRef, tagCompressed:
			return dst, 0, false, nil
		default:
			size, err := etf.SkipTerm(b[pos:])
			if err != nil {
				return dst, 0, false, err
			}
			dst, pos = append(dst, b[pos:pos+size]...), pos+size
		}
	}
	return dst, pos, true, nil
}

// appendCachedAtom appends the atom the reference at b[pos:] stands for.
func appendCachedAtom(dst, b []byte, pos int, atoms []etf.Atom) ([]byte, error) {
	if pos+2 > len(b) {
		return dst, fmt.Errorf("atom cache reference truncated at byte %d", pos)
	}
	i := int(b[pos+1])
	if i >= len(atoms) {
		return dst, fmt.Errorf("atom cache reference %d of %d", i, len(atoms))
	}
	return etf.AppendTerm(dst, atoms[i])
}

// appendIdentifier appends the pid, port or reference at b[pos:], whose
// node may be a cached atom, and returns the position after it:
//
//	NEW_PID_EXT         88 | Node | ID u32 | Serial u32 | Creation u32
//	NEW_PORT_EXT        89 | Node | ID u32 | Creation u32
//	V4_PORT_EXT        120 | Node | ID u64 | Creation u32
//	NEWER_REFERENCE_EXT 90 | Len u16 | Node | Creation u32 | ID u32 * Len
func appendIdentifier(dst, b []byte, pos int, atoms []etf.Atom) ([]byte, int, error) {
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
			return dst, 0, fmt.Errorf("reference truncated at byte %d", pos)
		}
		head, rest = 3, 4+4*int(binary.BigEndian.Uint16(b[pos+1:]))
	}
	if pos+head >= len(b) {
		return dst, 0, fmt.Errorf("%d truncated at byte %d", tag, pos)
	}
	dst = append(dst, b[pos:pos+head]...)
	node := pos + head
	var size int
	var err error
	switch b[node] {
	case tagAtomCacheRef:
		dst, err = appendCachedAtom(dst, b, node, atoms)
		size = 2
	case etfwire.Atom, etfwire.SmallAtom, etfwire.AtomUTF8, etfwire.SmallAtomUTF8:
		if size, err = etf.SkipTerm(b[node:]); err == nil {
			dst = append(dst, b[node:node+size]...)
		}
	default:
		err = fmt.Errorf("node of %d at byte %d is not an atom", tag, pos)
	}
	if err != nil {
		return dst, 0, err
	}
	end := node + size + rest
	if end > len(b) {
		return dst, 0, fmt.Errorf("%d truncated at byte %d", tag, pos)
	}
	return append(dst, b[node+size:end]...), end, nil
}
