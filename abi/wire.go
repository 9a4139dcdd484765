package abi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/etfwire"
)

// maxResultArity is the largest tuple any allowed result is: {stop, Reason,
// Reply, State} and {reply, Reply, State, Action}.
const maxResultArity = 4

// maxParts is the most parts a callback's argument has: handle_call's
// {Request, From, State} and code_change's {OldVsn, State, Extra}.
const maxParts = 3

// args is a callback's argument, the tuple of its parts, laid out before it
// is written into the guest. Parts that are etf.Raw are copied verbatim, so
// a state the host keeps encoded is never decoded, and straight into guest
// memory: a large request or state is copied once on its way in. The other
// parts are encoded into enc first.
type args struct {
	parts [maxParts]etf.Term // a copy, so that the caller's stay on its stack
	n     int
	enc   []byte
	ends  [maxParts]int // for a part that is not Raw, where it ends in enc
	size  int           // of the whole argument, version byte included
}

// prepare lays out parts, at most maxParts, encoding those that are not
// etf.Raw. The args refer to the parts' terms until clear.
func (a *args) prepare(parts []etf.Term) error {
	a.n, a.enc, a.size = copy(a.parts[:], parts), a.enc[:0], 3
	for i, p := range parts {
		if raw, ok := p.(etf.Raw); ok {
			a.size += len(raw)
			continue
		}
		start := len(a.enc)
		var err error
		if a.enc, err = etf.AppendTerm(a.enc, p); err != nil {
			return err
		}
		a.ends[i] = len(a.enc)
		a.size += len(a.enc) - start
	}
	return nil
}

// endsSize is the size of the ends of the argument's elements that a guest
// of version 2 and later gets after the argument: one little-endian u32
// each (ABI.md section 4).
func (a *args) endsSize() int { return 4 * a.n }

// writeTo writes the argument into buf, which holds a.size bytes, and
// after it, when buf holds a.endsSize() more, the end of each element.
func (a *args) writeTo(buf []byte) {
	buf[0], buf[1], buf[2] = etfwire.VersionByte, etfwire.SmallTuple, byte(a.n)
	off, start := 3, 0
	withEnds := len(buf) >= a.size+a.endsSize()
	for i, p := range a.parts[:a.n] {
		if raw, ok := p.(etf.Raw); ok {
			off += copy(buf[off:], raw)
		} else {
			off += copy(buf[off:], a.enc[start:a.ends[i]])
			start = a.ends[i]
		}
		if withEnds {
			binary.LittleEndian.PutUint32(buf[a.size+4*i:], uint32(off))
		}
	}
}

// clear drops the references to the parts.
func (a *args) clear() { a.parts = [maxParts]etf.Term{} }

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
// atom and the raw elements after it, and returns where the term ends. The
// elements alias b. ok is false for any other term. The atoms of results are ASCII, so a Latin-1 and a UTF-8
// tag compare alike.
//
// An element that repeats one of args' etf.Raw parts, such as a state
// returned unchanged or a request echoed, is found by comparing bytes
// rather than read term by term (see repeatedPart).
func splitTuple(b []byte, elems *[maxResultArity - 1]etf.Raw, args []etf.Term) (tag []byte, n, end int, ok bool) {
	if tag, end, _, ok = etfwire.ReadAtom(b); ok {
		return tag, 0, end, true
	}
	arity, off, ok := etfwire.TupleHead(b)
	if !ok || arity < 2 || arity > maxResultArity {
		return nil, 0, 0, false
	}
	tag, used, _, ok := etfwire.ReadAtom(b[off:])
	if !ok {
		return nil, 0, 0, false
	}
	off += used
	for i := range arity - 1 {
		size, ok := repeatedPart(b[off:], args)
		if !ok {
			var err error
			if size, err = etf.SkipTerm(b[off:]); err != nil {
				return nil, 0, 0, false
			}
		}
		elems[i] = etf.Raw(b[off : off+size])
		off += size
	}
	return tag, arity - 1, off, true
}

// minRepeated is the shortest argument part that repeatedPart compares:
// reading a shorter term costs about as much as comparing it.
const minRepeated = 64

// repeatedPart reports whether b starts with the bytes of one of args'
// etf.Raw parts that is a tuple, a list or a map, and returns that part's
// length.
//
// The host gave the guest those parts and holds each as one term, so bytes
// of the guest's that repeat one need no checking: a term's encoding says
// where it ends, so bytes that start with a whole term are that term
// followed by others. Comparing bytes runs at memory speed, while
// etf.SkipTerm reads a term's every element: for a 1,000-key map, 9 KB,
// 0.3 µs against 5 µs. Parts of other kinds are left to SkipTerm, which
// skips a binary, however long, by its length without reading it. A
// container of long binaries is compared for nothing when the guest
// changed it at its end, at most one more pass over bytes that were copied
// into the guest and out again for this callback.
func repeatedPart(b []byte, args []etf.Term) (int, bool) {
	if len(b) < minRepeated || !isContainer(b[0]) {
		return 0, false
	}
	for _, a := range args {
		if raw, ok := a.(etf.Raw); ok && len(raw) >= minRepeated && bytes.HasPrefix(b, raw) {
			return len(raw), true
		}
	}
	return 0, false
}

// isContainer reports whether tag starts a term with elements.
func isContainer(tag byte) bool {
	switch tag {
	case etfwire.SmallTuple, etfwire.LargeTuple, etfwire.List, etfwire.Map:
		return true
	}
	return false
}
