package etf

import (
	"fmt"
	"math"
	"math/big"
	"reflect"
	"slices"
	"strconv"
	"sync"
)

// Marshaler is implemented by types that build their own term. [ToTerm]
// calls MarshalTerm instead of mapping the value itself; a nil Term result
// stands for the atom nil.
type Marshaler interface {
	MarshalTerm() (Term, error)
}

// UnsupportedTypeError is returned when a Go type has no term mapping:
// channels, functions, complex numbers and unsafe pointers.
type UnsupportedTypeError struct {
	Type reflect.Type
}

func (e *UnsupportedTypeError) Error() string {
	return "etf: unsupported type: " + e.Type.String()
}

// UnsupportedValueError is returned for a value of a supported type that has
// no term: a NaN or infinite float, or a value nested too deeply, which is
// how a cyclic value shows.
type UnsupportedValueError struct {
	Value reflect.Value
	Str   string
}

func (e *UnsupportedValueError) Error() string {
	return "etf: unsupported value: " + e.Str
}

// atomNil is Elixir's nil, which stands for Go's nil pointers, slices, maps
// and interfaces.
const atomNil Atom = "nil"

// Marshal returns the external term format of v, with the version byte 131
// first, as term_to_binary/1 returns it: the term [ToTerm] makes of v,
// encoded by [Encode].
func Marshal(v any) ([]byte, error) {
	t, err := ToTerm(v)
	if err != nil {
		return nil, err
	}
	return Encode(t)
}

// ToTerm returns the term for the Go value v. It is the term [Marshal]
// encodes, and what [FromTerm] reads back into a value of the same type.
//
// A [Term] is returned as it is, [Raw] included, with whatever it holds: a
// Go value inside a Tuple is not converted, and [Encode] refuses it. A
// [Marshaler] builds its own term. Otherwise the mapping is:
//
//	bool                      true or false
//	int, int8 ... int64       Int
//	uint, uint8 ... uintptr   Int, or BigInt from 2^63 up
//	big.Int, *big.Int         Int or BigInt
//	float32, float64          Float (a float32 by its shortest decimal form)
//	string                    Binary of its UTF-8 bytes
//	[]byte, [N]byte           Binary
//	other slices and arrays   List
//	maps                      Map, keys in Erlang term order
//	structs                   Map with atom keys, or Tuple (see below)
//	pointers                  the term of the value pointed to
//	interfaces                the term of the value held
//	nil pointers, slices,
//	maps and interfaces       the atom nil, Elixir's nil
//
// # Structs
//
// A struct maps to a map from atoms to its exported fields. A field's atom
// is the name in its etf tag, or else its Go name in snake_case, as Elixir
// names struct fields: UserID is user_id. Tags follow encoding/json:
//
//	Name  string `etf:"name"`            // key name
//	Note  string `etf:"note,omitempty"`  // left out when false, 0, "", nil or empty
//	At    Stamp  `etf:",omitzero"`       // left out when zero, or when At.IsZero()
//	Cache []byte `etf:"-"`               // never mapped
//
// The fields of an embedded struct without a name tag are mapped as if they
// were the outer struct's, by encoding/json's rules for name conflicts; an
// embedded term type or big.Int is mapped as one field named after its type.
//
// A struct with a blank field tagged tuple maps to a tuple of its fields in
// order instead, and when the tag names an atom, the atom leads the tuple.
// That is how Erlang records and tagged tuples such as {add, K} map:
//
//	type Add struct {
//		_ struct{} `etf:"add,tuple"`
//		K int
//	}
//
// # Errors
//
// Channels, functions and complex numbers give an [*UnsupportedTypeError];
// NaN, infinities and values nested more than 10000 deep (a cyclic value)
// an [*UnsupportedValueError].
func ToTerm(v any) (Term, error) {
	if t, ok := asTerm(v); ok {
		return t, nil
	}
	if v == nil {
		return atomNil, nil
	}
	rv := reflect.ValueOf(v)
	return encoderOf(rv.Type())(rv, 0)
}

