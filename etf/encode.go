package etf

import (
	"math"
	"sync"
)

// Encode returns the external term format of t, with the version byte 131
// first, in the forms OTP 26 writes: UTF-8 atoms, NEW_FLOAT_EXT, NEW_PID_EXT,
// NEWER_REFERENCE_EXT, NEW_PORT_EXT or V4_PORT_EXT, STRING_EXT for a list of
// at most 65535 Ints from 0 to 255, and each integer in the smallest encoding
// that holds it. It never compresses. Errors are [*EncodeError].
func Encode(t Term) ([]byte, error) {
	if n, ok := smallSize(t); ok {
		return appendSized(append(make([]byte, 0, 1+n), version), t), nil
	}
	bp := encodeBuffers.Get().(*[]byte)
	defer encodeBuffers.Put(bp)
	buf, err := AppendTerm(append((*bp)[:0], version), t)
	if err != nil {
		return nil, err
	}
	if cap(buf) > maxPooledBuffer {
		// A large term outgrew the pooled buffer into one of its own:
		// hand that over rather than copy it.
		return buf, nil
	}
	// A small term is copied out of the reused buffer: one allocation of
	// the right size, instead of one each time an appended buffer grows.
	*bp = buf
	return append([]byte(nil), buf...), nil
}

// encodeBuffers holds idle buffers for Encode.
var encodeBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuffer is the largest buffer Encode keeps for reuse, so that one
// huge term does not pin its buffer.
const maxPooledBuffer = 64 << 10

// AppendTerm appends the external term format of t to dst, without the
// version byte, as it follows a distribution header, and returns the
// extended buffer. Its output is that of [Encode]. A Raw or a Local is
// appended verbatim. It allocates nothing when dst has room.
//
// On error it returns dst unchanged, and an [*EncodeError]: for a nil Term,
// an atom that is not UTF-8 or is longer than 255 characters, a non-finite
// Float, a Bitstring whose Bits is not 1 to 7 or that has no Bytes, an
// ImproperList with no Elems or a List or nil Tail, a Ref whose Len is not 1
// to 5, a BigInt with a nil Value, a Fun whose OldIndex or OldUniq is outside
// the int32 range, an empty Raw or Local, or a value of a type that is not a
// term. It does not check that map keys are distinct.
func AppendTerm(dst []byte, t Term) ([]byte, error) {
	start := len(dst)
	// Eight frames on the goroutine's stack hold the nesting of nearly
	// every term. Every call zeroes them, so more would slow small terms;
	// a term nested deeper grows the stack on the heap.
	var buf [8]encFrame
	stack := buf[:0]
	var err error
	for {
		switch v := t.(type) {
		case Atom:
			dst, err = appendAtom(dst, v)
		case Int:
			dst = appendInt(dst, int64(v))
		case BigInt:
			dst, err = appendBigInt(dst, v.Value)
		case Float:
			dst, err = appendFloat(dst, float64(v))
		case Binary:
			dst, err = appendBinary(dst, v)
		case Bitstring:
			dst, err = appendBitstring(dst, v)
		case List:
			if len(v) == 0 {
				dst = append(dst, byte(tagNil))
				break
			}
			var ok bool
			if dst, ok = appendByteList(dst, v); ok {
				break
			}
			if dst, err = appendListHead(dst, len(v)); err == nil {
				stack = append(stack, encFrame{elems: v, kind: frameList})
			}
		case ImproperList:
			switch v.Tail.(type) {
			case nil, List:
				err = errorf(ErrInvalid, "ImproperList with a %T Tail; a list tail belongs in Elems", v.Tail)
			}
			if len(v.Elems) == 0 {
				err = errorf(ErrInvalid, "ImproperList with no Elems; the term is its Tail")
			}
			if err == nil {
				if dst, err = appendListHead(dst, len(v.Elems)); err == nil {
					stack = append(stack, encFrame{elems: v.Elems, tail: v.Tail, kind: frameList})
				}
			}
		case Tuple:
			if len(v) <= math.MaxUint8 {
				dst = append(dst, byte(tagSmallTuple), byte(len(v)))
			} else if dst, err = appendTupleHead(dst, len(v)); err != nil {
				break
			}
			if len(v) > 0 {
				stack = append(stack, encFrame{elems: v, kind: frameTuple})
			}
		case Map:
			if dst, err = appendMapHead(dst, len(v)); err == nil && len(v) > 0 {
				stack = append(stack, encFrame{pairs: v, kind: frameMap})
			}
		case Pid:
			dst, err = appendPid(dst, v)
		case Ref:
			dst, err = appendRef(dst, v)
		case Port:
			dst, err = appendPort(dst, v)
		case Fun:
			var sizeAt int
			if dst, sizeAt, err = appendFunHead(dst, v); err != nil {
				break
			}
			if len(v.Free) == 0 {
				patchFunSize(dst, sizeAt)
				break
			}
			stack = append(stack, encFrame{elems: v.Free, kind: frameFun, sizeAt: sizeAt})
		case Export:
			dst, err = appendExport(dst, v)
		case Local:
			if len(v) == 0 || tag(v[0]) != tagLocal {
				err = errorf(ErrInvalid, "Local does not start with the LOCAL_EXT tag")
			}
			dst = append(dst, v...)
		case Raw:
			if len(v) == 0 {
				err = errorf(ErrInvalid, "empty Raw")
			}
			dst = append(dst, v...)
		case nil:
			err = errorf(ErrInvalid, "nil Term")
		default:
			err = errorf(ErrInvalid, "%T is not a term", v)
		}
		if err != nil {
			return dst[:start], &EncodeError{Path: encodePath(stack), Err: err}
		}

		// Move to the next term: the next element of the innermost open
		// container, closing those that are complete.
	next:
		for {
			if len(stack) == 0 {
				return dst, nil
			}
			f := &stack[len(stack)-1]
			var ok bool
			if t, ok = f.next(); ok {
				// The commonest leaves are written here, which spares
				// them the larger switch above. That switch reports
				// their errors.
				switch v := t.(type) {
				case Int:
					dst = appendInt(dst, int64(v))
					continue next
				case Atom:
					if len(v) <= maxAtomChars && isASCII(v) {
						dst = appendSmallAtom(dst, v)
						continue next
					}
				case Binary:
					if uint64(len(v)) <= math.MaxUint32 {
						dst = appendBinaryBytes(dst, v)
						continue next
					}
				}
				break
			}
			switch {
			case f.kind == frameList && f.tail == nil:
				dst = append(dst, byte(tagNil))
			case f.kind == frameFun:
				patchFunSize(dst, f.sizeAt)
			}
			stack = stack[:len(stack)-1]
		}
	}
}

