package etf

import (
	"encoding/binary"
	"math"
)

// maxStringLen is the longest list STRING_EXT can hold.
const maxStringLen = math.MaxUint16

// appendByteList appends l as STRING_EXT and reports true when OTP would:
// when l is not empty, has at most 65535 elements and all are Ints from 0 to
// 255. Otherwise it leaves dst alone and reports false.
func appendByteList(dst []byte, l List) ([]byte, bool) {
	if !isByteList(l) {
		return dst, false
	}
	return appendStringExt(dst, l), true
}

// appendStringExt appends l, which isByteList accepts, as STRING_EXT.
func appendStringExt(dst []byte, l List) []byte {
	dst = binary.BigEndian.AppendUint16(append(dst, byte(tagString)), uint16(len(l)))
	for _, e := range l {
		dst = append(dst, byte(e.(Int)))
	}
	return dst
}

// isByteList reports whether OTP writes l as STRING_EXT: when l is not
// empty, has at most 65535 elements and all are Ints from 0 to 255.
func isByteList(l List) bool {
	if len(l) == 0 || len(l) > maxStringLen {
		return false
	}
	for _, e := range l {
		if i, ok := e.(Int); !ok || i < 0 || i > 255 {
			return false
		}
	}
	return true
}

// appendListHead appends the LIST_EXT header of a list of n elements; the
// elements and the tail follow.
func appendListHead(dst []byte, n int) ([]byte, error) {
	if uint64(n) > math.MaxUint32 {
		return dst, errorf(ErrInvalid, "list of %d elements, the limit is %d", n, uint32(math.MaxUint32))
	}
	return binary.BigEndian.AppendUint32(append(dst, byte(tagList)), uint32(n)), nil
}

// byteList decodes the STRING_EXT at data[pos:]: a List of Ints, never a
// string.
func (dec *decoder) byteList(data []byte, pos int) (Term, int, error) {
	if len(data)-pos < 3 {
		return nil, 0, truncated(tagString, 3, len(data)-pos)
	}
	n := int(binary.BigEndian.Uint16(data[pos+1:]))
	end := pos + 3 + n
	if end > len(data) {
		return nil, 0, errorf(ErrTruncated, "STRING_EXT of %d bytes, %d left", n, len(data)-pos-3)
	}
	if n == 0 {
		return emptyList, end, nil
	}
	l := List(dec.terms(n))
	for i, c := range data[pos+3 : end] {
		l[i] = Int(c)
	}
	return l, end, nil
}

// closeList returns the list whose elements are elems but the last, and
// whose tail is the last. A tail that is itself a list is joined on, so that
// the result is in the one form term.go prescribes, however the input split
// it.
func closeList(elems []Term) Term {
	n := len(elems) - 1
	switch tail := elems[n].(type) {
	case List:
		if len(tail) == 0 {
			elems[n] = nil
			return List(elems[:n:n])
		}
		return append(List(elems[:n:n]), tail...)
	case ImproperList:
		return ImproperList{Elems: append(elems[:n:n], tail.Elems...), Tail: tail.Tail}
	default:
		return ImproperList{Elems: elems[:n:n], Tail: tail}
	}
}
