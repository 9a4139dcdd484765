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
	// OTP writes maps of up to 32 keys in key order, so their keys are
	// distinct if each is greater than the one before.
	ascending := true
	for i := 1; i < len(m) && ascending; i++ {
		ascending = mapKeyOrder(m[i-1].Key, m[i].Key) < 0
	}
	if ascending {
		return nil
	}
	if len(m) <= smallMap {
		for i := 1; i < len(m); i++ {
			for j := range i {
				if mapKeyOrder(m[i].Key, m[j].Key) == 0 {
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
	slices.SortFunc(keys, mapKeyOrder)
	for i := 1; i < len(keys); i++ {
		if mapKeyOrder(keys[i-1], keys[i]) == 0 {
			return duplicateKey(keys[i])
		}
	}
	return nil
}

func duplicateKey(k Term) error {
	return errorf(ErrInvalid, "MAP_EXT with a duplicate key of type %T", k)
}
