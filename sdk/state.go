package sdk

import (
	"fmt"

	"github.com/creo-dev/creo/etf"
)

// stateDecoder returns how to turn an encoded state into S: an etf.Raw
// state is passed as it is, with no decoding; any other is decoded, then
// mapped to S by etf's Go mapping unless S is etf.Term. The choice is made
// once, so the usual cases allocate nothing per callback.
//
// A state of one of the plain Go types of scalarCodec is read straight
// from its bytes when they are in the form its encoder writes, and goes
// the general way otherwise, which gives the same value or the same
// error: etf's mapping goes through reflection and a decoded term, which
// cost a counter's int state about 2 µs a callback under wasm, as much as
// the rest of the callback.
func stateDecoder[S any]() func(etf.Raw) (S, error) {
	if f, ok := any(func(raw etf.Raw) (etf.Raw, error) { return raw, nil }).(func(etf.Raw) (S, error)); ok {
		return f
	}
	if f, ok := any(decode).(func(etf.Raw) (S, error)); ok {
		return f
	}
	mapped := func(raw etf.Raw) (S, error) {
		var s S
		t, err := decode(raw)
		if err != nil {
			return s, err
		}
		if err := etf.FromTerm(t, &s); err != nil {
			return s, fmt.Errorf("sdk: state %v does not fit %T: %w", t, s, err)
		}
		return s, nil
	}
	read, _, ok := scalarCodec[S]()
	if !ok {
		return mapped
	}
	return func(raw etf.Raw) (S, error) {
		if s, ok := read(raw); ok {
			return s, nil
		}
		return mapped(raw)
	}
}

// stateEncoder returns how to append a state S, encoded, the inverse of
// stateDecoder. A state of one of the plain Go types of scalarCodec is
// written straight as etf writes its term, when it has one (not a NaN
// float, for instance: etf's mapping then gives the error).
func stateEncoder[S any]() func([]byte, S) ([]byte, error) {
	if f, ok := any(appendRawState).(func([]byte, S) ([]byte, error)); ok {
		return f
	}
	if f, ok := any(etf.AppendTerm).(func([]byte, S) ([]byte, error)); ok {
		return f
	}
	mapped := func(dst []byte, s S) ([]byte, error) {
		t, err := etf.ToTerm(s)
		if err != nil {
			return dst, fmt.Errorf("sdk: state %T: %w", s, err)
		}
		return etf.AppendTerm(dst, t)
	}
	_, write, ok := scalarCodec[S]()
	if !ok {
		return mapped
	}
	return func(dst []byte, s S) ([]byte, error) {
		if b, ok := write(dst, s); ok {
			return b, nil
		}
		return mapped(dst, s)
	}
}

// appendRawState appends a state that is an etf.Raw: as it is.
func appendRawState(dst []byte, raw etf.Raw) ([]byte, error) { return append(dst, raw...), nil }
