package etf

import (
	"encoding/binary"
	"sync"
)

// DecodeOptions decodes terms with settings beyond the defaults of [Decode]
// and [DecodeTerm]. The zero value decodes as [Decode] does. A DecodeOptions
// may be used by any number of goroutines at once.
type DecodeOptions struct {
	// Atoms resolves ATOM_CACHE_REF: reference i stands for Atoms[i]. The
	// distribution layer builds it from the atom cache references of a
	// message's distribution header. A reference past its end is an error.
	Atoms []Atom

	// Alias makes decoded Binary, Bitstring and Local values share memory
	// with the input instead of copying it, which makes decoding a large
	// binary cost nothing. The input must then stay unchanged for as long as
	// the term is in use, and the term keeps all of it in memory; a buffer
	// the caller reuses for the next read must not be decoded with Alias.
	// Each aliased slice is capped to its own bytes, so appending to it
	// never writes into the input.
	Alias bool
}

// Decode decodes data, which must hold exactly one term in the external
// term format: the version byte 131, then the term, compressed (tag 80) or
// not. Errors are [*SyntaxError].
func Decode(data []byte) (Term, error) { return DecodeOptions{}.Decode(data) }

// DecodeTerm decodes one term at the start of data, which has no version
// byte, as in a distribution message after its header. ATOM_CACHE_REF i
// stands for atoms[i]. It returns the term and the number of bytes it
// used; data may go on after it. Errors are [*SyntaxError].
func DecodeTerm(data []byte, atoms []Atom) (Term, int, error) {
	return DecodeOptions{Atoms: atoms}.DecodeTerm(data)
}

// Decode is [Decode] with the options of opts.
func (opts DecodeOptions) Decode(data []byte) (Term, error) {
	if len(data) == 0 {
		return nil, &SyntaxError{Err: errorf(ErrTruncated, "no version byte")}
	}
	if data[0] != version {
		return nil, &SyntaxError{Err: errorf(ErrInvalid, "version byte is %d, not 131", data[0])}
	}
	t, end, err := opts.decodeAt(data, 1)
	if err != nil {
		return nil, err
	}
	if end != len(data) {
		return nil, &SyntaxError{Offset: int64(end), Err: ErrTrailingData}
	}
	return t, nil
}

// DecodeTerm is [DecodeTerm] with the options of opts; the atom cache
// references resolve to opts.Atoms.
func (opts DecodeOptions) DecodeTerm(data []byte) (Term, int, error) {
	return opts.decodeAt(data, 0)
}

// decodeAt decodes the term at data[pos:], compressed or not, and returns
// where it ends.
func (opts DecodeOptions) decodeAt(data []byte, pos int) (Term, int, error) {
	if pos < len(data) && tag(data[pos]) == tagCompressed {
		return opts.decodeCompressed(data, pos)
	}
	return opts.decodePlain(data, pos)
}

// decodePlain decodes the term at data[pos:], which is not compressed, and
// returns where it ends.
func (opts DecodeOptions) decodePlain(data []byte, pos int) (Term, int, error) {
	dec := decoders.Get().(*decoder)
	dec.alias = opts.Alias
	// The decoder is in the heap, where each pointer stored costs a write
	// barrier while the collector runs: store only those that are needed.
	if opts.Atoms != nil {
		dec.atoms = opts.Atoms
	}
	// Measuring the term first checks its framing, and sizes slabs that
	// its containers and small binaries are cut from: a few allocations
	// instead of one for each. If it fails, decoding without slabs finds
	// the error again, with its path. A term of a few bytes has a few
	// containers, whose allocations cost less than measuring it.
	measured := false
	if len(data)-pos > maxUnmeasured {
		var sz sizes
		var err error
		if _, sz, err = measure(data, pos); err == nil {
			dec.slots = make([]Term, sz.slots)
			dec.pairs = make(Map, sz.pairs)
			if !dec.alias {
				dec.buf = make([]byte, sz.bytes)
			}
			measured = true
		}
	}
	t, end, err := dec.decode(data, pos)
	// The slabs belong to the term now.
	if measured {
		dec.slots, dec.pairs, dec.buf = nil, nil, nil
	}
	if opts.Atoms != nil {
		dec.atoms = nil
	}
	decoders.Put(dec)
	return t, end, err
}

