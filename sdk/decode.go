package sdk

import (
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
// Extra []), and an atom etf decoded before from the same bytes. Any other
// term, or bytes etf would refuse, goes to etf's decoder.
func decode(raw etf.Raw) (etf.Term, error) {
	if t, ok := decodeScalar(raw); ok {
		return t, nil
	}
	t, _, err := etf.DecodeTerm(raw, nil)
	if err != nil {
		return nil, fmt.Errorf("sdk: argument: %w", err)
	}
	if _, ok := t.(etf.Atom); ok {
		atoms.remember(raw, t)
	}
	return t, nil
}

// decodeScalar decodes raw when it is all one term that decode knows,
// as etf's decoder would: a binary is a copy of its bytes, as raw lies in
// the argument buffer, which the next callback writes over.
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
			return etf.Binary(append([]byte{}, b...)), true
		}
	case etfwire.SmallAtomUTF8, etfwire.AtomUTF8, etfwire.SmallAtom, etfwire.Atom:
		return atoms.lookup(raw)
	}
	return nil, false
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
