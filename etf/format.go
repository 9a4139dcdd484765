package etf

import (
	"fmt"
	"slices"
	"strconv"
)

// maxNesting bounds how deeply Format, Parse, ToTerm and FromTerm descend,
// so that a cyclic Go value cannot loop them and hostile text cannot exhaust
// the stack: deeper parts print as "..." and fail to parse or convert.
const maxNesting = 10000

// Format returns the Erlang text of t: what erl prints for it with ~p on one
// line, with these choices where erl's output is not a term that reads back:
//
//   - Atoms are quoted when erl would quote them, and also when they are
//     'maybe' or 'else', which OTP 27 reserves.
//   - Binaries print as <<"text">> when every byte is printable ASCII, as
//     <<"text"/utf8>> when they are printable UTF-8 with some non-ASCII
//     character, and otherwise as bytes: <<1,2,3>>. Bitstrings print their
//     last bits as a sized segment: <<255,1:2>>.
//   - Lists print their elements; a list of character codes prints as
//     integers ([104,105]), never as "hi", because a list is not guessed to
//     be a string. Improper lists print as [a|b].
//   - Map keys are in the order of Erlang's map keys: #{1 => x,a => y}.
//   - Floats print the shortest way that reads back exactly, as
//     float_to_list(F, [short]) does: 1.0, 0.1, 1.0e100.
//   - A pid prints as <'node@host'.ID.Serial.Creation>, a reference as
//     #Ref<'node@host'.W2.W1.W0.Creation> (its ID words most significant
//     first) and a port as #Port<'node@host'.ID.Creation>: erl's form with
//     the node's name in place of its local index, and the creation last, so
//     the text names the process wherever it is read. [Parse] reads them.
//   - An export prints as fun Module:Function/Arity, which [Parse] reads. A
//     local fun prints as #Fun<Module.OldIndex.OldUniq> and a LOCAL_EXT term
//     as #Local<Bytes>; neither reads back.
//   - A Raw prints as the term it encodes, or as #Raw<Bytes> if it does not
//     decode.
//
// Format never fails. A nil Term prints as <nil>, parts nested deeper than
// 10000 levels print as ..., and malformed values print as well as they can.
func Format(t Term) string {
	return string(AppendFormat(nil, t))
}

// AppendFormat appends the Erlang text of t, as [Format] returns it, to dst
// and returns the extended buffer.
func AppendFormat(dst []byte, t Term) []byte {
	return appendTermText(dst, t, 0)
}

func appendTermText(dst []byte, t Term, depth int) []byte {
	if depth > maxNesting {
		return append(dst, "..."...)
	}
	switch t := t.(type) {
	case nil:
		return append(dst, "<nil>"...)
	case Atom:
		return appendAtomText(dst, t)
	case Int:
		return strconv.AppendInt(dst, int64(t), 10)
	case BigInt:
		if t.Value == nil {
			return append(dst, "<nil>"...)
		}
		return t.Value.Append(dst, 10)
	case Float:
		return appendFloatText(dst, float64(t))
	case Binary:
		return appendBinaryText(dst, t)
	case Bitstring:
		return appendBitstringText(dst, t)
	case List:
		dst = append(dst, '[')
		dst = appendElemsText(dst, t, depth)
		return append(dst, ']')
	case ImproperList:
		dst = append(dst, '[')
		dst = appendElemsText(dst, t.Elems, depth)
		dst = append(dst, '|')
		dst = appendTermText(dst, t.Tail, depth+1)
		return append(dst, ']')
	case Tuple:
		dst = append(dst, '{')
		dst = appendElemsText(dst, t, depth)
		return append(dst, '}')
	case Map:
		return appendMapText(dst, t, depth)
	case Pid:
		dst = append(dst, '<')
		dst = appendAtomText(dst, t.Node)
		dst = appendDotted(dst, uint64(t.ID), uint64(t.Serial), uint64(t.Creation))
		return append(dst, '>')
	case Ref:
		return appendRefText(dst, t)
	case Port:
		dst = append(dst, "#Port<"...)
		dst = appendAtomText(dst, t.Node)
		dst = appendDotted(dst, t.ID, uint64(t.Creation))
		return append(dst, '>')
	case Fun:
		dst = append(dst, "#Fun<"...)
		dst = appendAtomText(dst, t.Module)
		dst = append(dst, '.')
		dst = strconv.AppendInt(dst, t.OldIndex, 10)
		dst = append(dst, '.')
		dst = strconv.AppendInt(dst, t.OldUniq, 10)
		return append(dst, '>')
	case Export:
		dst = append(dst, "fun "...)
		dst = appendAtomText(dst, t.Module)
		dst = append(dst, ':')
		dst = appendAtomText(dst, t.Function)
		dst = append(dst, '/')
		return strconv.AppendUint(dst, uint64(t.Arity), 10)
	case Local:
		return appendBytesForm(dst, "#Local", t)
	case Raw:
		if decoded := decodeRaw(t); decoded != nil {
			return appendTermText(dst, decoded, depth)
		}
		return appendBytesForm(dst, "#Raw", t)
	default:
		// Only a Go type embedding one of the term types gets here.
		return fmt.Appendf(dst, "<%T>", t)
	}
}