// appendTupleHead appends the LARGE_TUPLE_EXT header of a tuple of n
// elements.
func appendTupleHead(dst []byte, n int) ([]byte, error) {
	if uint64(n) > math.MaxUint32 {
		return dst, errorf(ErrInvalid, "tuple of %d elements, the limit is %d", n, uint32(math.MaxUint32))
	}
	return append(dst, byte(tagLargeTuple), byte(n>>24), byte(n>>16), byte(n>>8), byte(n)), nil
}

// encFrame is a container whose elements are being encoded. Encoding keeps
// a stack of them instead of recursing, as decoding does.
type encFrame struct {
	elems  []Term // tuple, list and fun free variables
	pairs  Map
	tail   Term // the tail of an improper list, written after elems
	i      int  // the next element to encode
	kind   frameKind
	sizeAt int // where the Size field of a NEW_FUN_EXT is
}

// next returns the next term of f to encode, or false if there is none.
func (f *encFrame) next() (Term, bool) {
	i := f.i
	f.i++
	switch {
	case f.kind == frameMap && i < 2*len(f.pairs):
		if i&1 == 0 {
			return f.pairs[i>>1].Key, true
		}
		return f.pairs[i>>1].Value, true
	case i < len(f.elems):
		return f.elems[i], true
	case i == len(f.elems) && f.tail != nil:
		return f.tail, true
	}
	return nil, false
}

// encodePath returns the path, as in SyntaxError, of the term being encoded
// in the innermost frame of stack.
func encodePath(stack []encFrame) string {
	var b pathBuilder
	for i := range stack {
		f := &stack[i]
		n := f.i - 1 // f.i has moved past the term being encoded
		switch {
		case f.kind == frameMap:
			b.index(string("kv"[n&1]), n>>1)
		case f.kind == frameList && n == len(f.elems):
			b.WriteString("/tail")
		case f.kind == frameFun:
			b.index("free", n)
		default:
			b.index("", n)
		}
	}
	return b.String()
}
