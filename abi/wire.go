package abi

import (
	"errors"
	"fmt"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/etfwire"
)

// maxResultArity is the largest tuple any allowed result is: {stop, Reason,
// Reply, State} and {reply, Reply, State, Action}.
const maxResultArity = 4

// appendArgs appends a callback's argument, the tuple of parts with the
// version byte, to dst. Parts that are etf.Raw are copied verbatim, so a
// state the host keeps encoded is never decoded.
func appendArgs(dst []byte, parts ...etf.Term) ([]byte, error) {
	dst = append(dst, etfwire.VersionByte, etfwire.SmallTuple, byte(len(parts)))
	for _, p := range parts {
		var err error
		if dst, err = etf.AppendTerm(dst, p); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// checkTerm reports whether b is one ETF term with its version byte, and
// nothing after it.
func checkTerm(b []byte) error {
	if len(b) == 0 || b[0] != etfwire.VersionByte {
		return errors.New("not an ETF term: no version byte 131")
	}
	n, err := etf.SkipTerm(b[1:])
	if err != nil {
		return err
	}
	if n != len(b)-1 {
		return fmt.Errorf("%d bytes after the term", len(b)-1-n)
	}
	return nil
}

// splitTuple splits an encoded term (no version byte) that is an atom, or a
// tuple of at most maxResultArity elements whose first is an atom, into that
// atom and the raw elements after it. The elements alias b. ok is false for
// any other term. The atoms of results are ASCII, so a Latin-1 and a UTF-8
// tag compare alike.
func splitTuple(b []byte, elems *[maxResultArity - 1]etf.Raw) (tag []byte, n int, ok bool) {
	if tag, _, _, ok = etfwire.ReadAtom(b); ok {
		return tag, 0, true
	}
	arity, off, ok := etfwire.TupleHead(b)
	if !ok || arity < 2 || arity > maxResultArity {
		return nil, 0, false
	}
	tag, used, _, ok := etfwire.ReadAtom(b[off:])
	if !ok {
		return nil, 0, false
	}
	off += used
	for i := range arity - 1 {
		size, err := etf.SkipTerm(b[off:])
		if err != nil {
			return nil, 0, false
		}
		elems[i] = etf.Raw(b[off : off+size])
		off += size
	}
	return tag, arity - 1, true
}
