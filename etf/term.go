package etf

import "math/big"

// Term is an Erlang term. Its dynamic type is one of the types of this
// package that follow; the set is closed:
//
//	Atom          atoms, including true, false and undefined
//	Int           integers that fit in an int64
//	BigInt        integers that do not fit in an int64
//	Float         floats
//	Binary        binaries (a whole number of bytes)
//	Bitstring     bitstrings whose bit count is not a multiple of 8
//	List          proper lists, including [] (a nil or empty List)
//	ImproperList  lists whose tail is not []
//	Tuple         tuples
//	Map           maps, as ordered key/value pairs
//	Pid, Ref, Port
//	Fun           local funs (NEW_FUN_EXT), kept whole so they can be sent back
//	Export        external funs, fun M:F/A
//	Local         a LOCAL_EXT term, passed through undecoded
//	Raw           an encoded term not decoded yet
//
// Each value has exactly one representation: integers in int64 range are
// always Int, a bitstring of whole bytes is always Binary, and so on, so that
// two terms equal under Erlang's =:= are equal under [Equal] whatever encoding
// they arrived in. Raw is the one exception: it stands for the term its bytes
// encode, and [Equal] decodes it to compare.
type Term interface {
	isTerm()
}

// Atom is an Erlang atom, at most 255 characters of UTF-8 text.
type Atom string

// Atoms with a meaning of their own in Erlang.
const (
	True      Atom = "true"
	False     Atom = "false"
	Undefined Atom = "undefined"
)

// Int is an integer in the int64 range.
type Int int64

// BigInt is an integer outside the int64 range. Value is never nil and is not
// modified once the BigInt is built.
type BigInt struct {
	Value *big.Int
}

// Float is an Erlang float. Erlang has no infinities and no NaN.
type Float float64

// Binary is an Erlang binary.
type Binary []byte

// Bitstring is a bitstring whose length is not a whole number of bytes. Bits
// is the number of bits used in the last byte of Bytes, from 1 to 7, taken
// from its most significant end; the unused low bits are zero.
type Bitstring struct {
	Bytes []byte
	Bits  uint8
}

// List is a proper list. A nil or empty List is [].
type List []Term

// ImproperList is a list whose tail is not [], such as [a | b] or the
// [alias | Ref] tag of a gen_server call. Elems is never empty and Tail is not
// a List.
type ImproperList struct {
	Elems []Term
	Tail  Term
}

// Tuple is an Erlang tuple.
type Tuple []Term

// Map is an Erlang map, as key/value pairs in the order they were decoded or
// built. Keys are distinct under [Equal].
type Map []Pair

// Pair is one association of a [Map].
type Pair struct {
	Key, Value Term
}

// Pid is a process identifier. It is comparable, so it can key a Go map.
type Pid struct {
	Node     Atom
	ID       uint32
	Serial   uint32
	Creation uint32
}

// Ref is a reference. Len is the number of words of ID in use (1 to 5); the
// rest are zero, so a Ref is comparable and can key a Go map.
type Ref struct {
	Node     Atom
	Creation uint32
	Len      uint8
	ID       [5]uint32
}

// Port is a port identifier.
type Port struct {
	Node     Atom
	ID       uint64
	Creation uint32
}

// Fun is a local fun (NEW_FUN_EXT). A Go node cannot run it; it keeps every
// field so the fun can be sent back to the node that made it, unchanged.
type Fun struct {
	Arity    uint8
	Uniq     [16]byte
	Index    uint32
	Module   Atom
	OldIndex int64
	OldUniq  int64
	Pid      Pid
	Free     []Term
}

// Export is an external fun, fun Module:Function/Arity.
type Export struct {
	Module   Atom
	Function Atom
	Arity    uint8
}

// Local is a term in OTP's node-local format (LOCAL_EXT, OTP 26+): only the
// node that made it can decode it. It holds the whole encoding from the
// LOCAL_EXT tag on, and is passed through unchanged.
type Local []byte

// Raw is a term kept in its encoded form, without the version byte. It is
// written out unchanged, which lets the host pass a message or a server's
// state through without decoding it. Raw never contains atom cache
// references.
type Raw []byte

func (Atom) isTerm()         {}
func (Int) isTerm()          {}
func (BigInt) isTerm()       {}
func (Float) isTerm()        {}
func (Binary) isTerm()       {}
func (Bitstring) isTerm()    {}
func (List) isTerm()         {}
func (ImproperList) isTerm() {}
func (Tuple) isTerm()        {}
func (Map) isTerm()          {}
func (Pid) isTerm()          {}
func (Ref) isTerm()          {}
func (Port) isTerm()         {}
func (Fun) isTerm()          {}
func (Export) isTerm()       {}
func (Local) isTerm()        {}
func (Raw) isTerm()          {}
