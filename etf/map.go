package etf

import (
	"cmp"
	"encoding/binary"
	"hash/maphash"
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
	if hashed, err := checkDistinctHashed(m); hashed {
		return err
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

// keyHashSeed seeds the hashes of map keys. The hashes only group the keys
// that may be equal, so one seed per process does; being random, it keeps
// a peer from choosing keys whose hashes collide.
var keyHashSeed = maphash.MakeSeed()

// checkDistinctHashed checks the keys of m by their hashes when every key
// is an atom, an integer or a binary, the keys of nearly every map: only
// keys with equal hashes are compared, so the check costs a sort of
// integers rather than a sort of terms. hashed is false, and nothing is
// checked, when a key is of another kind.
func checkDistinctHashed(m Map) (hashed bool, err error) {
	type keyHash struct {
		hash  uint64
		index int
	}
	hs := make([]keyHash, len(m))
	for i, p := range m {
		switch k := p.Key.(type) {
		case Atom:
			hs[i] = keyHash{maphash.String(keyHashSeed, string(k)), i}
		case Binary:
			hs[i] = keyHash{maphash.Bytes(keyHashSeed, k), i}
		case Int:
			hs[i] = keyHash{maphash.Comparable(keyHashSeed, k), i}
		default:
			return false, nil
		}
	}
	slices.SortFunc(hs, func(a, b keyHash) int { return cmp.Compare(a.hash, b.hash) })
	for i := 1; i < len(hs); i++ {
		// Keys of different kinds may share a hash: compare within a run
		// of equal hashes.
		for j := i - 1; j >= 0 && hs[j].hash == hs[i].hash; j-- {
			if k := m[hs[i].index].Key; mapKeyOrder(k, m[hs[j].index].Key) == 0 {
				return true, duplicateKey(k)
			}
		}
	}
	return true, nil
}

func duplicateKey(k Term) error {
	return errorf(ErrInvalid, "MAP_EXT with a duplicate key of type %T", k)
}
