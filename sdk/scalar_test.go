package sdk

import (
	"bytes"
	"math"
	"reflect"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// stateCase is a state of some type S, for checkState.
type stateCase struct {
	name  string
	check func(t *testing.T)
}

// stateOf makes a stateCase for a state s: its encoder must write what
// etf.AppendTerm writes of etf.ToTerm(s), and its decoder read that back
// to s, whether the SDK writes and reads it itself or leaves it to etf.
func stateOf[S any](name string, s S) stateCase {
	return stateCase{name, func(t *testing.T) {
		term, err := etf.ToTerm(s)
		if err != nil {
			t.Fatal(err)
		}
		want, err := etf.AppendTerm(nil, term)
		if err != nil {
			t.Fatal(err)
		}
		got, err := stateEncoder[S]()([]byte{0xee}, s)
		if err != nil || !bytes.Equal(got, append([]byte{0xee}, want...)) {
			t.Fatalf("encoded %v as % x, %v; want % x", s, got, err, want)
		}
		back, err := stateDecoder[S]()(want)
		if err != nil || !reflect.DeepEqual(back, s) {
			t.Fatalf("decoded % x as %#v, %v; want %#v", want, back, err, s)
		}
	}}
}

// TestStateScalars checks the states the SDK writes and reads without
// reflection, at the edges of the encodings it writes itself, and beyond
// them, where etf's mapping takes over.
func TestStateScalars(t *testing.T) {
	for _, c := range []stateCase{
		stateOf("int zero", 0),
		stateOf("int 255", 255),
		stateOf("int 256", 256),
		stateOf("int -1", -1),
		stateOf("int max int32", math.MaxInt32),
		stateOf("int min int32", math.MinInt32),
		stateOf("int beyond int32", 1<<40),
		stateOf("int min", math.MinInt),
		stateOf("int8 min", int8(math.MinInt8)),
		stateOf("int16 -300", int16(-300)),
		stateOf("int32 max", int32(math.MaxInt32)),
		stateOf("int64 max", int64(math.MaxInt64)),
		stateOf("uint 7", uint(7)),
		stateOf("uint8 max", uint8(math.MaxUint8)),
		stateOf("uint16 max", uint16(math.MaxUint16)),
		stateOf("uint32 max", uint32(math.MaxUint32)),
		stateOf("uint64 max", uint64(math.MaxUint64)),
		stateOf("float64", 2.5),
		stateOf("float64 negative zero", math.Copysign(0, -1)),
		stateOf("float64 smallest", math.SmallestNonzeroFloat64),
		stateOf("true", true),
		stateOf("false", false),
		stateOf("string", "héllo"),
		stateOf("string empty", ""),
		stateOf("bytes", []byte{0, 1, 2}),
		stateOf("bytes empty", []byte{}),
		stateOf("bytes nil", []byte(nil)),
		stateOf("named int", namedInt(300)),
		stateOf("slice of ints", []int{1, 300}),
	} {
		t.Run(c.name, c.check)
	}
}

// encodeTerm returns term encoded, without its version byte.
func encodeTerm(t testing.TB, term etf.Term) etf.Raw {
	t.Helper()
	b, err := etf.AppendTerm(nil, term)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// namedInt is a named integer type, which etf's mapping handles.
type namedInt int

// TestStateScalarOtherForms checks that a state the SDK does not read
// itself, in another encoding or of a value that does not fit, goes to
// etf's mapping, which reads it or fails with its error.
func TestStateScalarOtherForms(t *testing.T) {
	enc := func(term etf.Term) etf.Raw { return encodeTerm(t, term) }
	tests := []struct {
		name    string
		decode  func(etf.Raw) (any, error)
		raw     etf.Raw
		want    any
		wantErr string
	}{
		{"int from a small big", decodeAs[int], etf.Raw{110, 1, 0, 5}, 5, ""},
		{"string from an atom", decodeAs[string], enc(etf.Atom("abc")), "abc", ""},
		{"string from a char list", decodeAs[string], enc(etf.List{etf.Int('h'), etf.Int('i')}), "hi", ""},
		{"float64 from an integer", decodeAs[float64], enc(etf.Int(3)), 3.0, ""},
		{"bool from a Latin-1 atom", decodeAs[bool], etf.Raw{100, 0, 4, 't', 'r', 'u', 'e'}, true, ""},
		{"bytes from nil", decodeAs[[]byte], enc(etf.Atom("nil")), []byte(nil), ""},
		{"int8 too large", decodeAs[int8], enc(etf.Int(300)), nil,
			"sdk: state 300 does not fit int8: etf: cannot unmarshal integer 300 into Go value of type int8"},
		{"uint negative", decodeAs[uint], enc(etf.Int(-1)), nil,
			"sdk: state -1 does not fit uint: etf: cannot unmarshal integer -1 into Go value of type uint"},
		{"int from a binary", decodeAs[int], enc(etf.Binary("x")), nil,
			`sdk: state <<"x">> does not fit int: etf: cannot unmarshal binary <<"x">> into Go value of type int`},
		{"bool from another atom", decodeAs[bool], enc(etf.Atom("maybe")), nil,
			"sdk: state 'maybe' does not fit bool: etf: cannot unmarshal atom 'maybe' into Go value of type bool"},
		{"string with a short length", decodeAs[string], etf.Raw{109, 0, 0, 0, 9, 'a'}, nil, "sdk: argument: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.decode(tt.raw)
			if tt.wantErr != "" {
				if err == nil || len(err.Error()) < len(tt.wantErr) || err.Error()[:len(tt.wantErr)] != tt.wantErr {
					t.Fatalf("got %#v, %v; want error %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, %v; want %#v", got, err, tt.want)
			}
		})
	}
}

func decodeAs[S any](raw etf.Raw) (any, error) { return stateDecoder[S]()(raw) }

// TestStateScalarNaN checks that a state with no term fails as etf's
// mapping says.
func TestStateScalarNaN(t *testing.T) {
	_, err := stateEncoder[float64]()(nil, math.NaN())
	if want := "sdk: state float64: etf: unsupported value: NaN"; err == nil || err.Error() != want {
		t.Fatalf("got %v, want %q", err, want)
	}
}

// TestAppendPartScalars checks that a reply or a reason of a scalar type
// is written as etf writes its term, whether appendScalar writes it or
// leaves it to etf's mapping.
func TestAppendPartScalars(t *testing.T) {
	tests := []struct {
		name string
		v    any
	}{
		{"int", 41_000},
		{"int small", 7},
		{"int beyond int32", -1 << 40},
		{"int64", int64(math.MinInt32)},
		{"int32", int32(-5)},
		{"bool", true},
		{"float64", -0.25},
		{"string", "bye"},
		{"bytes", []byte("raw")},
		{"bytes nil", []byte(nil)},
		{"named int", namedInt(3)},
		{"term", etf.Tuple{etf.Atom("v2"), etf.Int(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			term, err := etf.ToTerm(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			want, err := etf.AppendTerm([]byte{0xee}, term)
			if err != nil {
				t.Fatal(err)
			}
			got, err := appendPart([]byte{0xee}, tt.v)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("appended % x, %v; want % x", got, err, want)
			}
		})
	}
	if _, err := appendPart(nil, math.Inf(1)); err == nil {
		t.Error("appended an infinite float")
	}
}
