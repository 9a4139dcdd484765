package etf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strconv"
)

// appendFloat appends f as NEW_FLOAT_EXT. Erlang has no infinities and no
// NaN, so those are errors.
func appendFloat(dst []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return dst, errorf(ErrInvalid, "float %v: Erlang floats are finite", f)
	}
	return binary.BigEndian.AppendUint64(append(dst, byte(tagNewFloat)), math.Float64bits(f)), nil
}

// floatStringLen is the size of the text of a FLOAT_EXT.
const floatStringLen = 31

// readFloat decodes the NEW_FLOAT_EXT, or the FLOAT_EXT of minor version 0,
// at data[pos:].
func readFloat(data []byte, pos int) (Term, int, error) {
	tg := tag(data[pos])
	var f float64
	var end int
	if tg == tagNewFloat {
		end = pos + 9
		if end > len(data) {
			return nil, 0, truncated(tg, 9, len(data)-pos)
		}
		f = math.Float64frombits(binary.BigEndian.Uint64(data[pos+1:]))
	} else {
		end = pos + 1 + floatStringLen
		if end > len(data) {
			return nil, 0, truncated(tg, 1+floatStringLen, len(data)-pos)
		}
		// The text is printf's "%.20e", padded with NULs.
		text := data[pos+1 : end]
		if i := bytes.IndexByte(text, 0); i >= 0 {
			text = text[:i]
		}
		var err error
		// Out of range is not a syntax error: the check below reports it.
		if f, err = strconv.ParseFloat(string(text), 64); err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, 0, errorf(ErrInvalid, "FLOAT_EXT text %q", text)
		}
	}
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, 0, errorf(ErrInvalid, "%v is not finite", tg)
	}
	return Float(f), end, nil
}
