package sdk

import (
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/etfwire"
)

// Match reports whether t is the atom tag (with no args), or the tuple
// {tag, A1, ..., An} whose elements fit args, pointers that receive them by
// etf's Go mapping. It is the SDK's pattern match:
//
//	var k int
//	if sdk.Match(req, "add", &k) { ... }  // {add, K} with an integer K
//	if sdk.Match(req, "get") { ... }      // get
//
// On a false result the pointers may have been written.
//
// t may be an etf.Raw (see [RawArgs]): Match then reads its tag without
// decoding it, and decodes the rest only when the tag matches. The
// variables args point to live on the heap; where that matters, see
// [Tagged].
func Match(t etf.Term, tag etf.Atom, args ...any) bool {
	elems, ok := Tagged(t, tag, len(args))
	if !ok {
		return false
	}
	for i, arg := range args {
		if p, ok := arg.(*etf.Term); ok {
			*p = elems[i]
			continue
		}
		if etf.FromTerm(elems[i], arg) != nil {
			return false
		}
	}
	return true
}

// Tagged returns the n elements after the tag when t is the tuple {tag,
// E1, ..., En}, or no elements when n is 0 and t is the atom tag; ok is
// false for any other term. t may be an etf.Raw (see [RawArgs]): Tagged then
// reads its tag without decoding it, and decodes the rest only when the tag
// matches.
//
// Tagged is [Match] without pointers, so that nothing escapes to the heap:
// a callback that checks its message against several shapes allocates
// nothing for those that do not match. Under wasm an allocation costs a Go
// guest about 0.3 µs, as much as a small callback's other work.
func Tagged(t etf.Term, tag etf.Atom, n int) (elems []etf.Term, ok bool) {
	if raw, isRaw := t.(etf.Raw); isRaw {
		b := []byte(raw)
		if n > 0 {
			// The tuple's size is checked here rather than in rawTag: under
			// wasm a call costs a Go guest tens of nanoseconds, as much as
			// the rest of a message whose size differs.
			arity, size, ok := etfwire.TupleHead(b)
			if !ok || arity != n+1 {
				return nil, false
			}
			b = b[size:]
		}
		switch rawTag(b, tag, n == 0) {
		case tagDiffers:
			return nil, false
		case tagMatches:
			if n == 0 {
				return nil, true
			}
		}
		var err error
		if t, err = decode(raw); err != nil {
			return nil, false
		}
	}
	if n == 0 {
		a, ok := t.(etf.Atom)
		return nil, ok && a == tag
	}
	tup, ok := t.(etf.Tuple)
	if !ok || len(tup) != n+1 || tup[0] != tag {
		return nil, false
	}
	return tup[1:], true
}

// tagCompare is what the bytes of an encoded term tell of its tag.
type tagCompare uint8

const (
	tagDiffers tagCompare = iota
	tagMatches
	tagUnknown // a Latin-1 atom beyond ASCII: only decoding tells
)

// rawTag compares tag with the encoded atom at the start of b, which must
// be all of b when whole. A Latin-1 atom beyond ASCII is unknown, as its
// bytes differ from the tag's UTF-8.
func rawTag(b []byte, tag etf.Atom, whole bool) tagCompare {
	name, size, utf8, ok := etfwire.ReadAtom(b)
	switch {
	case !ok || (whole && size != len(b)):
		return tagDiffers
	case !utf8 && !isASCII(name):
		return tagUnknown
	case string(name) != string(tag):
		return tagDiffers
	}
	return tagMatches
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
