package etf

import (
	"bytes"
	"cmp"
	"math"
	"math/big"
	"slices"
	"strings"
)

// Compare compares a and b in Erlang's term order and returns -1, 0 or +1:
//
//	number < atom < reference < fun < port < pid < tuple < map < [] < list < bitstring
//
// Numbers compare by value, so Compare(Int(1), Float(1.0)) is 0 although
// [Equal] tells them apart, as Erlang's == and =:= do. Tuples compare by
// size, then element by element; maps by size, then by their keys in order,
// then by their values in key order, where keys order integers before floats
// as Erlang's map key order does; lists element by element, the shorter
// first. A Raw compares as the term it encodes. Local terms, which only
// their maker can read, order after every other term, by their bytes, and a
// Raw that does not decode after those.
func Compare(a, b Term) int { return compareTerms(a, b, false) }

// compareTerms is Compare, or with exact set the order of map keys, in which
// every integer is less than every float and -0.0 is less than 0.0, so that
// it is 0 exactly when the terms are Equal.
func compareTerms(a, b Term, exact bool) int {
	// Most comparisons, such as sorting map keys, are of atoms or integers:
	// spare them the stack of pairs.
	switch a := a.(type) {
	case Atom:
		if b, ok := b.(Atom); ok {
			return strings.Compare(string(a), string(b))
		}
	case Int:
		if b, ok := b.(Int); ok {
			return cmp.Compare(a, b)
		}
	}
	var buf [16]termPair
	work := append(buf[:0], termPair{a, b})
	for len(work) > 0 {
		p := work[len(work)-1]
		work = work[:len(work)-1]
		var c int
		if work, c = compareStep(work, p.a, p.b, exact); c != 0 {
			return c
		}
	}
	return 0
}

// mapKeyOrder compares two map keys in map key order; it is 0 exactly when
// they are Equal. Comparing two maps compares their keys, so comparisons
// recurse through maps nested in keys. Calling through this variable hides
// that recursion from the compiler, which would otherwise move the stack of
// pairs of every comparison to the heap.
var mapKeyOrder func(a, b Term) int

func init() {
	mapKeyOrder = func(a, b Term) int { return compareTerms(a, b, true) }
}

// Ranks of the kinds of terms, in term order.
const (
	rankNumber = iota
	rankAtom
	rankRef
	rankFun
	rankPort
	rankPid
	rankTuple
	rankMap
	rankNil
	rankList
	rankBitstring
	rankLocal
	rankInvalid
)

// rank returns the rank of t in term order.
func rank(t Term) int {
	switch t := t.(type) {
	case Int, BigInt, Float:
		return rankNumber
	case Atom:
		return rankAtom
	case Ref:
		return rankRef
	case Fun, Export:
		return rankFun
	case Port:
		return rankPort
	case Pid:
		return rankPid
	case Tuple:
		return rankTuple
	case Map:
		return rankMap
	case List:
		if len(t) == 0 {
			return rankNil
		}
		return rankList
	case ImproperList:
		return rankList
	case Binary, Bitstring:
		return rankBitstring
	case Local:
		return rankLocal
	}
	return rankInvalid
}

// compareStep compares what a and b hold themselves. If that decides
// nothing, it pushes on work the pairs of elements to compare next, the
// first on top.
func compareStep(work []termPair, a, b Term, exact bool) ([]termPair, int) {
	if r, ok := a.(Raw); ok {
		if t := decodeRaw(r); t != nil {
			a = t
		}
	}
	if r, ok := b.(Raw); ok {
		if t := decodeRaw(r); t != nil {
			b = t
		}
	}
	ra, rb := rank(a), rank(b)
	if ra != rb || ra == rankNil {
		return work, cmp.Compare(ra, rb)
	}
	switch a := a.(type) {
	case Int, BigInt, Float:
		return work, compareNumbers(a, b, exact)
	case Atom:
		return work, strings.Compare(string(a), string(b.(Atom)))
	case Ref:
		return work, compareRefs(a, b.(Ref))
	case Fun, Export:
		return compareFuns(work, a, b)
	case Port:
		b := b.(Port)
		return work, cmpChain(strings.Compare(string(a.Node), string(b.Node)), cmp.Compare(a.Creation, b.Creation), cmp.Compare(a.ID, b.ID))
	case Pid:
		b := b.(Pid)
		return work, cmpChain(cmp.Compare(a.Serial, b.Serial), cmp.Compare(a.ID, b.ID),
			strings.Compare(string(a.Node), string(b.Node)), cmp.Compare(a.Creation, b.Creation))
	case Tuple:
		b := b.(Tuple)
		if c := cmp.Compare(len(a), len(b)); c != 0 {
			return work, c
		}
		return pushReversed(work, a, b), 0
	case Map:
		return compareMaps(work, a, b.(Map))
	case List, ImproperList:
		return compareLists(work, a, b), 0
	case Binary, Bitstring:
		ab, an := bitsOf(a)
		bb, bn := bitsOf(b)
		return work, compareBits(ab, an, bb, bn)
	case Local:
		return work, bytes.Compare(a, b.(Local))
	case Raw:
		return work, bytes.Compare(a, b.(Raw))
	}
	return work, 0
}