// maxUnmeasured is the size up to which a term is decoded without measuring
// it first: {get, <<"user:42">>, 5000} takes 25 bytes. The gen_server call
// of the benchmarks (120 bytes, 4 containers and a binary) decodes in the
// same time either way, in 10 allocations measured and 13 not, so it is
// measured.
const maxUnmeasured = 32

// decoders holds idle decoders, so that their stacks and atom caches are
// reused from one term to the next.
var decoders = sync.Pool{New: func() any { return new(decoder) }}

// decoder holds the state of one decode, and what is worth keeping between
// decodes.
type decoder struct {
	atoms []Atom
	alias bool

	// Slabs that the term's slices are cut from, and that it keeps.
	slots []Term
	pairs Map
	buf   []byte

	// Kept from one decode to the next.
	stack   []frame
	cache   atomCache
	scratch []byte
	keys    keyChecker
}

// terms returns n slots for the elements of a container.
func (dec *decoder) terms(n int) []Term {
	if n > len(dec.slots) {
		return make([]Term, n)
	}
	s := dec.slots[:n:n]
	dec.slots = dec.slots[n:]
	return s
}

// mapPairs returns n pairs for a map.
func (dec *decoder) mapPairs(n int) Map {
	if n > len(dec.pairs) {
		return make(Map, n)
	}
	m := dec.pairs[:n:n]
	dec.pairs = dec.pairs[n:]
	return m
}

// smallBinary is the size under which binaries are copied into the slab of
// bytes; a larger one gets an allocation of its own, so that the slab never
// holds a large binary alive for the sake of a small one.
const smallBinary = 4096

// bytes returns b, or a copy of it unless the decoder aliases its input.
func (dec *decoder) bytes(b []byte) []byte {
	if dec.alias {
		return b[:len(b):len(b)]
	}
	return dec.copyBytes(b)
}

// copyBytes returns a copy of b.
func (dec *decoder) copyBytes(b []byte) []byte {
	if len(b) >= smallBinary || len(b) > len(dec.buf) {
		return append([]byte(nil), b...)
	}
	c := dec.buf[:len(b):len(b)]
	dec.buf = dec.buf[len(b):]
	copy(c, b)
	return c
}

// frameKind says what kind of container a frame fills.
type frameKind uint8

const (
	frameTuple frameKind = iota
	frameList            // elems holds the elements, then the tail
	frameMap
	frameFun // elems holds the free variables
)

// frame is a container whose elements are being decoded. Decoding keeps a
// stack of frames instead of recursing, so a hostile input nested a million
// deep costs memory in proportion to its size, never the goroutine stack.
type frame struct {
	kind frameKind
	// keyDepth counts the maps in whose keys this container is. It bounds
	// how deep comparing map keys, which sorts maps inside keys, can recurse.
	keyDepth uint16
	i        int // next slot to fill
	start    int // offset of the container's tag
	elems    []Term
	pairs    Map
	fun      *Fun
}

// maxKeyDepth bounds how deep maps nest inside the keys of other maps. Erlang
// has no such limit, but checking keys for duplicates compares maps inside
// keys recursively; no real term comes near it.
const maxKeyDepth = 100

