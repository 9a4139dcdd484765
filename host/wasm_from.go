package host

import (
	"encoding/binary"

	"github.com/creo-dev/creo/etf"
)

// The tags of the External Term Format that a From is made of
// (erl_ext_dist.md).
const (
	tagSmallTuple   = 104
	tagList         = 108
	tagSmallAtom    = 119 // SMALL_ATOM_UTF8_EXT
	tagAtom         = 118 // ATOM_UTF8_EXT
	tagNewPid       = 88
	tagNewerRef     = 90
	aliasAtomLength = len("alias")
)

// encodedFrom is the From of a server's latest Wasm handle_call, encoded
// and boxed as a term, which the server's next call rewrites in place when
// its From has the same length, as the Froms of one caller, or of callers
// on one node, have.
type encodedFrom struct {
	raw  etf.Raw
	term etf.Term // raw, boxed
}

// wasmFrom returns the From of a call to p as the {Pid, Tag} term a guest's
// handle_call gets, encoded as term_to_binary encodes it. A call from this
// node or any OTP 24+ node is tagged [alias | Ref]; that From is encoded
// here, where building the term for etf.AppendTerm would take five
// allocations (the tuple, the list and each value boxed in a Term), into
// p's encodedFrom: the bytes and their box cost two allocations, on every
// call, until the length changes.
//
// The term is p's until its next call: only p's goroutine calls wasmFrom,
// and abi copies the term into guest memory and keeps nothing of it once
// the callback has returned (a result is copied out of guest memory).
func (p *Process) wasmFrom(f From) etf.Term {
	if f.tag != nil {
		return f.Term()
	}
	pid, ref := f.pid, f.alias
	size := 2 + pidSize(pid) + 5 + 2 + aliasAtomLength + refSize(ref)
	e := p.server.from
	if e == nil || len(e.raw) != size {
		e = &encodedFrom{raw: make(etf.Raw, size)}
		e.term = e.raw
		p.server.from = e
	}
	b := append(e.raw[:0], tagSmallTuple, 2)
	b = appendPid(b, pid)
	b = append(b, tagList, 0, 0, 0, 1, tagSmallAtom, byte(aliasAtomLength))
	b = append(b, "alias"...)
	appendRef(b, ref) // fills e.raw: size is its length
	return e.term
}

func atomSize(a etf.Atom) int {
	if len(a) <= 255 {
		return 2 + len(a)
	}
	return 3 + len(a)
}

// appendAtom appends a, a node name: at most 255 characters, so its bytes
// fit ATOM_UTF8_EXT's length when they overflow SMALL_ATOM_UTF8_EXT's.
func appendAtom(b []byte, a etf.Atom) []byte {
	if len(a) <= 255 {
		b = append(b, tagSmallAtom, byte(len(a)))
	} else {
		b = binary.BigEndian.AppendUint16(append(b, tagAtom), uint16(len(a)))
	}
	return append(b, a...)
}

func pidSize(p etf.Pid) int { return 1 + atomSize(p.Node) + 12 }

// appendPid appends p as NEW_PID_EXT.
func appendPid(b []byte, p etf.Pid) []byte {
	b = appendAtom(append(b, tagNewPid), p.Node)
	b = binary.BigEndian.AppendUint32(b, p.ID)
	b = binary.BigEndian.AppendUint32(b, p.Serial)
	return binary.BigEndian.AppendUint32(b, p.Creation)
}

func refSize(r etf.Ref) int { return 3 + atomSize(r.Node) + 4 + 4*int(r.Len) }

// appendRef appends r as NEWER_REFERENCE_EXT.
func appendRef(b []byte, r etf.Ref) []byte {
	b = binary.BigEndian.AppendUint16(append(b, tagNewerRef), uint16(r.Len))
	b = appendAtom(b, r.Node)
	b = binary.BigEndian.AppendUint32(b, r.Creation)
	for _, id := range r.ID[:r.Len] {
		b = binary.BigEndian.AppendUint32(b, id)
	}
	return b
}
