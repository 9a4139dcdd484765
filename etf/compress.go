package etf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
)

// maxDeflateRatio bounds how many bytes one byte of zlib data can inflate to:
// deflate's longest match, 258 bytes, costs at least 2 bits, so no valid
// stream exceeds 1032 to 1.
const maxDeflateRatio = 1032

// decodeCompressed decodes the compressed term (tag 80) at data[pos:] and
// returns where its zlib data ends.
func (opts DecodeOptions) decodeCompressed(data []byte, pos int) (Term, int, error) {
	term, end, err := inflate(data, pos)
	if err != nil {
		return nil, 0, err
	}
	// The uncompressed bytes belong to this decode alone, so the term may
	// always alias them.
	opts.Alias = true
	t, n, err := opts.decodePlain(term, 0)
	if err == nil && n != len(term) {
		err = &SyntaxError{Offset: int64(n), Err: ErrTrailingData}
	}
	if err != nil {
		return nil, 0, inCompressed(err, pos)
	}
	return t, end, nil
}

// inCompressed adds to a *SyntaxError found in the data of the compressed
// term at pos that its offset counts in the uncompressed bytes.
func inCompressed(err error, pos int) error {
	if se := (*SyntaxError)(nil); errors.As(err, &se) {
		se.Err = errorf(se.Err, "in the data compressed at offset %d", pos)
	}
	return err
}

// inflate returns the uncompressed data of the compressed term (tag 80) at
// data[pos:]: UncompressedSize, then a zlib stream of the term. It returns
// where the zlib stream ends.
func inflate(data []byte, pos int) ([]byte, int, error) {
	fail := func(err error) ([]byte, int, error) {
		return nil, 0, &SyntaxError{Offset: int64(pos), Err: err}
	}
	if len(data)-pos < 5 {
		return fail(truncated(tagCompressed, 5, len(data)-pos))
	}
	size := uint64(binary.BigEndian.Uint32(data[pos+1:]))
	packed := data[pos+5:]
	if size > maxDeflateRatio*uint64(len(packed)) {
		return fail(errorf(ErrInvalid, "compressed term claims %d bytes from %d bytes of zlib data", size, len(packed)))
	}
	// A bytes.Reader is an io.ByteReader, so the inflater reads no further
	// than the end of its stream, and what is left tells where that is.
	src := bytes.NewReader(packed)
	zr, err := zlib.NewReader(src)
	if err != nil {
		return fail(errorf(ErrInvalid, "compressed term: %v", err))
	}
	term := make([]byte, size)
	if _, err := io.ReadFull(zr, term); err != nil {
		return fail(errorf(ErrInvalid, "compressed term of %d bytes: %v", size, err))
	}
	// Reading on to the end of the stream checks its checksum, and that it
	// holds no more than it claimed.
	var extra [1]byte
	if n, err := zr.Read(extra[:]); n != 0 || !errors.Is(err, io.EOF) {
		if err == nil || errors.Is(err, io.EOF) {
			err = errors.New("more data than UncompressedSize")
		}
		return fail(errorf(ErrInvalid, "compressed term of %d bytes: %v", size, err))
	}
	return term, len(data) - src.Len(), nil
}
