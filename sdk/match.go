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
// decoding it, and decodes the rest only when the tag matches.
func Match(t etf.Term, tag etf.Atom, args ...any) bool {
	if raw, ok := t.(etf.Raw); ok {
		return matchRaw(raw, tag, args)
	}
	if len(args) == 0 {
		a, ok := t.(etf.Atom)
		return ok && a == tag
	}
	tup, ok := t.(etf.Tuple)
	if !ok || len(tup) != len(args)+1 || tup[0] != tag {
		return false
	}
	for i, arg := range args {
		if p, ok := arg.(*etf.Term); ok {
			*p = tup[i+1]
			continue
		}
		if etf.FromTerm(tup[i+1], arg) != nil {
			return false
		}
	}
	return true
}

// matchRaw is Match on an encoded term: it compares the tag's bytes, the
// whole term's for an atom or the first element's for a tuple, and decodes
// the term only to match the other elements. A Latin-1 atom that is not
// ASCII is decoded to compare, as its bytes differ from the tag's UTF-8.
func matchRaw(raw etf.Raw, tag etf.Atom, args []any) bool {
	b := []byte(raw)
	if len(args) > 0 {
		arity, size, ok := etfwire.TupleHead(b)
		if !ok || arity != len(args)+1 {
			return false
		}
		b = b[size:]
	}
	name, size, utf8, ok := etfwire.ReadAtom(b)
	switch {
	case !ok || (len(args) == 0 && size != len(b)):
		return false
	case !utf8 && !isASCII(name):
		// Compare decoded, below.
	case string(name) != string(tag):
		return false
	case len(args) == 0:
		return true
	}
	t, err := decode(raw)
	return err == nil && Match(t, tag, args...)
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