// asTerm returns v if it is one of the term types, not some other type
// that embeds one.
func asTerm(v any) (Term, bool) {
	if t, ok := v.(Term); ok && termTypes[reflect.TypeOf(v)] {
		return t, true
	}
	return nil, false
}

var (
	marshalerType = reflect.TypeFor[Marshaler]()
	bigIntType    = reflect.TypeFor[big.Int]()
	// termTypes holds the types of this package that are terms.
	termTypes = func() map[reflect.Type]bool {
		types := map[reflect.Type]bool{}
		for _, t := range []Term{Atom(""), Int(0), BigInt{}, Float(0), Binary(nil), Bitstring{}, List(nil),
			ImproperList{}, Tuple(nil), Map(nil), Pid{}, Ref{}, Port{}, Fun{}, Export{}, Local(nil), Raw(nil)} {
			types[reflect.TypeOf(t)] = true
		}
		return types
	}()
)

// isWholeType reports whether t maps as one value, never field by field:
// the term types and big.Int.
func isWholeType(t reflect.Type) bool {
	return termTypes[t] || t == bigIntType
}

// encoderFunc returns the term for v, at depth levels inside the value
// ToTerm was given.
type encoderFunc func(v reflect.Value, depth int) (Term, error)

var valueEncoders sync.Map // reflect.Type → encoderFunc

// encoderOf returns the encoder of type t, built once and cached.
func encoderOf(t reflect.Type) encoderFunc {
	return cachedFunc(&valueEncoders, t, newEncoder, func(real func() encoderFunc) encoderFunc {
		return func(v reflect.Value, depth int) (Term, error) { return real()(v, depth) }
	})
}

// cachedFunc returns the function of type t in cache, which build makes on
// the first call. A recursive type meets itself while its function is being
// built; it gets the function indirect makes, which calls the real one once
// it is built.
func cachedFunc[F any](cache *sync.Map, t reflect.Type, build func(reflect.Type) F, indirect func(real func() F) F) F {
	if f, ok := cache.Load(t); ok {
		return f.(F)
	}
	var (
		built sync.WaitGroup
		real  F
	)
	built.Add(1)
	f, loaded := cache.LoadOrStore(t, indirect(func() F {
		built.Wait()
		return real
	}))
	if loaded {
		return f.(F)
	}
	real = build(t)
	built.Done()
	cache.Store(t, real)
	return real
}

func newEncoder(t reflect.Type) encoderFunc {
	switch {
	case termTypes[t]:
		return func(v reflect.Value, _ int) (Term, error) { return v.Interface().(Term), nil }
	case t == bigIntType:
		return encodeBigInt
	case t.Kind() != reflect.Interface && t.Implements(marshalerType):
		return encodeMarshaler
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(marshalerType):
		return func(v reflect.Value, depth int) (Term, error) { return encodeMarshaler(addressable(v), depth) }
	}
	switch t.Kind() {
	case reflect.Bool:
		return encodeBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value, _ int) (Term, error) { return Int(v.Int()), nil }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return encodeUint
	case reflect.Float32, reflect.Float64:
		return encodeFloat
	case reflect.String:
		return func(v reflect.Value, _ int) (Term, error) { return Binary(v.String()), nil }
	case reflect.Slice, reflect.Array:
		if isByteSequence(t) {
			return encodeBytes
		}
		return sliceEncoder(t)
	case reflect.Map:
		return mapEncoder(t)
	case reflect.Struct:
		return structEncoder(t)
	case reflect.Pointer:
		return pointerEncoder(t)
	case reflect.Interface:
		return encodeInterface
	}
	return func(reflect.Value, int) (Term, error) { return nil, &UnsupportedTypeError{Type: t} }
}

// isByteSequence reports whether the slice or array type t holds plain
// bytes, which map to a binary.
func isByteSequence(t reflect.Type) bool {
	e := t.Elem()
	return e.Kind() == reflect.Uint8 && !reflect.PointerTo(e).Implements(marshalerType)
}

