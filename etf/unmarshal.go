package etf

import (
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Unmarshaler is implemented by types that read themselves from a term.
// [FromTerm] calls UnmarshalTerm with the term meant for the value, whatever
// it is, the atom nil included; only a pointer to an Unmarshaler takes nil
// or undefined as nil without calling it.
type Unmarshaler interface {
	UnmarshalTerm(Term) error
}

// UnmarshalTypeError is returned when a term does not fit the Go value it
// is meant for.
type UnmarshalTypeError struct {
	Term Term         // the term that did not fit
	Type reflect.Type // the type of the Go value it was meant for
	// Field is the path from the root value to the one that failed, such as
	// Config.servers[2].name: the root type, then struct fields by their
	// term names, list indexes and map keys. It is empty when the root value
	// failed.
	Field string
}

func (e *UnmarshalTypeError) Error() string {
	where := "Go value"
	if e.Field != "" {
		where += " " + e.Field
	}
	what := termSummary(e.Term)
	if kind := termKind(e.Term); kind != "" {
		what = kind + " " + what
	}
	return "etf: cannot unmarshal " + what + " into " + where + " of type " + e.Type.String()
}

// termKind names the kind of term t is, for error messages.
func termKind(t Term) string {
	switch t.(type) {
	case Atom:
		return "atom"
	case Int, BigInt:
		return "integer"
	case Float:
		return "float"
	case Binary:
		return "binary"
	case Bitstring:
		return "bitstring"
	case List, ImproperList:
		return "list"
	case Tuple:
		return "tuple"
	case Map:
		return "map"
	case Pid:
		return "pid"
	case Ref:
		return "reference"
	case Port:
		return "port"
	case Fun, Export:
		return "fun"
	}
	return ""
}

// termSummary returns the start of the text of t, enough to recognise it.
func termSummary(t Term) string {
	const max = 40
	text := Format(t)
	if len(text) <= max {
		return text
	}
	cut := max
	for !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut] + "..."
}

// InvalidUnmarshalError is returned when the value to unmarshal into is not
// a non-nil pointer.
type InvalidUnmarshalError struct {
	Type reflect.Type
}

func (e *InvalidUnmarshalError) Error() string {
	switch {
	case e.Type == nil:
		return "etf: cannot unmarshal into nil"
	case e.Type.Kind() != reflect.Pointer:
		return "etf: cannot unmarshal into non-pointer " + e.Type.String()
	}
	return "etf: cannot unmarshal into nil " + e.Type.String()
}

// Unmarshal decodes data, one term in the external term format with the
// version byte 131 first, and stores it in the value v points to, as
// [FromTerm] does. Errors from decoding are [*SyntaxError]s.
func Unmarshal(data []byte, v any) error {
	if rv := reflect.ValueOf(v); rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &InvalidUnmarshalError{Type: reflect.TypeOf(v)}
	}
	t, err := Decode(data)
	if err != nil {
		return err
	}
	return FromTerm(t, v)
}

// FromTerm stores the term t in the value v points to, which must be a
// non-nil pointer. It reverses [ToTerm]: each Go type takes the terms
// ToTerm makes of it, and a few more that mean the same:
//
//   - A [Term] type takes a term of exactly that type; an interface type,
//     any and [Term] included, takes any term its type implements, the atom
//     nil as a nil interface. A [Raw] term is decoded first, unless it goes
//     into a Raw; a Raw takes any term and holds its encoding.
//   - An [Unmarshaler] reads the term itself.
//   - A string takes a binary, an atom, or a list of character codes.
//   - A float takes an integer as well as a float.
//   - An integer type takes an integer that fits it.
//   - A pointer, slice or map takes the atom nil or undefined as nil.
//   - An array takes a list of its length; a byte array a binary of its
//     length.
//   - A struct takes a map whose keys are atoms or binaries naming its
//     fields; keys that name no field are ignored, and fields that no key
//     names are left as they are. A struct mapped to a tuple takes a tuple of
//     its size, led by its tag atom if it has one.
//   - A map gets the pairs of the term's map added to it, and is made when it
//     is nil. Keys that are slices in Go, such as binaries, lists and tuples,
//     cannot key a map[any]T: read binary keys into a map[string]T.
//
// A term that does not fit gives an [*UnmarshalTypeError] that names the
// term, the Go type and the path to the value.
func FromTerm(t Term, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &InvalidUnmarshalError{Type: reflect.TypeOf(v)}
	}
	err := decoderOf(rv.Type().Elem())(t, rv.Elem(), 0)
	if e, ok := err.(*UnmarshalTypeError); ok && e.Field != "" {
		root := rv.Type().Elem()
		name := root.Name()
		if name == "" {
			name = root.String()
		}
		e.Field = name + e.Field
	}
	return err
}

