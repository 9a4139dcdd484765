package etf

import (
	"encoding/binary"
	"math"
	"slices"
)

// appendMapHead appends the MAP_EXT header of a map of n pairs; the keys and
// values follow, alternating.
func appendMapHead(dst []byte, n int) ([]byte, error) {
	if uint64(n) > math.MaxUint32 {
		return dst, errorf(ErrInvalid, "map of %d pairs, the limit is %d", n, uint32(math.MaxUint32))
	}
	return binary.BigEndian.AppendUint32(append(dst, byte(tagMap)), uint32(n)), nil
}

// smallMap is the size up to which checking keys pairwise is cheaper than
// sorting them.
const smallMap = 16

// checkDistinctKeys returns an error if two keys of m are equal, which
// binary_to_term rejects.
func checkDistinctKeys(m Map) error {
	if len(m) <= smallMap {
		for i := 1; i < len(m); i++ {
			for j := range i {
				if keysEqual(m[i].Key, m[j].Key) {
					return duplicateKey(m[i].Key)
				}
			}
		}
		return nil
	}
	keys := make([]Term, len(m))
	for i, p := range m {
		keys[i] = p.Key
	}
	slices.SortFunc(keys, func(a, b Term) int { return compareTerms(a, b, true) })
	for i := 1; i < len(keys); i++ {
		if compareTerms(keys[i-1], keys[i], true) == 0 {
			return duplicateKey(keys[i])
		}
	}
	return nil
}

// keysEqual is Equal with a shortcut for atoms, the most common keys.
func keysEqual(a, b Term) bool {
	if a, ok := a.(Atom); ok {
		b, ok := b.(Atom)
		return ok && a == b
	}
	return Equal(a, b)
}

func duplicateKey(k Term) error {
	return errorf(ErrInvalid, "MAP_EXT with a duplicate key of type %T", k)
}
