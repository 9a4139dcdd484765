// Package leb128 appends the LEB128 numbers of the WebAssembly binary
// format (core spec 5.2.2), for the code in abi that writes modules.
package leb128

import "encoding/binary"

// AppendUint32 appends v as an unsigned LEB128 number.
func AppendUint32(dst []byte, v uint32) []byte { return binary.AppendUvarint(dst, uint64(v)) }

// AppendInt64 appends v as a signed LEB128 number.
func AppendInt64(dst []byte, v int64) []byte {
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && b&0x40 == 0) || (v == -1 && b&0x40 != 0) {
			return append(dst, b)
		}
		dst = append(dst, b|0x80)
	}
}