// decoderFunc stores the term t in v, which is settable, at depth levels
// inside the value FromTerm was given.
type decoderFunc func(t Term, v reflect.Value, depth int) error

var valueDecoders sync.Map // reflect.Type → decoderFunc

// decoderOf returns the decoder of type t, built once and cached.
func decoderOf(t reflect.Type) decoderFunc {
	return cachedFunc(&valueDecoders, t, newDecoder, func(real func() decoderFunc) decoderFunc {
		return func(term Term, v reflect.Value, depth int) error { return real()(term, v, depth) }
	})
}

var (
	unmarshalerType = reflect.TypeFor[Unmarshaler]()
	rawType         = reflect.TypeFor[Raw]()
)

// newDecoder returns the decoder of type t. It decodes a Raw term first,
// unless t is Raw.
func newDecoder(t reflect.Type) decoderFunc {
	if t == rawType {
		return decodeRawValue
	}
	return decodingRaw(decoderOfKind(t))
}

func decoderOfKind(t reflect.Type) decoderFunc {
	switch {
	case termTypes[t]:
		return decodeExactTerm
	case t == bigIntType:
		return decodeBigInt
	case reflect.PointerTo(t).Implements(unmarshalerType):
		return decodeUnmarshaler
	}
	switch t.Kind() {
	case reflect.Bool:
		return decodeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return decodeInt
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return decodeUint
	case reflect.Float32, reflect.Float64:
		return decodeFloat
	case reflect.String:
		return decodeString
	case reflect.Slice:
		if isByteSequence(t) {
			return decodeByteSlice
		}
		return sliceDecoder(t)
	case reflect.Array:
		if isByteSequence(t) {
			return decodeByteArray
		}
		return arrayDecoder(t)
	case reflect.Map:
		return mapDecoder(t)
	case reflect.Struct:
		if planOf(t).asTuple {
			return tupleStructDecoder(t)
		}
		return structDecoder(t)
	case reflect.Pointer:
		return pointerDecoder(t)
	case reflect.Interface:
		return decodeInterface
	}
	return func(Term, reflect.Value, int) error { return &UnsupportedTypeError{Type: t} }
}

// mismatch returns the error for a term t that does not fit v.
func mismatch(t Term, v reflect.Value) error {
	return &UnmarshalTypeError{Term: t, Type: v.Type()}
}

// inside adds step to the path of an UnmarshalTypeError coming up from a
// value nested in another; other errors pass unchanged. Paths are built
// only when an error returns, so successful calls pay nothing for them.
func inside(err error, step string) error {
	if e, ok := err.(*UnmarshalTypeError); ok {
		e.Field = step + e.Field
	}
	return err
}

// isNilAtom reports whether t is nil or undefined, which stand for a nil
// pointer, slice or map.
func isNilAtom(t Term) bool {
	a, ok := t.(Atom)
	return ok && (a == atomNil || a == Undefined)
}

// decodingRaw wraps a decoder so that it sees the term a Raw stands for.
func decodingRaw(dec decoderFunc) decoderFunc {
	return func(t Term, v reflect.Value, depth int) error {
		if raw, ok := t.(Raw); ok {
			decoded, err := rawTerm(raw)
			if err != nil {
				return err
			}
			t = decoded
		}
		return dec(t, v, depth)
	}
}

func decodeRawValue(t Term, v reflect.Value, _ int) error {
	raw, ok := t.(Raw)
	if !ok {
		b, err := AppendTerm(nil, t)
		if err != nil {
			return err
		}
		raw = b
	}
	v.Set(reflect.ValueOf(raw))
	return nil
}

// rawTerm decodes the term r stands for.
func rawTerm(r Raw) (Term, error) {
	t, n, err := DecodeTerm(r, nil)
	if err == nil && n != len(r) {
		err = &SyntaxError{Offset: int64(n), Err: ErrTrailingData}
	}
	return t, err
}

func decodeExactTerm(t Term, v reflect.Value, _ int) error {
	tv := reflect.ValueOf(t)
	if !tv.IsValid() || tv.Type() != v.Type() {
		return mismatch(t, v)
	}
	v.Set(tv)
	return nil
}

