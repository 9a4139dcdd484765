package etf

import (
	"encoding/binary"
	"math"
)

// appendBinary appends b as BINARY_EXT.
func appendBinary(dst []byte, b []byte) ([]byte, error) {
	if uint64(len(b)) > math.MaxUint32 {
		return dst, errorf(ErrInvalid, "binary of %d bytes, the limit is %d", len(b), uint32(math.MaxUint32))
	}
	return appendBinaryBytes(dst, b), nil
}

// appendBinaryBytes appends b, of at most 4 GiB, as BINARY_EXT.
func appendBinaryBytes(dst []byte, b []byte) []byte {
	dst = binary.BigEndian.AppendUint32(append(dst, byte(tagBinary)), uint32(len(b)))
	return append(dst, b...)
}

// appendBitstring appends b as BIT_BINARY_EXT. The unused low bits of the
// last byte are written as zero whatever b holds, since they are not part of
// the value.
func appendBitstring(dst []byte, b Bitstring) ([]byte, error) {
	switch {
	case b.Bits == 0 || b.Bits > 7:
		return dst, errorf(ErrInvalid, "Bitstring with Bits %d, want 1 to 7", b.Bits)
	case len(b.Bytes) == 0:
		return dst, errorf(ErrInvalid, "Bitstring with no Bytes")
	case uint64(len(b.Bytes)) > math.MaxUint32:
		return dst, errorf(ErrInvalid, "bitstring of %d bytes, the limit is %d", len(b.Bytes), uint32(math.MaxUint32))
	}
	dst = binary.BigEndian.AppendUint32(append(dst, byte(tagBitBinary)), uint32(len(b.Bytes)))
	dst = append(dst, b.Bits)
	dst = append(dst, b.Bytes...)
	dst[len(dst)-1] &= bitsMask(b.Bits)
	return dst, nil
}

// bitsMask returns the mask of the n high bits of a byte.
func bitsMask(n uint8) byte { return ^byte(0xff >> n) }

// binary decodes the BINARY_EXT at data[pos:].
func (dec *decoder) binary(data []byte, pos int) (Term, int, error) {
	if len(data)-pos < 5 {
		return nil, 0, truncated(tagBinary, 5, len(data)-pos)
	}
	n := uint64(binary.BigEndian.Uint32(data[pos+1:]))
	if n > uint64(len(data)-pos-5) {
		return nil, 0, errorf(ErrTruncated, "BINARY_EXT of %d bytes, %d left", n, len(data)-pos-5)
	}
	if n == 0 {
		return emptyBinary, pos + 5, nil
	}
	end := pos + 5 + int(n)
	return Binary(dec.bytes(data[pos+5 : end])), end, nil
}

// bitBinary decodes the BIT_BINARY_EXT at data[pos:]: a Bitstring, or a
// Binary when its last byte is whole.
func (dec *decoder) bitBinary(data []byte, pos int) (Term, int, error) {
	if len(data)-pos < 6 {
		return nil, 0, truncated(tagBitBinary, 6, len(data)-pos)
	}
	n := uint64(binary.BigEndian.Uint32(data[pos+1:]))
	bits := data[pos+5]
	// Bits counts the bits used in the last byte, so it is 0 exactly when
	// there is no byte, as binary_to_term checks.
	if bits > 8 || (bits == 0) != (n == 0) {
		return nil, 0, errorf(ErrInvalid, "BIT_BINARY_EXT of %d bytes with %d bits in the last one", n, bits)
	}
	if n > uint64(len(data)-pos-6) {
		return nil, 0, errorf(ErrTruncated, "BIT_BINARY_EXT of %d bytes, %d left", n, len(data)-pos-6)
	}
	end := pos + 6 + int(n)
	if n == 0 {
		return emptyBinary, end, nil
	}
	b := data[pos+6 : end]
	if bits == 8 {
		return Binary(dec.bytes(b)), end, nil
	}
	// The unused low bits are not part of the value; keep them zero so that
	// equal bitstrings have equal bytes. Aliasing is only possible when the
	// input already has them zero.
	mask := bitsMask(bits)
	if dec.alias && b[len(b)-1]&^mask == 0 {
		b = b[:len(b):len(b)]
	} else {
		b = dec.copyBytes(b)
		b[len(b)-1] &= mask
	}
	return Bitstring{Bytes: b, Bits: bits}, end, nil
}
