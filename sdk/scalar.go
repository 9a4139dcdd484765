package sdk

import (
	"bytes"
	"encoding/binary"
	"math"

	"github.com/creo-dev/creo/etf"
)

// The tags of the encodings read and written here (erl_ext_dist.md), in
// the forms etf writes.
const (
	tagSmallInteger = 97  // SMALL_INTEGER_EXT: 0 to 255 in one byte
	tagInteger      = 98  // INTEGER_EXT: a signed 32-bit integer
	tagNewFloat     = 70  // NEW_FLOAT_EXT: an IEEE 754 float64
	tagBinary       = 109 // BINARY_EXT: a 4-byte length and the bytes
)

// Booleans as etf writes them, SMALL_ATOM_UTF8_EXT.
var (
	encodedTrue  = []byte("\x77\x04true")
	encodedFalse = []byte("\x77\x05false")
)

// scalarCodec returns how to read and write S without reflection when S is
// one of the plain Go types a state or a reply most often is, those of
// scalarCodecs. read takes the encodings etf writes for S's terms; write
// writes what etf.AppendTerm would write of etf.ToTerm's term. Either
// reports false for any other form or value (an integer beyond 32 bits, a
// NaN, a nil []byte, an atom for a string), which the caller hands to
// etf's mapping: it is the one that knows every form, and says why a value
// does not fit. ok is false for other types, named types among them, which
// may map themselves (etf.Marshaler).
func scalarCodec[S any]() (read func(etf.Raw) (S, bool), write func([]byte, S) ([]byte, bool), ok bool) {
	for _, c := range scalarCodecs {
		if c, ok := c.(codec[S]); ok {
			return c.read, c.write, true
		}
	}
	return nil, nil, false
}

// codec is how scalarCodec reads and writes a type.
type codec[S any] struct {
	read  func(etf.Raw) (S, bool)
	write func([]byte, S) ([]byte, bool)
}

// scalarCodecs holds a codec for each type scalarCodec knows: the integer
// kinds, float64, bool, string and []byte.
var scalarCodecs = []any{
	integerCodec[int](), integerCodec[int8](), integerCodec[int16](), integerCodec[int32](), integerCodec[int64](),
	integerCodec[uint](), integerCodec[uint8](), integerCodec[uint16](), integerCodec[uint32](), integerCodec[uint64](),
	codec[float64]{readFloat, writeFloat},
	codec[bool]{readBool, writeBool},
	codec[string]{readString, writeBinary[string]},
	codec[[]byte]{readBytes, writeBytes},
}

// appendScalar appends v as etf.AppendTerm would append etf.ToTerm's term
// of it, when v is of the scalar types replies most often are, and
// reports whether it did. A counter that replies with its int went
// through etf's mapping, by reflection, which cost about 1 µs under wasm.
func appendScalar(out []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case int:
		return writeInteger(out, v)
	case int64:
		return writeInteger(out, v)
	case bool:
		return writeBool(out, v)
	case float64:
		return writeFloat(out, v)
	case string:
		return writeBinary(out, v)
	case []byte:
		return writeBytes(out, v)
	}
	return out, false
}

func integerCodec[T integer]() codec[T] { return codec[T]{readInteger[T], writeInteger[T]} }

// integer is the integer kinds a state may be, uintptr aside.
type integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// readInteger reads a SMALL_INTEGER_EXT or an INTEGER_EXT that fits T.
func readInteger[T integer](raw etf.Raw) (T, bool) {
	var v int64
	switch {
	case len(raw) == 2 && raw[0] == tagSmallInteger:
		v = int64(raw[1])
	case len(raw) == 5 && raw[0] == tagInteger:
		v = int64(int32(binary.BigEndian.Uint32(raw[1:])))
	default:
		return 0, false
	}
	if t := T(v); int64(t) == v && (t < 0) == (v < 0) {
		return t, true
	}
	return 0, false
}

// writeInteger writes an integer of the int32 range as etf does: 0 to 255
// as SMALL_INTEGER_EXT, the rest as INTEGER_EXT. Larger ones are left to
// etf, which writes them as bignums.
func writeInteger[T integer](dst []byte, t T) ([]byte, bool) {
	v := int64(t)
	switch {
	case (v < 0) != (t < 0): // an unsigned value beyond int64
		return dst, false
	case v >= 0 && v <= math.MaxUint8:
		return append(dst, tagSmallInteger, byte(v)), true
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return binary.BigEndian.AppendUint32(append(dst, tagInteger), uint32(v)), true
	}
	return dst, false
}

// readFloat reads a finite NEW_FLOAT_EXT.
func readFloat(raw etf.Raw) (float64, bool) {
	if len(raw) != 9 || raw[0] != tagNewFloat {
		return 0, false
	}
	f := math.Float64frombits(binary.BigEndian.Uint64(raw[1:]))
	return f, !math.IsNaN(f) && !math.IsInf(f, 0)
}

// writeFloat writes a finite float as NEW_FLOAT_EXT.
func writeFloat(dst []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, false
	}
	return binary.BigEndian.AppendUint64(append(dst, tagNewFloat), math.Float64bits(f)), true
}

func readBool(raw etf.Raw) (bool, bool) {
	switch {
	case bytes.Equal(raw, encodedTrue):
		return true, true
	case bytes.Equal(raw, encodedFalse):
		return false, true
	}
	return false, false
}

func writeBool(dst []byte, b bool) ([]byte, bool) {
	if b {
		return append(dst, encodedTrue...), true
	}
	return append(dst, encodedFalse...), true
}

// binaryBytes returns the bytes of a BINARY_EXT that is all of raw.
func binaryBytes(raw etf.Raw) ([]byte, bool) {
	if len(raw) < 5 || raw[0] != tagBinary || uint64(binary.BigEndian.Uint32(raw[1:])) != uint64(len(raw)-5) {
		return nil, false
	}
	return raw[5:], true
}

// readString reads a binary; a string is a copy, as the argument buffer
// raw lies in is written over by the next callback.
func readString(raw etf.Raw) (string, bool) {
	b, ok := binaryBytes(raw)
	return string(b), ok
}

// writeBinary writes a string or a byte slice as a BINARY_EXT, whose
// length must fit in 32 bits.
func writeBinary[B string | []byte](dst []byte, b B) ([]byte, bool) {
	if uint64(len(b)) > math.MaxUint32 {
		return dst, false
	}
	return append(binary.BigEndian.AppendUint32(append(dst, tagBinary), uint32(len(b))), b...), true
}

// readBytes reads a binary into a new slice, never nil, as etf's mapping
// does.
func readBytes(raw etf.Raw) ([]byte, bool) {
	b, ok := binaryBytes(raw)
	if !ok {
		return nil, false
	}
	return append([]byte{}, b...), true
}

// writeBytes writes a binary; a nil slice, which is the atom nil, is left
// to etf.
func writeBytes(dst []byte, b []byte) ([]byte, bool) {
	if b == nil {
		return dst, false
	}
	return writeBinary(dst, b)
}