// addressable returns v, or an addressable copy of it, so that methods with
// pointer receivers can be called.
func addressable(v reflect.Value) reflect.Value {
	if v.CanAddr() {
		return v.Addr()
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	return p
}

// checkDepth fails when v is nested too deeply to be anything but a cycle.
func checkDepth(v reflect.Value, depth int) error {
	if depth > maxNesting {
		return &UnsupportedValueError{Value: v, Str: fmt.Sprintf("%s nested more than %d levels deep, as in a cycle", v.Type(), maxNesting)}
	}
	return nil
}

func encodeMarshaler(v reflect.Value, _ int) (Term, error) {
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return atomNil, nil
	}
	t, err := v.Interface().(Marshaler).MarshalTerm()
	if err != nil {
		return nil, fmt.Errorf("etf: MarshalTerm of %s: %w", v.Type(), err)
	}
	if t == nil {
		return atomNil, nil
	}
	return t, nil
}

func encodeBool(v reflect.Value, _ int) (Term, error) {
	if v.Bool() {
		return True, nil
	}
	return False, nil
}

func encodeUint(v reflect.Value, _ int) (Term, error) {
	u := v.Uint()
	if u > math.MaxInt64 {
		return BigInt{Value: new(big.Int).SetUint64(u)}, nil
	}
	return Int(u), nil
}

func encodeBigInt(v reflect.Value, _ int) (Term, error) {
	n := addressable(v).Interface().(*big.Int)
	return bigIntTerm(n), nil
}

// bigIntTerm returns n as an Int when it fits and as a BigInt holding a copy
// of n otherwise, since a BigInt's value must not change.
func bigIntTerm(n *big.Int) Term {
	if n.IsInt64() {
		return Int(n.Int64())
	}
	return BigInt{Value: new(big.Int).Set(n)}
}

func encodeFloat(v reflect.Value, _ int) (Term, error) {
	f := v.Float()
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, &UnsupportedValueError{Value: v, Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	if v.Kind() == reflect.Float32 {
		// float32(0.1) is 0.1, not 0.10000000149011612.
		f, _ = strconv.ParseFloat(strconv.FormatFloat(f, 'g', -1, 32), 64)
	}
	return Float(f), nil
}

func encodeBytes(v reflect.Value, _ int) (Term, error) {
	if v.Kind() == reflect.Slice && v.IsNil() {
		return atomNil, nil
	}
	b := make(Binary, v.Len())
	reflect.Copy(reflect.ValueOf([]byte(b)), v)
	return b, nil
}

func sliceEncoder(t reflect.Type) encoderFunc {
	elem := encoderOf(t.Elem())
	return func(v reflect.Value, depth int) (Term, error) {
		if v.Kind() == reflect.Slice && v.IsNil() {
			return atomNil, nil
		}
		if err := checkDepth(v, depth); err != nil {
			return nil, err
		}
		l := make(List, v.Len())
		for i := range l {
			var err error
			if l[i], err = elem(v.Index(i), depth+1); err != nil {
				return nil, err
			}
		}
		return l, nil
	}
}

func mapEncoder(t reflect.Type) encoderFunc {
	key, elem := encoderOf(t.Key()), encoderOf(t.Elem())
	mayCollide := !mapsOneToOne(t.Key())
	return func(v reflect.Value, depth int) (Term, error) {
		if v.IsNil() {
			return atomNil, nil
		}
		if err := checkDepth(v, depth); err != nil {
			return nil, err
		}
		m := make(Map, 0, v.Len())
		// Reused for every pair, which spares an allocation for each.
		kv, ev := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		for iter := v.MapRange(); iter.Next(); {
			kv.SetIterKey(iter)
			ev.SetIterValue(iter)
			k, err := key(kv, depth+1)
			if err != nil {
				return nil, err
			}
			e, err := elem(ev, depth+1)
			if err != nil {
				return nil, err
			}
			m = append(m, Pair{Key: k, Value: e})
		}
		return sortedMap(m, v, mayCollide)
	}
}

// mapsOneToOne reports whether distinct Go values of type t always map to
// distinct terms, so that the keys of a map[t]T need no check.
func mapsOneToOne(t reflect.Type) bool {
	if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		return false
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	}
	return false
}

