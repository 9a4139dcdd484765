package etf

import (
	"bytes"
	"math"
)

// Equal reports whether a and b are the same Erlang term, as Erlang's =:=
// does: 1 and 1.0 differ, and so do 0.0 and -0.0 (as in OTP 27; OTP 26 and
// earlier held those two equal). Encoding does not matter: a Raw is decoded
// to compare, and a Ref equals one that only adds zero ID words, as in Erlang.
// Map pairs may be in any order. Local terms are equal when their bytes are.
//
// Equal works with an explicit stack, so deeply nested terms cost memory,
// not goroutine stack; only maps inside map keys compare recursively.
func Equal(a, b Term) bool {
	// Spare the most common comparisons the stack of pairs.
	switch a := a.(type) {
	case Atom:
		if b, ok := b.(Atom); ok {
			return a == b
		}
	case Int:
		if b, ok := b.(Int); ok {
			return a == b
		}
	}
	var buf [16]termPair
	work := append(buf[:0], termPair{a, b})
	for len(work) > 0 {
		p := work[len(work)-1]
		work = work[:len(work)-1]
		var ok bool
		if work, ok = equalStep(work, p.a, p.b); !ok {
			return false
		}
	}
	return true
}

// termPair is two terms left to compare.
type termPair struct{ a, b Term }

// equalStep compares what a and b hold themselves, and pushes on work the
// pairs of elements that remain to compare.
func equalStep(work []termPair, a, b Term) ([]termPair, bool) {
	if ra, ok := a.(Raw); ok {
		if rb, ok := b.(Raw); ok && bytes.Equal(ra, rb) {
			return work, true
		}
		if a = decodeRaw(ra); a == nil {
			return work, false
		}
	}
	if rb, ok := b.(Raw); ok {
		if b = decodeRaw(rb); b == nil {
			return work, false
		}
	}
	switch a := a.(type) {
	case Atom:
		b, ok := b.(Atom)
		return work, ok && a == b
	case Int, BigInt:
		return work, isInteger(b) && compareIntegers(a, b) == 0
	case Float:
		b, ok := b.(Float)
		return work, ok && math.Float64bits(float64(a)) == math.Float64bits(float64(b))
	case Binary:
		b, ok := b.(Binary)
		return work, ok && bytes.Equal(a, b)
	case Bitstring:
		b, ok := b.(Bitstring)
		return work, ok && compareBits(a.Bytes, a.Bits, b.Bytes, b.Bits) == 0
	case List:
		b, ok := b.(List)
		if !ok || len(a) != len(b) {
			return work, false
		}
		return pushPairs(work, a, b), true
	case ImproperList:
		b, ok := b.(ImproperList)
		if !ok || len(a.Elems) != len(b.Elems) {
			return work, false
		}
		return append(pushPairs(work, a.Elems, b.Elems), termPair{a.Tail, b.Tail}), true
	case Tuple:
		b, ok := b.(Tuple)
		if !ok || len(a) != len(b) {
			return work, false
		}
		return pushPairs(work, a, b), true
	case Map:
		b, ok := b.(Map)
		if !ok || len(a) != len(b) {
			return work, false
		}
		if a, b, ok = matchKeys(a, b); !ok {
			return work, false
		}
		for i := range a {
			work = append(work, termPair{a[i].Value, b[i].Value})
		}
		return work, true
	case Pid:
		b, ok := b.(Pid)
		return work, ok && a == b
	case Ref:
		// Erlang ignores the ID words a reference does not use, and those
		// are zero here.
		b, ok := b.(Ref)
		return work, ok && a.Node == b.Node && a.Creation == b.Creation && a.ID == b.ID
	case Port:
		b, ok := b.(Port)
		return work, ok && a == b
	case Fun:
		b, ok := b.(Fun)
		if !ok || a.Module != b.Module || a.Arity != b.Arity || a.Uniq != b.Uniq || a.Index != b.Index ||
			a.OldIndex != b.OldIndex || a.OldUniq != b.OldUniq || a.Pid != b.Pid || len(a.Free) != len(b.Free) {
			return work, false
		}
		return pushPairs(work, a.Free, b.Free), true
	case Export:
		b, ok := b.(Export)
		return work, ok && a == b
	case Local:
		b, ok := b.(Local)
		return work, ok && bytes.Equal(a, b)
	}
	return work, false
}

// pushPairs pushes the pairs a[i], b[i] on work.
func pushPairs(work []termPair, a, b []Term) []termPair {
	for i := range a {
		work = append(work, termPair{a[i], b[i]})
	}
	return work
}

// matchKeys returns the pairs of a and b, maps of one size, in orders that
// put equal keys at equal indexes, or false if a key of one is missing from
// the other.
func matchKeys(a, b Map) (Map, Map, bool) {
	// Maps built or decoded from the same source usually list their keys
	// in the same order.
	same := true
	for i := range a {
		if mapKeyOrder(a[i].Key, b[i].Key) != 0 {
			same = false
			break
		}
	}
	if same {
		return a, b, true
	}
	a, b = sortedPairs(a), sortedPairs(b)
	for i := range a {
		if mapKeyOrder(a[i].Key, b[i].Key) != 0 {
			return nil, nil, false
		}
	}
	return a, b, true
}

// decodeRaw decodes r, or returns nil if it does not hold exactly one term.
func decodeRaw(r Raw) Term {
	t, n, err := DecodeTerm(r, nil)
	if err != nil || n != len(r) {
		return nil
	}
	return t
}