func appendElemsText(dst []byte, elems []Term, depth int) []byte {
	for i, e := range elems {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTermText(dst, e, depth+1)
	}
	return dst
}

func appendMapText(dst []byte, m Map, depth int) []byte {
	dst = append(dst, "#{"...)
	sorted := m
	if len(m) > 1 {
		sorted = slices.Clone(m)
		slices.SortStableFunc(sorted, func(a, b Pair) int { return compareTerms(a.Key, b.Key, true) })
	}
	for i, p := range sorted {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendTermText(dst, p.Key, depth+1)
		dst = append(dst, " => "...)
		dst = appendTermText(dst, p.Value, depth+1)
	}
	return append(dst, '}')
}

func appendRefText(dst []byte, r Ref) []byte {
	dst = append(dst, "#Ref<"...)
	dst = appendAtomText(dst, r.Node)
	n := min(int(r.Len), len(r.ID))
	for i := n - 1; i >= 0; i-- {
		dst = appendDotted(dst, uint64(r.ID[i]))
	}
	dst = appendDotted(dst, uint64(r.Creation))
	return append(dst, '>')
}

// appendDotted appends each number preceded by a dot.
func appendDotted(dst []byte, nums ...uint64) []byte {
	for _, n := range nums {
		dst = append(dst, '.')
		dst = strconv.AppendUint(dst, n, 10)
	}
	return dst
}

// appendBytesForm appends an opaque term as Name<B1,B2,...>.
func appendBytesForm(dst []byte, name string, b []byte) []byte {
	dst = append(dst, name...)
	dst = append(dst, '<')
	dst = appendDecimalBytes(dst, b)
	return append(dst, '>')
}

// appendDecimalBytes appends bytes as comma-separated decimal numbers.
func appendDecimalBytes(dst []byte, b []byte) []byte {
	for i, c := range b {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendUint(dst, uint64(c), 10)
	}
	return dst
}

// String returns a in Erlang syntax, quoted when it needs quotes:
// 'Elixir.Foo', 'hello world'. Use string(a) for the atom's text itself.
func (a Atom) String() string {
	if !atomNeedsQuotes(string(a)) {
		return string(a)
	}
	return string(appendAtomText(nil, a))
}

// String returns i in Erlang syntax, as [Format] does.
func (i Int) String() string { return strconv.FormatInt(int64(i), 10) }

// String returns b in Erlang syntax, as [Format] does.
func (b BigInt) String() string { return Format(b) }

// String returns f in Erlang syntax, as [Format] does.
func (f Float) String() string { return Format(f) }

// String returns b in Erlang syntax, as [Format] does. Because Binary is a
// [fmt.Stringer], fmt's %x and %q format this text; convert to []byte first
// to format the bytes.
func (b Binary) String() string { return Format(b) }

// String returns b in Erlang syntax, as [Format] does.
func (b Bitstring) String() string { return Format(b) }

// String returns l in Erlang syntax, as [Format] does.
func (l List) String() string { return Format(l) }

// String returns l in Erlang syntax, as [Format] does.
func (l ImproperList) String() string { return Format(l) }

// String returns t in Erlang syntax, as [Format] does.
func (t Tuple) String() string { return Format(t) }

// String returns m in Erlang syntax, as [Format] does.
func (m Map) String() string { return Format(m) }

// String returns p in the text form [Format] documents.
func (p Pid) String() string { return Format(p) }

// String returns r in the text form [Format] documents.
func (r Ref) String() string { return Format(r) }

// String returns p in the text form [Format] documents.
func (p Port) String() string { return Format(p) }

// String returns f in the text form [Format] documents.
func (f Fun) String() string { return Format(f) }

// String returns e in Erlang syntax, as [Format] does.
func (e Export) String() string { return Format(e) }

// String returns l in the text form [Format] documents.
func (l Local) String() string { return Format(l) }

// String returns r in the text form [Format] documents.
func (r Raw) String() string { return Format(r) }