func decodeInterface(t Term, v reflect.Value, _ int) error {
	if t == atomNil {
		v.SetZero()
		return nil
	}
	tv := reflect.ValueOf(t)
	if !tv.IsValid() || !tv.Type().Implements(v.Type()) {
		return mismatch(t, v)
	}
	v.Set(tv)
	return nil
}

func decodeUnmarshaler(t Term, v reflect.Value, _ int) error {
	return v.Addr().Interface().(Unmarshaler).UnmarshalTerm(t)
}

func decodeBool(t Term, v reflect.Value, _ int) error {
	switch t {
	case True:
		v.SetBool(true)
	case False:
		v.SetBool(false)
	default:
		return mismatch(t, v)
	}
	return nil
}

func decodeInt(t Term, v reflect.Value, _ int) error {
	if i, ok := t.(Int); ok && !v.OverflowInt(int64(i)) {
		v.SetInt(int64(i))
		return nil
	}
	return mismatch(t, v)
}

func decodeUint(t Term, v reflect.Value, _ int) error {
	var u uint64
	switch t := t.(type) {
	case Int:
		if t < 0 {
			return mismatch(t, v)
		}
		u = uint64(t)
	case BigInt:
		if t.Value == nil || !t.Value.IsUint64() {
			return mismatch(t, v)
		}
		u = t.Value.Uint64()
	default:
		return mismatch(t, v)
	}
	if v.OverflowUint(u) {
		return mismatch(t, v)
	}
	v.SetUint(u)
	return nil
}

func decodeBigInt(t Term, v reflect.Value, _ int) error {
	n := v.Addr().Interface().(*big.Int)
	switch t := t.(type) {
	case Int:
		n.SetInt64(int64(t))
	case BigInt:
		if t.Value == nil {
			return mismatch(t, v)
		}
		n.Set(t.Value)
	default:
		return mismatch(t, v)
	}
	return nil
}

func decodeFloat(t Term, v reflect.Value, _ int) error {
	var f float64
	switch t := t.(type) {
	case Float:
		f = float64(t)
	case Int:
		f = float64(t)
	case BigInt:
		if t.Value == nil {
			return mismatch(t, v)
		}
		f, _ = new(big.Float).SetInt(t.Value).Float64()
	default:
		return mismatch(t, v)
	}
	if v.OverflowFloat(f) {
		return mismatch(t, v)
	}
	v.SetFloat(f)
	return nil
}

func decodeString(t Term, v reflect.Value, _ int) error {
	switch t := t.(type) {
	case Binary:
		v.SetString(string(t))
	case Atom:
		v.SetString(string(t))
	case List:
		var b strings.Builder
		for _, e := range t {
			c, ok := e.(Int)
			if !ok || c < 0 || c > utf8.MaxRune || !utf8.ValidRune(rune(c)) {
				return mismatch(t, v)
			}
			b.WriteRune(rune(c))
		}
		v.SetString(b.String())
	default:
		return mismatch(t, v)
	}
	return nil
}

func decodeByteSlice(t Term, v reflect.Value, _ int) error {
	if isNilAtom(t) {
		v.SetZero()
		return nil
	}
	b, ok := t.(Binary)
	if !ok {
		return mismatch(t, v)
	}
	s := reflect.MakeSlice(v.Type(), len(b), len(b))
	reflect.Copy(s, reflect.ValueOf([]byte(b)))
	v.Set(s)
	return nil
}

func decodeByteArray(t Term, v reflect.Value, _ int) error {
	b, ok := t.(Binary)
	if !ok || len(b) != v.Len() {
		return mismatch(t, v)
	}
	reflect.Copy(v, reflect.ValueOf([]byte(b)))
	return nil
}

// checkTermDepth fails when t is nested too deeply to be anything but a
// cycle built in Go.
func checkTermDepth(t Term, v reflect.Value, depth int) error {
	if depth > maxNesting {
		return mismatch(t, v)
	}
	return nil
}

func sliceDecoder(t reflect.Type) decoderFunc {
	elem := decoderOf(t.Elem())
	return func(term Term, v reflect.Value, depth int) error {
		if isNilAtom(term) {
			v.SetZero()
			return nil
		}
		l, ok := term.(List)
		if !ok {
			return mismatch(term, v)
		}
		if err := checkTermDepth(term, v, depth); err != nil {
			return err
		}
		s := reflect.MakeSlice(t, len(l), len(l))
		if err := decodeElems(elem, l, s, depth); err != nil {
			return err
		}
		v.Set(s)
		return nil
	}
}

