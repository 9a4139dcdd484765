package sdk

import "github.com/creo-dev/creo/etf"

// Match reports whether t is the atom tag (with no args), or the tuple
// {tag, A1, ..., An} whose elements fit args, pointers that receive them by
// etf's Go mapping. It is the SDK's pattern match:
//
//	var k int
//	if sdk.Match(req, "add", &k) { ... }  // {add, K} with an integer K
//	if sdk.Match(req, "get") { ... }      // get
//
// On a false result the pointers may have been written.
func Match(t etf.Term, tag etf.Atom, args ...any) bool {
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