// cmpChain returns the first of cs that is not 0.
func cmpChain(cs ...int) int {
	for _, c := range cs {
		if c != 0 {
			return c
		}
	}
	return 0
}

// pushReversed pushes the pairs a[i], b[i] on work, the first on top.
func pushReversed(work []termPair, a, b []Term) []termPair {
	for i := len(a) - 1; i >= 0; i-- {
		work = append(work, termPair{a[i], b[i]})
	}
	return work
}

// isInteger reports whether t is an Int or a BigInt.
func isInteger(t Term) bool {
	switch t.(type) {
	case Int, BigInt:
		return true
	}
	return false
}

// compareIntegers compares two integers, each an Int or a BigInt.
func compareIntegers(a, b Term) int {
	ai, aInt := a.(Int)
	bi, bInt := b.(Int)
	if aInt && bInt {
		return cmp.Compare(ai, bi)
	}
	return bigOf(a).Cmp(bigOf(b))
}

// bigOf returns the value of an Int or a BigInt as a *big.Int.
func bigOf(t Term) *big.Int {
	if i, ok := t.(Int); ok {
		return big.NewInt(int64(i))
	}
	if v := t.(BigInt).Value; v != nil {
		return v
	}
	return new(big.Int)
}

// compareNumbers compares two numbers by value. With exact set, a float is
// greater than any integer, and -0.0 is less than 0.0.
func compareNumbers(a, b Term, exact bool) int {
	af, aFloat := a.(Float)
	bf, bFloat := b.(Float)
	switch {
	case !aFloat && !bFloat:
		return compareIntegers(a, b)
	case aFloat && bFloat:
		if c := cmp.Compare(af, bf); c != 0 || !exact {
			return c
		}
		// Only 0.0 and -0.0 are equal yet differ in bits.
		return cmp.Compare(math.Float64bits(float64(bf))>>63, math.Float64bits(float64(af))>>63)
	case exact && aFloat:
		return 1
	case exact:
		return -1
	case aFloat:
		return -compareIntFloat(b, float64(af))
	default:
		return compareIntFloat(a, float64(bf))
	}
}

// compareIntFloat compares the integer i with the float f exactly, without
// rounding i to a float.
func compareIntFloat(i Term, f float64) int {
	if n, ok := i.(Int); ok && f > -(1<<63) && f < 1<<63 {
		t := math.Trunc(f)
		if c := cmp.Compare(int64(n), int64(t)); c != 0 {
			return c
		}
		return cmp.Compare(0, f-t)
	}
	return new(big.Float).SetInt(bigOf(i)).Cmp(big.NewFloat(f))
}

// compareRefs compares two references as Erlang does: by node, then by
// their ID words from the last, missing words counting as zero.
func compareRefs(a, b Ref) int {
	if c := cmpChain(strings.Compare(string(a.Node), string(b.Node)), cmp.Compare(a.Creation, b.Creation)); c != 0 {
		return c
	}
	for i := maxRefLen - 1; i >= 0; i-- {
		if c := cmp.Compare(a.ID[i], b.ID[i]); c != 0 {
			return c
		}
	}
	return 0
}

