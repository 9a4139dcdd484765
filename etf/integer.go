package etf

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/bits"
	"slices"
)

// appendInt appends v as OTP does: SMALL_INTEGER_EXT for 0..255,
// INTEGER_EXT for the rest of the int32 range, SMALL_BIG_EXT beyond.
func appendInt(dst []byte, v int64) []byte {
	switch {
	case v >= 0 && v <= 255:
		return append(dst, byte(tagSmallInteger), byte(v))
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return binary.BigEndian.AppendUint32(append(dst, byte(tagInteger)), uint32(v))
	}
	u, sign := uint64(v), byte(0)
	if v < 0 {
		u, sign = -u, 1
	}
	dst = append(dst, byte(tagSmallBig), byte((bits.Len64(u)+7)/8), sign)
	for ; u != 0; u >>= 8 {
		dst = append(dst, byte(u))
	}
	return dst
}

// appendBigInt appends v as an integer, in the smallest encoding that holds
// it, as OTP does.
func appendBigInt(dst []byte, v *big.Int) ([]byte, error) {
	if v == nil {
		return dst, errorf(ErrInvalid, "BigInt with a nil Value")
	}
	if v.IsInt64() {
		return appendInt(dst, v.Int64()), nil
	}
	n := (v.BitLen() + 7) / 8
	sign := byte(0)
	if v.Sign() < 0 {
		sign = 1
	}
	if n <= 255 {
		dst = append(dst, byte(tagSmallBig), byte(n), sign)
	} else {
		if uint64(n) > math.MaxUint32 {
			return dst, errorf(ErrInvalid, "integer of %d bytes, the limit is %d", n, uint32(math.MaxUint32))
		}
		dst = binary.BigEndian.AppendUint32(append(dst, byte(tagLargeBig)), uint32(n))
		dst = append(dst, sign)
	}
	// big.Int keeps its magnitude as little-endian words, and the external
	// format wants little-endian bytes: write the words out directly.
	dst = slices.Grow(dst, n)
	for i, w := range v.Bits() {
		for j := 0; j < wordBytes && i*wordBytes+j < n; j++ {
			dst = append(dst, byte(w>>(8*j)))
		}
	}
	return dst, nil
}

// wordBytes is the size in bytes of a big.Word.
const wordBytes = bits.UintSize / 8

// readBig decodes the SMALL_BIG_EXT or LARGE_BIG_EXT at data[pos:]. A value
// in the int64 range becomes an Int, whatever its encoding.
func readBig(data []byte, pos int) (Term, int, error) {
	tg := tag(data[pos])
	var n uint64
	head := 3
	if tg == tagSmallBig {
		if len(data)-pos < head {
			return nil, 0, truncated(tg, head, len(data)-pos)
		}
		n = uint64(data[pos+1])
	} else {
		head = 6
		if len(data)-pos < head {
			return nil, 0, truncated(tg, head, len(data)-pos)
		}
		n = uint64(binary.BigEndian.Uint32(data[pos+1:]))
	}
	if n > uint64(len(data)-pos-head) {
		return nil, 0, errorf(ErrTruncated, "%v of %d digits needs %d bytes, %d left", tg, n, uint64(head)+n, len(data)-pos)
	}
	// As binary_to_term does, any sign byte but 0 means negative.
	neg := data[pos+head-1] != 0
	end := pos + head + int(n)
	digits := data[pos+head : end]
	for len(digits) > 0 && digits[len(digits)-1] == 0 {
		digits = digits[:len(digits)-1]
	}
	if len(digits) <= 8 {
		var u uint64
		for i := len(digits) - 1; i >= 0; i-- {
			u = u<<8 | uint64(digits[i])
		}
		switch {
		case !neg && u <= math.MaxInt64:
			return Int(u), end, nil
		case neg && u <= 1<<63:
			return Int(-u), end, nil
		}
		v := new(big.Int).SetUint64(u)
		if neg {
			v.Neg(v)
		}
		return BigInt{v}, end, nil
	}
	words := make([]big.Word, (len(digits)+wordBytes-1)/wordBytes)
	for i, b := range digits {
		words[i/wordBytes] |= big.Word(b) << (8 * (i % wordBytes))
	}
	v := new(big.Int).SetBits(words)
	if neg {
		v.Neg(v)
	}
	return BigInt{v}, end, nil
}
