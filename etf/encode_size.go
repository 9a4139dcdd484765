package etf

import (
	"encoding/binary"
	"math"
)

// Encode sizes a small term before it encodes it, as term_to_binary does,
// and writes it straight into one allocation of its size: for the smallest
// terms, the pooled buffer's round trip, the copy out of it and AppendTerm's
// stack of frames cost as much as the encoding. A term past these bounds,
// or with a term of a kind the sizing pass does not take, is encoded by
// AppendTerm into a pooled buffer.
const (
	// maxSizedTerms is the most terms, containers and leaves, that
	// smallSize visits before it gives up. It also bounds the recursion
	// of smallSize and appendSized.
	maxSizedTerms = 16
	// maxSizedBytes is the largest encoding Encode sizes first. Past a
	// few hundred bytes the allocation costs all but the whole of an
	// Encode, whichever way it is written: a 1 KiB binary was no faster
	// sized.
	maxSizedBytes = 512
)

// smallSize returns the length of the encoding of t, without the version
// byte, when t is made of at most maxSizedTerms int32 Ints, ASCII atoms,
// binaries, tuples, lists, improper lists, maps, and pids and references of
// nodes with ASCII names, and its encoding is at most maxSizedBytes long.
// Otherwise it returns false. A term it sizes is valid: appendSized writes
// it, and cannot fail.
func smallSize(t Term) (int, bool) {
	budget := maxSizedTerms
	n, ok := sizeTerm(t, &budget)
	return n, ok && n <= maxSizedBytes
}

// sizeTerm is smallSize with a budget of terms it may still visit.
func sizeTerm(t Term, budget *int) (int, bool) {
	if *budget == 0 {
		return 0, false
	}
	*budget--
	switch v := t.(type) {
	case Int:
		switch {
		case v >= 0 && v <= 255:
			return 2, true
		case v >= math.MinInt32 && v <= math.MaxInt32:
			return 5, true
		}
	case Atom:
		if len(v) <= maxAtomChars && isASCII(v) {
			return 2 + len(v), true
		}
	case Binary:
		if len(v) <= maxSizedBytes {
			return 5 + len(v), true
		}
	case Tuple:
		return sizeElems(2, v, budget)
	case List:
		switch {
		case len(v) == 0:
			return 1, true
		case len(v) <= maxSizedBytes && isByteList(v):
			return 3 + len(v), true
		}
		return sizeElems(5+1, v, budget) // the header and the [] tail
	case ImproperList:
		switch v.Tail.(type) {
		case nil, List:
			return 0, false
		}
		if len(v.Elems) == 0 {
			return 0, false
		}
		n, ok := sizeElems(5, v.Elems, budget)
		if !ok {
			return 0, false
		}
		tail, ok := sizeTerm(v.Tail, budget)
		return n + tail, ok
	case Pid:
		if len(v.Node) <= maxAtomChars && isASCII(v.Node) {
			return 1 + 2 + len(v.Node) + 12, true
		}
	case Ref:
		if v.Len >= 1 && int(v.Len) <= maxRefLen && len(v.Node) <= maxAtomChars && isASCII(v.Node) {
			return 1 + 2 + 2 + len(v.Node) + 4 + 4*int(v.Len), true
		}
	case Map:
		if len(v) > *budget/2 {
			return 0, false
		}
		n := 5
		for _, p := range v {
			k, ok := sizeTerm(p.Key, budget)
			if !ok {
				return 0, false
			}
			e, ok := sizeTerm(p.Value, budget)
			if !ok {
				return 0, false
			}
			n += k + e
		}
		return n, true
	}
	return 0, false
}

// sizeElems returns head plus the sizes of elems.
func sizeElems(head int, elems []Term, budget *int) (int, bool) {
	if len(elems) > *budget {
		return 0, false // which also keeps a tuple to SMALL_TUPLE_EXT
	}
	n := head
	for _, e := range elems {
		s, ok := sizeTerm(e, budget)
		if !ok {
			return 0, false
		}
		n += s
	}
	return n, true
}

// appendSized appends t, which smallSize has sized, as AppendTerm would.
func appendSized(dst []byte, t Term) []byte {
	switch v := t.(type) {
	case Int:
		return appendInt(dst, int64(v))
	case Atom:
		return appendSmallAtom(dst, v)
	case Binary:
		return appendBinaryBytes(dst, v)
	case Tuple:
		return appendSizedElems(append(dst, byte(tagSmallTuple), byte(len(v))), v)
	case List:
		switch {
		case len(v) == 0:
			return append(dst, byte(tagNil))
		case len(v) > maxSizedTerms:
			// smallSize takes a list this long only as a byte list:
			// spare it a second check.
			return appendStringExt(dst, v)
		}
		if dst, ok := appendByteList(dst, v); ok {
			return dst
		}
		dst = binary.BigEndian.AppendUint32(append(dst, byte(tagList)), uint32(len(v)))
		return append(appendSizedElems(dst, v), byte(tagNil))
	case ImproperList:
		dst = binary.BigEndian.AppendUint32(append(dst, byte(tagList)), uint32(len(v.Elems)))
		return appendSized(appendSizedElems(dst, v.Elems), v.Tail)
	case Pid:
		dst, _ = appendPid(dst, v) // its node is an atom smallSize checked
	case Ref:
		dst, _ = appendRef(dst, v) // its Len and node smallSize checked
	case Map:
		dst = binary.BigEndian.AppendUint32(append(dst, byte(tagMap)), uint32(len(v)))
		for _, p := range v {
			dst = appendSized(appendSized(dst, p.Key), p.Value)
		}
	}
	return dst
}

// appendSizedElems appends elems with appendSized.
func appendSizedElems(dst []byte, elems []Term) []byte {
	for _, e := range elems {
		dst = appendSized(dst, e)
	}
	return dst
}