func arrayDecoder(t reflect.Type) decoderFunc {
	elem := decoderOf(t.Elem())
	return func(term Term, v reflect.Value, depth int) error {
		l, ok := term.(List)
		if !ok || len(l) != v.Len() {
			return mismatch(term, v)
		}
		if err := checkTermDepth(term, v, depth); err != nil {
			return err
		}
		return decodeElems(elem, l, v, depth)
	}
}

// decodeElems decodes the terms of l into the elements of the slice or
// array v, which has their number.
func decodeElems(elem decoderFunc, l []Term, v reflect.Value, depth int) error {
	for i, e := range l {
		if err := elem(e, v.Index(i), depth+1); err != nil {
			return inside(err, "["+strconv.Itoa(i)+"]")
		}
	}
	return nil
}

func mapDecoder(t reflect.Type) decoderFunc {
	key, elem := decoderOf(t.Key()), decoderOf(t.Elem())
	return func(term Term, v reflect.Value, depth int) error {
		if isNilAtom(term) {
			v.SetZero()
			return nil
		}
		m, ok := term.(Map)
		if !ok {
			return mismatch(term, v)
		}
		if err := checkTermDepth(term, v, depth); err != nil {
			return err
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(t, len(m)))
		}
		k, e := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		for _, p := range m {
			k.SetZero()
			e.SetZero()
			if err := key(p.Key, k, depth+1); err != nil {
				return inside(err, "[key "+termSummary(p.Key)+"]")
			}
			if !k.Comparable() { // a list or a map cannot key a map[any]T
				return inside(mismatch(p.Key, k), "[key "+termSummary(p.Key)+"]")
			}
			if err := elem(p.Value, e, depth+1); err != nil {
				return inside(err, "["+termSummary(p.Key)+"]")
			}
			v.SetMapIndex(k, e)
		}
		return nil
	}
}

func structDecoder(t reflect.Type) decoderFunc {
	plan := planOf(t)
	fields := make([]decoderFunc, len(plan.fields))
	for i, f := range plan.fields {
		fields[i] = decoderOf(f.typ)
	}
	return func(term Term, v reflect.Value, depth int) error {
		m, ok := term.(Map)
		if !ok {
			return mismatch(term, v)
		}
		if err := checkTermDepth(term, v, depth); err != nil {
			return err
		}
		// Maps from Erlang and from ToTerm usually have their keys in the
		// order of plan.fields, so the next field is tried before the index.
		next := 0
		for _, p := range m {
			var name string
			switch k := p.Key.(type) {
			case Atom:
				name = string(k)
			case Binary:
				name = string(k)
			default:
				continue
			}
			i := next
			if i >= len(plan.fields) || plan.fields[i].name != name {
				if i, ok = plan.byName[name]; !ok {
					continue
				}
			}
			next = i + 1
			f := plan.fields[i]
			fv, ok := fieldValue(v, f.index, true)
			if !ok {
				return inside(mismatch(p.Value, v), "."+f.name)
			}
			if err := fields[i](p.Value, fv, depth+1); err != nil {
				return inside(err, "."+f.name)
			}
		}
		return nil
	}
}

func tupleStructDecoder(t reflect.Type) decoderFunc {
	plan := planOf(t)
	fields := make([]decoderFunc, len(plan.fields))
	for i, f := range plan.fields {
		fields[i] = decoderOf(f.typ)
	}
	lead := 0
	if plan.tupleTag != "" {
		lead = 1
	}
	return func(term Term, v reflect.Value, depth int) error {
		tuple, ok := term.(Tuple)
		if !ok || len(tuple) != lead+len(fields) || lead == 1 && tuple[0] != plan.tupleTag {
			return mismatch(term, v)
		}
		if err := checkTermDepth(term, v, depth); err != nil {
			return err
		}
		for i, f := range plan.fields {
			fv, ok := fieldValue(v, f.index, true)
			if !ok {
				return inside(mismatch(tuple[lead+i], v), "."+f.name)
			}
			if err := fields[i](tuple[lead+i], fv, depth+1); err != nil {
				return inside(err, "."+f.name)
			}
		}
		return nil
	}
}

func pointerDecoder(t reflect.Type) decoderFunc {
	elem := decoderOf(t.Elem())
	return func(term Term, v reflect.Value, depth int) error {
		if isNilAtom(term) {
			v.SetZero()
			return nil
		}
		if err := checkTermDepth(term, v, depth); err != nil {
			return err
		}
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return elem(term, v.Elem(), depth+1)
	}
}
