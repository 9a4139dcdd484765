package etf

import "encoding/binary"

// SkipTerm returns the length of the one term at the start of data, which
// has no version byte, without building it. It checks the framing only: the
// lengths and tags that say where the term ends, not, for example, that its
// atoms are UTF-8, so a term it measures may still fail to decode. An atom
// cache reference counts as its two bytes. Like [DecodeTerm], it takes a
// LOCAL_EXT term to run to the end of data, and a compressed term (tag 80)
// to end with its zlib data. Errors are [*SyntaxError].
func SkipTerm(data []byte) (int, error) {
	if len(data) > 0 && tag(data[0]) == tagCompressed {
		term, end, err := inflate(data, 0)
		if err != nil {
			return 0, err
		}
		if n, err := SkipTerm(term); err != nil || n != len(term) {
			if err == nil {
				err = &SyntaxError{Offset: int64(n), Err: ErrTrailingData}
			}
			return 0, inCompressed(err, 0)
		}
		return end, nil
	}
	end, _, err := measure(data, 0)
	return end, err
}

// sizes counts what decoding a term allocates, so that one allocation of each
// kind can serve the whole term.
type sizes struct {
	slots int // elements of tuples, lists (with their tails) and funs
	pairs int // pairs of maps
	bytes int // bytes of binaries, bitstrings and LOCAL_EXT smaller than smallBinary
}

// measure returns where the term at data[pos:] ends, which is not
// compressed, and what decoding it allocates, checking its framing as
// SkipTerm does.
func measure(data []byte, pos int) (int, sizes, error) {
	var sz sizes
	// left counts the terms still to skip: containers add their elements.
	for left := 1; left > 0; left-- {
		start := pos
		var n int
		var err error
		if pos >= len(data) {
			return 0, sz, &SyntaxError{Offset: int64(pos), Err: errorf(ErrTruncated, "a term needs at least 1 byte, 0 left")}
		}
		// The leaves most terms are made of are read inline when they are
		// whole, a function call less a term, which a Go guest pays dearly
		// under wasm; the calls below read the rest, with their errors.
		switch tg, rest := tag(data[pos]), len(data)-pos; {
		case tg == tagSmallInteger && rest >= 2:
			pos += 2
			continue
		case tg == tagSmallAtomUTF8 && rest >= 2 && rest-2 >= int(data[pos+1]):
			pos += 2 + int(data[pos+1])
			continue
		case tg == tagBinary && rest >= 5:
			if n := binary.BigEndian.Uint32(data[pos+1:]); uint64(n) <= uint64(rest-5) {
				if n < smallBinary {
					sz.bytes += int(n)
				}
				pos += 5 + int(n)
				continue
			}
		}
		switch tg := tag(data[pos]); tg {
		case tagSmallInteger, tagAtomCacheRef:
			pos, err = skipBytes(tg, data, pos, 2)
		case tagInteger:
			pos, err = skipBytes(tg, data, pos, 5)
		case tagNewFloat:
			pos, err = skipBytes(tg, data, pos, 9)
		case tagFloat:
			pos, err = skipBytes(tg, data, pos, 1+floatStringLen)
		case tagNil:
			pos++
		case tagAtom, tagSmallAtom, tagAtomUTF8, tagSmallAtomUTF8, tagSmallBig, tagLargeBig:
			pos, err = skipCounted(data, pos)
		case tagString, tagBinary, tagBitBinary:
			if pos, err = skipCounted(data, pos); err == nil {
				n = pos - start - stringHead[tg]
			}
			if tg == tagString {
				sz.slots += n
			} else if n < smallBinary {
				sz.bytes += n
			}
		case tagSmallTuple, tagLargeTuple:
			n, pos, err = readArity(data, pos, 1)
			left += n
			sz.slots += n
		case tagList:
			n, pos, err = readArity(data, pos, 1)
			left += n + 1 // and the tail
			if n > 0 {
				sz.slots += n + 1
			}
		case tagMap:
			n, pos, err = readArity(data, pos, 2)
			left += 2 * n
			sz.pairs += n
		case tagNewPid, tagPid:
			pos, err = skipPid(data, pos)
		case tagNewPort, tagV4Port, tagPort, tagNewerReference, tagNewReference, tagReference:
			pos, err = skipIdentifier(data, pos)
		case tagExport:
			if pos, err = skipAtom(data, pos+1); err == nil {
				if pos, err = skipAtom(data, pos); err == nil {
					pos, err = skipBytes(tagSmallInteger, data, pos, 2) // the arity
				}
			}
		case tagNewFun:
			n, pos, err = skipFunHead(data, pos)
			left += n
			sz.slots += n
		case tagLocal:
			if n = len(data) - pos; n < smallBinary {
				sz.bytes += n
			}
			pos = len(data)
		case tagCompressed:
			err = errorf(ErrInvalid, "compressed term not at the top level")
		default:
			err = errorf(ErrUnknownTag, "%v", tg)
		}
		if err != nil {
			return 0, sz, &SyntaxError{Offset: int64(start), Err: err}
		}
	}
	return pos, sz, nil
}

