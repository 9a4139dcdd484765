package etf

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/bits"
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
// hashing or sorting them.
const smallMap = 16

// keyChecker checks the keys of decoded maps for duplicates. It keeps its
// table of hashes from one map to the next, which spares each map an
// allocation: in a garbage-collected heap, the allocation costs more than
// filling the table.
type keyChecker struct {
	table []hashSlot
}

// maxKeptTable is the most slots a keyChecker keeps, enough for maps of
// 2,048 keys, so that one huge map does not pin its table.
const maxKeptTable = 1 << 12

// checkDistinct returns an error if two keys of m are equal, which
// binary_to_term rejects.
func (kc *keyChecker) checkDistinct(m Map) error {
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
	if hashed, err := kc.checkHashed(m); hashed {
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

// checkHashed checks the keys of m by their hashes when every key
// is an atom, an integer or a binary, the keys of nearly every map: each key
// goes into an open-addressing table of hashes, and only keys with equal
// hashes are compared, so the check costs a hash and a probe a key rather
// than a sort. hashed is false, and nothing is checked, when a key is of
// another kind.
func (kc *keyChecker) checkHashed(m Map) (hashed bool, err error) {
	// A table at most half full keeps probe runs short. Slots hold the index
	// of their key plus one, so that the zero slot is empty.
	size := 1 << bits.Len(uint(2*len(m)-1))
	table := kc.table[:0]
	if size > cap(table) {
		table = make([]hashSlot, size)
		if size <= maxKeptTable {
			kc.table = table
		}
	} else {
		table = table[:size]
		clear(table)
	}
	mask := uint64(size - 1)
	for i, p := range m {
		var h uint64
		switch k := p.Key.(type) {
		case Atom:
			h = maphash.String(keyHashSeed, string(k))
		case Binary:
			h = maphash.Bytes(keyHashSeed, k)
		case Int:
			h = maphash.Comparable(keyHashSeed, k)
		default:
			return false, nil
		}
		j := h & mask
		for ; table[j].index != 0; j = (j + 1) & mask {
			// Keys of different kinds may share a hash: compare them.
			if table[j].hash == h && mapKeyOrder(p.Key, m[table[j].index-1].Key) == 0 {
				return true, duplicateKey(p.Key)
			}
		}
		table[j] = hashSlot{hash: h, index: i + 1}
	}
	return true, nil
}

// hashSlot is a slot of checkHashed's table: a key's hash and its
// index in the map plus one, zero when the slot is empty.
type hashSlot struct {
	hash  uint64
	index int
}

func duplicateKey(k Term) error {
	return errorf(ErrInvalid, "MAP_EXT with a duplicate key of type %T", k)
}