// compareFuns compares two funs, each a Fun or an Export. As in OTP, a local
// fun is less than an external one.
func compareFuns(work []termPair, a, b Term) ([]termPair, int) {
	ae, aExport := a.(Export)
	be, bExport := b.(Export)
	switch {
	case aExport && bExport:
		return work, cmpChain(strings.Compare(string(ae.Module), string(be.Module)),
			strings.Compare(string(ae.Function), string(be.Function)), cmp.Compare(ae.Arity, be.Arity))
	case aExport:
		return work, 1
	case bExport:
		return work, -1
	}
	// OTP orders local funs by module, OldIndex, OldUniq and free
	// variables; the other fields, compared last, only keep Compare 0
	// exactly when Equal holds.
	af, bf := a.(Fun), b.(Fun)
	if c := cmpChain(strings.Compare(string(af.Module), string(bf.Module)), cmp.Compare(af.OldIndex, bf.OldIndex),
		cmp.Compare(af.OldUniq, bf.OldUniq), cmp.Compare(len(af.Free), len(bf.Free))); c != 0 {
		return work, c
	}
	work = append(work, termPair{funIdentity(af), funIdentity(bf)})
	return pushReversed(work, af.Free, bf.Free), 0
}

// funIdentity returns the fields of f that OTP's order of funs leaves out.
func funIdentity(f Fun) Term {
	return Tuple{Int(f.Index), Binary(f.Uniq[:]), Int(f.Arity), f.Pid}
}

// compareMaps compares two maps: by size, then keys in map key order, then
// values in key order. It pushes the keys and values of equal-sized maps on
// work, to compare all keys first.
func compareMaps(work []termPair, a, b Map) ([]termPair, int) {
	if c := cmp.Compare(len(a), len(b)); c != 0 {
		return work, c
	}
	a, b = sortedPairs(a), sortedPairs(b)
	for i := range a {
		if c := mapKeyOrder(a[i].Key, b[i].Key); c != 0 {
			return work, c
		}
	}
	for i := len(a) - 1; i >= 0; i-- {
		work = append(work, termPair{a[i].Value, b[i].Value})
	}
	return work, 0
}

// sortedPairs returns the pairs of m sorted by key in map key order: m
// itself when they already are, else a sorted copy.
func sortedPairs(m Map) Map {
	byKey := func(p, q Pair) int { return mapKeyOrder(p.Key, q.Key) }
	if slices.IsSortedFunc(m, byKey) {
		return m
	}
	m = slices.Clone(m)
	slices.SortFunc(m, byKey)
	return m
}

// compareLists compares two non-empty lists, proper or improper, cell by
// cell as Erlang does: the elements they both have, then what is left of
// each, so that a prefix is less and [1|2] is less than [1,2].
func compareLists(work []termPair, a, b Term) []termPair {
	ae, at := listParts(a)
	be, bt := listParts(b)
	k := min(len(ae), len(be))
	work = append(work, termPair{listRest(ae[k:], at), listRest(be[k:], bt)})
	return pushReversed(work, ae[:k], be[:k])
}

// listParts returns the elements and the tail of a list.
func listParts(t Term) ([]Term, Term) {
	if l, ok := t.(ImproperList); ok {
		return l.Elems, l.Tail
	}
	return t.(List), emptyList
}

// listRest returns the list of elems followed by tail, or tail alone if
// there are no elems.
func listRest(elems []Term, tail Term) Term {
	switch {
	case len(elems) == 0:
		return tail
	case rank(tail) == rankNil:
		return List(elems)
	default:
		return ImproperList{Elems: elems, Tail: tail}
	}
}

// bitsOf returns the bytes of a Binary or Bitstring and the bits used in its
// last byte.
func bitsOf(t Term) ([]byte, uint8) {
	if b, ok := t.(Bitstring); ok {
		return b.Bytes, b.Bits
	}
	return t.(Binary), 8
}

// compareBits compares two bitstrings bit by bit, a prefix first. Each is
// given as its bytes and the bits used in its last byte, 8 if all.
func compareBits(a []byte, aBits uint8, b []byte, bBits uint8) int {
	if len(a) == 0 || len(b) == 0 {
		return cmp.Compare(len(a), len(b))
	}
	k := min(len(a), len(b)) - 1
	if c := bytes.Compare(a[:k], b[:k]); c != 0 {
		return c
	}
	// Compare the bits both have in byte k, then the lengths.
	an, bn := uint8(8), uint8(8)
	if k == len(a)-1 {
		an = aBits
	}
	if k == len(b)-1 {
		bn = bBits
	}
	mask := bitsMask(min(an, bn))
	if c := cmp.Compare(a[k]&mask, b[k]&mask); c != 0 {
		return c
	}
	return cmp.Compare(8*len(a)+int(aBits), 8*len(b)+int(bBits))
}