// decode decodes the term at data[pos:] and returns where it ends.
func (dec *decoder) decode(data []byte, pos int) (Term, int, error) {
	stack := dec.stack[:0]
	var t Term
	var err error
next:
	for {
		start := pos
		if pos >= len(data) {
			return nil, 0, dec.fail(stack, pos, errorf(ErrTruncated, "a term needs at least 1 byte, 0 left"))
		}
		switch tg := tag(data[pos]); tg {
		case tagSmallInteger:
			if len(data)-pos < 2 {
				return nil, 0, dec.fail(stack, pos, truncated(tg, 2, len(data)-pos))
			}
			t, pos = Int(data[pos+1]), pos+2
		case tagInteger:
			if len(data)-pos < 5 {
				return nil, 0, dec.fail(stack, pos, truncated(tg, 5, len(data)-pos))
			}
			t, pos = Int(int32(binary.BigEndian.Uint32(data[pos+1:]))), pos+5
		case tagSmallBig, tagLargeBig:
			t, pos, err = readBig(data, pos)
		case tagNewFloat, tagFloat:
			t, pos, err = readFloat(data, pos)
		case tagAtom, tagSmallAtom, tagAtomUTF8, tagSmallAtomUTF8, tagAtomCacheRef:
			t, pos, err = dec.atom(data, pos)
		case tagBinary:
			t, pos, err = dec.binary(data, pos)
		case tagBitBinary:
			t, pos, err = dec.bitBinary(data, pos)
		case tagNil:
			t, pos = emptyList, pos+1
		case tagString:
			t, pos, err = dec.byteList(data, pos)
		case tagSmallTuple, tagLargeTuple:
			var n int
			if n, pos, err = readArity(data, pos, 1); err != nil {
				break
			}
			if n == 0 {
				t = emptyTuple
				break
			}
			elems := dec.terms(n)
			var filled int
			if filled, pos = dec.fillLeaves(elems, data, pos); filled == n {
				t = Tuple(elems)
				break
			}
			stack = push(stack, frame{kind: frameTuple, start: start, elems: elems, i: filled})
			continue next
		case tagList:
			var n int
			if n, pos, err = readArity(data, pos, 1); err != nil {
				break
			}
			if n == 0 {
				// A list of no elements is its tail: the next term stands
				// for this one.
				continue next
			}
			elems := dec.terms(n + 1)
			var filled int
			if filled, pos = dec.fillLeaves(elems, data, pos); filled == n+1 {
				t = closeList(elems)
				break
			}
			stack = push(stack, frame{kind: frameList, start: start, elems: elems, i: filled})
			continue next
		case tagMap:
			var n int
			if n, pos, err = readArity(data, pos, 2); err != nil {
				break
			}
			if n == 0 {
				t = emptyMap
				break
			}
			if len(stack) > 0 && stack[len(stack)-1].childKeyDepth() > maxKeyDepth {
				err = errorf(ErrInvalid, "maps nested more than %d deep in map keys", maxKeyDepth)
				break
			}
			stack = push(stack, frame{kind: frameMap, start: start, pairs: dec.mapPairs(n)})
			continue next
		case tagNewPid, tagPid:
			var p Pid
			if p, pos, err = dec.pid(data, pos); err == nil {
				t = p
			}
		case tagNewPort, tagV4Port, tagPort:
			t, pos, err = dec.port(data, pos)
		case tagNewerReference, tagNewReference, tagReference:
			t, pos, err = dec.ref(data, pos)
		case tagExport:
			t, pos, err = dec.export(data, pos)
		case tagNewFun:
			var f *Fun
			if f, pos, err = dec.fun(data, pos); err != nil {
				break
			}
			if len(f.Free) == 0 {
				t = *f
				break
			}
			stack = push(stack, frame{kind: frameFun, start: start, elems: f.Free, fun: f})
			continue next
		case tagLocal:
			if len(stack) > 0 {
				err = errorf(ErrInvalid, "LOCAL_EXT inside another term")
				break
			}
			// Only its maker can read a LOCAL_EXT term, so its end is not
			// known: it runs to the end of the input.
			t, pos = Local(dec.bytes(data[pos:])), len(data)
		case tagCompressed:
			err = errorf(ErrInvalid, "compressed term not at the top level")
		default:
			err = errorf(ErrUnknownTag, "%v", tg)
		}
		if err != nil {
			return nil, 0, dec.fail(stack, start, err)
		}

		// t is whole: store it in the innermost open container, and close
		// every container it completes.
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.kind == frameMap {
				p := &f.pairs[f.i>>1]
				if f.i&1 == 0 {
					p.Key = t
				} else {
					p.Value = t
				}
				f.i++
				if f.i < 2*len(f.pairs) {
					continue next
				}
			} else {
				f.elems[f.i] = t
				f.i++
				if f.i < len(f.elems) {
					continue next
				}
			}
			t, err = f.close(&dec.keys)
			start := f.start
			*f = frame{}
			stack = stack[:len(stack)-1]
			if err != nil {
				return nil, 0, dec.fail(stack, start, err)
			}
		}
		dec.stack = stack
		return t, pos, nil
	}
}

// push opens the container f in the next slot of the innermost open one.
func push(stack []frame, f frame) []frame {
	if n := len(stack); n > 0 {
		f.keyDepth = stack[n-1].childKeyDepth()
	}
	return append(stack, f)
}

