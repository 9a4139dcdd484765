package sdk

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/etfwire"
)

// tagNil is NIL_EXT, [].
const tagNil = 106

// decode decodes one encoded term (without version byte).
//
// The terms small callbacks are most often given are decoded here without
// etf's decoder, whose setting up (a pooled decoder, a pass to size its
// slabs) cost a Go guest under wasm more than the rest of decoding such a
// term: [], an integer, a binary (code_change's OldVsn is one, and its
// Extra []), an atom, and a small tuple of those, the shape of most
// requests ({add, 2}). Any other term, or bytes etf would refuse, goes to
// etf's decoder.
func decode(raw etf.Raw) (etf.Term, error) {
	// Without a call between, for the commonest requests: under wasm a
	// call costs a Go guest tens of nanoseconds.
	var t etf.Term
	var ok bool
	if len(raw) >= 2 && raw[0] == etfwire.SmallTuple {
		t, ok = decodeFlatTuple(raw)
	} else {
		t, ok = decodeScalar(raw)
	}
	if ok {
		return t, nil
	}
	t, _, err := etf.DecodeTerm(raw, nil)
	if err != nil {
		return nil, fmt.Errorf("sdk: argument: %w", err)
	}
	return t, nil
}

// decodeFlatTuple decodes raw when it is all one SMALL_TUPLE_EXT whose
// elements are terms decodeScalar knows, as etf's decoder would.
func decodeFlatTuple(raw etf.Raw) (etf.Term, bool) {
	// Where the elements end is found first, so that a tuple with another
	// kind of element goes to etf with nothing allocated for it here.
	n, end := int(raw[1]), 2
	for range n {
		size, ok := scalarSize(raw[end:])
		if !ok {
			return nil, false
		}
		end += size
	}
	if end != len(raw) {
		return nil, false
	}
	tuple, start := make(etf.Tuple, n), 2
	for i := range tuple {
		size, _ := scalarSize(raw[start:])
		var ok bool
		if tuple[i], ok = decodeScalar(raw[start : start+size]); !ok {
			return nil, false
		}
		start += size
	}
	return tuple, true
}

// scalarSize returns the size of the term decodeScalar knows at the start
// of b.
func scalarSize(b []byte) (int, bool) {
	size := 0
	switch {
	case len(b) == 0:
		return 0, false
	case b[0] == tagNil:
		size = 1
	case b[0] == tagSmallInteger:
		size = 2
	case b[0] == tagInteger:
		size = 5
	case b[0] == tagBinary && len(b) >= 5:
		size = 5 + int(binary.BigEndian.Uint32(b[1:]))
	default:
		_, atomSize, _, ok := etfwire.ReadAtom(b)
		if !ok {
			return 0, false
		}
		size = atomSize
	}
	return size, size <= len(b)
}

// decodeScalar decodes raw when it is all one term it knows, as etf's
// decoder would: [], an integer of 32 bits, a binary, which is a copy of
// its bytes, as raw lies in the argument buffer, which the next callback
// writes over, or an atom, from the memo of atoms.
func decodeScalar(raw etf.Raw) (etf.Term, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	switch raw[0] {
	case tagNil:
		if len(raw) == 1 {
			return etf.List(nil), true
		}
	case tagSmallInteger, tagInteger:
		if v, ok := readInteger[int64](raw); ok {
			return etf.Int(v), true
		}
	case tagBinary:
		if b, ok := binaryBytes(raw); ok {
			c := make([]byte, len(b))
			copy(c, b)
			return etf.Binary(c), true
		}
	case etfwire.SmallAtomUTF8, etfwire.AtomUTF8, etfwire.SmallAtom, etfwire.Atom:
		if t, ok := atoms.lookup(raw); ok {
			return t, true
		}
		return learnAtom(raw)
	}
	return nil, false
}

// learnAtom decodes the atom that is all of raw with etf's decoder, and
// keeps it in the memo.
func learnAtom(raw etf.Raw) (etf.Term, bool) {
	t, n, err := etf.DecodeTerm(raw, nil)
	if _, isAtom := t.(etf.Atom); err != nil || !isAtom || n != len(raw) {
		return nil, false
	}
	atoms.remember(raw, t)
	return t, true
}

// atomMemo holds atoms etf's decoder decoded, by their encoding. Atoms are
// what a server's requests are made of, get and inc for a counter, and
// boxing a new one as a term costs two allocations; a decoded atom is
// immutable, so the one decoded before is as good as a new one. The memo
// is a fixed table that a new atom overwrites a slot of, so that however
// many atoms a guest is sent, it holds few.
//
// A guest runs one goroutine at a time, but the package also builds
// natively, where a server's tests may match encoded terms from several
// goroutines: each slot is an atomic pointer to an entry never changed
// once made, so that a reader sees a whole entry or none.
type atomMemo [64]atomic.Pointer[memoAtom]

// memoAtom is an atom of the memo, and its encoding.
type memoAtom struct {
	enc  string
	atom etf.Term
}

// atoms is the memo of decode.
var atoms atomMemo

// slot returns where the atom encoded as raw is kept: FNV-1a of its bytes.
func (m *atomMemo) slot(raw etf.Raw) *atomic.Pointer[memoAtom] {
	h := uint32(2166136261)
	for _, c := range raw {
		h = (h ^ uint32(c)) * 16777619
	}
	return &m[h%uint32(len(m))]
}

// lookup returns the atom encoded as raw, if the memo holds it.
func (m *atomMemo) lookup(raw etf.Raw) (etf.Term, bool) {
	if e := m.slot(raw).Load(); e != nil && e.enc == string(raw) {
		return e.atom, true
	}
	return nil, false
}

// remember keeps atom, decoded from raw.
func (m *atomMemo) remember(raw etf.Raw, atom etf.Term) {
	m.slot(raw).Store(&memoAtom{string(raw), atom})
}