// stringHead is the size of the head of STRING_EXT, BINARY_EXT and
// BIT_BINARY_EXT, before their bytes.
var stringHead = [...]int{tagString: 3, tagBinary: 5, tagBitBinary: 6}

// skipBytes returns the end of the n-byte term tagged tg at data[pos:].
func skipBytes(tg tag, data []byte, pos, n int) (int, error) {
	if len(data)-pos < n {
		return 0, truncated(tg, n, len(data)-pos)
	}
	return pos + n, nil
}

// skipCounted returns the end of the term at data[pos:] whose size is a
// length field after the tag, plus a fixed head: an atom, a string, a big
// integer or a binary.
func skipCounted(data []byte, pos int) (int, error) {
	tg := tag(data[pos])
	var head, width int // the head's size, and the length field's
	switch tg {
	case tagSmallAtom, tagSmallAtomUTF8:
		head, width = 2, 1
	case tagSmallBig:
		head, width = 3, 1 // then the sign byte
	case tagAtom, tagAtomUTF8, tagString:
		head, width = 3, 2
	case tagBinary:
		head, width = 5, 4
	default: // LARGE_BIG_EXT and BIT_BINARY_EXT: one more byte after the length
		head, width = 6, 4
	}
	if len(data)-pos < head {
		return 0, truncated(tg, head, len(data)-pos)
	}
	var n uint64
	for _, b := range data[pos+1 : pos+1+width] {
		n = n<<8 | uint64(b)
	}
	if n > uint64(len(data)-pos-head) {
		return 0, errorf(ErrTruncated, "%v of %d bytes, %d left", tg, n, len(data)-pos-head)
	}
	return pos + head + int(n), nil
}

// skipAtom returns the end of the atom at data[pos:].
func skipAtom(data []byte, pos int) (int, error) {
	if pos >= len(data) {
		return 0, errorf(ErrTruncated, "an atom needs at least 2 bytes, 0 left")
	}
	switch tg := tag(data[pos]); tg {
	case tagAtomCacheRef:
		return skipBytes(tg, data, pos, 2)
	case tagAtom, tagSmallAtom, tagAtomUTF8, tagSmallAtomUTF8:
		return skipCounted(data, pos)
	default:
		return 0, errorf(ErrInvalid, "%v where an atom belongs", tg)
	}
}

// skipPid returns the end of the pid at data[pos:].
func skipPid(data []byte, pos int) (int, error) {
	if pos >= len(data) {
		return 0, errorf(ErrTruncated, "NEW_FUN_EXT ends before its pid")
	}
	switch tg := tag(data[pos]); tg {
	case tagNewPid, tagPid:
		return skipIdentifier(data, pos)
	default:
		return 0, errorf(ErrInvalid, "%v where a pid belongs", tg)
	}
}

// skipIdentifier returns the end of the pid, port or reference at
// data[pos:]: a node name between fixed-size fields.
func skipIdentifier(data []byte, pos int) (int, error) {
	tg := tag(data[pos])
	head, size := 1, 0 // the bytes before the node name, and after it
	switch tg {
	case tagNewPid:
		size = 12
	case tagPid:
		size = 9
	case tagV4Port:
		size = 12
	case tagNewPort:
		size = 8
	case tagPort, tagReference:
		size = 5
	default: // NEWER_REFERENCE_EXT and NEW_REFERENCE_EXT
		if len(data)-pos < 3 {
			return 0, truncated(tg, 3, len(data)-pos)
		}
		head = 3
		words := int(binary.BigEndian.Uint16(data[pos+1:]))
		size = 4*words + 1
		if tg == tagNewerReference {
			size += 3
		}
	}
	p, err := skipAtom(data, pos+head)
	if err != nil {
		return 0, err
	}
	if len(data)-p < size {
		return 0, errorf(ErrTruncated, "%v needs %d bytes after the node name, %d left", tg, size, len(data)-p)
	}
	return p + size, nil
}

// skipFunHead returns the number of free variables of the NEW_FUN_EXT at
// data[pos:], and where they start.
func skipFunHead(data []byte, pos int) (int, int, error) {
	if len(data)-pos < funHeadSize {
		return 0, 0, truncated(tagNewFun, funHeadSize, len(data)-pos)
	}
	numFree := uint64(binary.BigEndian.Uint32(data[pos+26:]))
	p, err := skipAtom(data, pos+funHeadSize)
	for i := 0; i < 2 && err == nil; i++ {
		_, p, err = readFunInt(data, p)
	}
	if err == nil {
		p, err = skipPid(data, p)
	}
	if err != nil {
		return 0, 0, err
	}
	if numFree > uint64(len(data)-p) {
		return 0, 0, errorf(ErrTruncated, "NEW_FUN_EXT with %d free variables, %d bytes left", numFree, len(data)-p)
	}
	return int(numFree), p, nil
}