// fillLeaves decodes into elems the run of leaves that starts at
// data[pos:]: integers, atoms, binaries and [], the terms most tuples and
// lists are made of. It returns how many it decoded and where they end.
// This spares each of them the round through the stack, and a container
// made only of them its frame. It stops at any other term, and before any
// error, which the general loop finds again and reports with its path.
func (dec *decoder) fillLeaves(elems []Term, data []byte, pos int) (int, int) {
	for i := range elems {
		if pos >= len(data) {
			return i, pos
		}
		var t Term
		next := pos
		var err error
		switch tag(data[pos]) {
		case tagSmallInteger:
			if len(data)-pos < 2 {
				return i, pos
			}
			t, next = Int(data[pos+1]), pos+2
		case tagInteger:
			if len(data)-pos < 5 {
				return i, pos
			}
			t, next = Int(int32(binary.BigEndian.Uint32(data[pos+1:]))), pos+5
		case tagSmallAtomUTF8, tagAtomUTF8, tagSmallAtom, tagAtom, tagAtomCacheRef:
			t, next, err = dec.atom(data, pos)
		case tagBinary:
			t, next, err = dec.binary(data, pos)
		case tagNil:
			t, next = emptyList, pos+1
		default:
			return i, pos
		}
		if err != nil {
			return i, pos
		}
		elems[i], pos = t, next
	}
	return len(elems), pos
}

// childKeyDepth returns the keyDepth of a container in f's next slot.
func (f *frame) childKeyDepth() uint16 {
	if f.kind == frameMap && f.i&1 == 0 {
		return f.keyDepth + 1
	}
	return f.keyDepth
}

// close returns the term of a frame whose slots are all filled, checking a
// map's keys with keys.
func (f *frame) close(keys *keyChecker) (Term, error) {
	switch f.kind {
	case frameTuple:
		return Tuple(f.elems), nil
	case frameList:
		return closeList(f.elems), nil
	case frameMap:
		if err := keys.checkDistinct(f.pairs); err != nil {
			return nil, err
		}
		return f.pairs, nil
	default:
		return *f.fun, nil
	}
}

// fail wraps err, found at offset pos, into a *SyntaxError whose path runs
// through the open containers of stack, and drops the stack.
func (dec *decoder) fail(stack []frame, pos int, err error) error {
	var b pathBuilder
	for i := range stack {
		f := &stack[i]
		switch {
		case f.kind == frameMap && f.i&1 == 0:
			b.index("k", f.i>>1)
		case f.kind == frameMap:
			b.index("v", f.i>>1)
		case f.kind == frameList && f.i == len(f.elems)-1:
			b.WriteString("/tail")
		case f.kind == frameFun:
			b.index("free", f.i)
		default:
			b.index("", f.i)
		}
	}
	clear(stack)
	dec.stack = stack[:0]
	return &SyntaxError{Offset: int64(pos), Path: b.String(), Err: err}
}

// readArity reads the element count of a tuple, list or map whose tag is at
// data[pos], for tags with a 1-byte count (SMALL_TUPLE_EXT) or a 4-byte one.
// Each element takes at least one byte, and a map has slotsPer = 2 terms per
// element, so a count the rest of the input cannot hold is an error before
// anything is allocated for it.
func readArity(data []byte, pos, slotsPer int) (n, next int, err error) {
	tg := tag(data[pos])
	var count uint64 // not int, which a 4-byte count overflows on 32-bit platforms
	if tg == tagSmallTuple {
		if len(data)-pos < 2 {
			return 0, 0, truncated(tg, 2, len(data)-pos)
		}
		count, next = uint64(data[pos+1]), pos+2
	} else {
		if len(data)-pos < 5 {
			return 0, 0, truncated(tg, 5, len(data)-pos)
		}
		count, next = uint64(binary.BigEndian.Uint32(data[pos+1:])), pos+5
	}
	if left := len(data) - next; count > uint64(left/slotsPer) {
		return 0, 0, errorf(ErrTruncated, "%v of %d elements needs at least %d bytes, %d left", tg, count, count*uint64(slotsPer), left)
	}
	return int(count), next, nil
}

// Values that need no allocation each time they are decoded.
var (
	emptyList   Term = List(nil)
	emptyTuple  Term = Tuple{}
	emptyMap    Term = Map{}
	emptyBinary Term = Binary{}
)