// sortedMap sorts the pairs of m, made from the Go map v, by key, in the
// order term_to_binary writes small maps in, so that equal Go maps encode to
// equal bytes. When keys mayCollide, it fails if two are the same term, as
// the keys of a map[any]T holding 1 and int8(1) are.
func sortedMap(m Map, v reflect.Value, mayCollide bool) (Term, error) {
	if len(m) < 2 {
		return m, nil
	}
	slices.SortFunc(m, func(a, b Pair) int { return compareTerms(a.Key, b.Key, true) })
	for i := 1; mayCollide && i < len(m); i++ {
		if compareTerms(m[i-1].Key, m[i].Key, true) == 0 {
			return nil, &UnsupportedValueError{Value: v, Str: "two keys of " + v.Type().String() + " map to " + termSummary(m[i].Key)}
		}
	}
	return m, nil
}

func structEncoder(t reflect.Type) encoderFunc {
	plan := planOf(t)
	fields := make([]encoderFunc, len(plan.fields))
	for i, f := range plan.fields {
		fields[i] = encoderOf(f.typ)
	}
	if plan.asTuple {
		return func(v reflect.Value, depth int) (Term, error) {
			if err := checkDepth(v, depth); err != nil {
				return nil, err
			}
			tuple := make(Tuple, 0, len(fields)+1)
			if plan.tupleTag != "" {
				tuple = append(tuple, plan.tupleTag)
			}
			for i, f := range plan.fields {
				e := Term(atomNil) // the field of a nil embedded pointer
				if fv, ok := fieldValue(v, f.index, false); ok {
					var err error
					if e, err = fields[i](fv, depth+1); err != nil {
						return nil, err
					}
				}
				tuple = append(tuple, e)
			}
			return tuple, nil
		}
	}
	return func(v reflect.Value, depth int) (Term, error) {
		if err := checkDepth(v, depth); err != nil {
			return nil, err
		}
		m := make(Map, 0, len(fields))
		for i, f := range plan.fields {
			fv, ok := fieldValue(v, f.index, false)
			if !ok || f.omitEmpty && isEmptyValue(fv) || f.omitZero && isZeroValue(fv) {
				continue
			}
			e, err := fields[i](fv, depth+1)
			if err != nil {
				return nil, err
			}
			m = append(m, Pair{Key: f.key, Value: e})
		}
		return m, nil
	}
}

func pointerEncoder(t reflect.Type) encoderFunc {
	elem := encoderOf(t.Elem())
	return func(v reflect.Value, depth int) (Term, error) {
		if v.IsNil() {
			return atomNil, nil
		}
		if err := checkDepth(v, depth); err != nil {
			return nil, err
		}
		return elem(v.Elem(), depth+1)
	}
}

func encodeInterface(v reflect.Value, depth int) (Term, error) {
	if v.IsNil() {
		return atomNil, nil
	}
	if err := checkDepth(v, depth); err != nil {
		return nil, err
	}
	e := v.Elem()
	return encoderOf(e.Type())(e, depth+1)
}

// isEmptyValue reports whether omitempty leaves v out: false, 0, "", a nil
// pointer or interface, or an empty slice, map or array.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// isZeroValue reports whether omitzero leaves v out: when it is a nil
// pointer, when its IsZero method says so, or when it has no such method
// and is its type's zero value.
func isZeroValue(v reflect.Value) bool {
	type zeroer interface{ IsZero() bool }
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return true
	}
	if z, ok := v.Interface().(zeroer); ok {
		return z.IsZero()
	}
	if z, ok := addressable(v).Interface().(zeroer); ok {
		return z.IsZero()
	}
	return v.IsZero()
}
