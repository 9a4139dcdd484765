package etf

import (
	"math/big"
	"strconv"
	"unicode/utf8"
)

// maxSegmentBits bounds the size of one binary segment, so that a few
// characters of text cannot ask for megabytes.
const maxSegmentBits = 1024

// binary parses <<Segment,...>>.
func (p *parser) binary() (Term, error) {
	p.pos += len("<<")
	p.skipSpace()
	var w bitWriter
	if !p.consume(">>") {
		for {
			if err := p.segment(&w); err != nil {
				return nil, err
			}
			p.skipSpace()
			if p.consume(">>") {
				break
			}
			if !p.consume(",") {
				return nil, p.expected("',' or '>>' in a binary")
			}
			p.skipSpace()
		}
	}
	return w.term(), nil
}

// segment parses one segment of a binary, Value:Size/Types, and writes it.
func (p *parser) segment(w *bitWriter) error {
	start := p.pos
	var values []Term
	isString := p.peek() == '"'
	if isString {
		chars, err := p.quoted('"', "string")
		if err != nil {
			return err
		}
		for _, r := range chars {
			values = append(values, Int(r))
		}
	} else {
		v, err := p.number()
		if err != nil {
			return err
		}
		if _, ok := v.(Float); ok {
			return p.errorf(start, "float segments are not supported in a binary")
		}
		values = append(values, v)
	}
	size, isUTF8, err := p.segmentType()
	if err != nil {
		return err
	}
	for _, v := range values {
		if err := p.writeSegment(w, start, v, size, isUTF8, isString); err != nil {
			return err
		}
	}
	return nil
}

// segmentType parses the :Size and /Types that may follow a segment's value.
// Size is -1 when there is none.
func (p *parser) segmentType() (size int, isUTF8 bool, err error) {
	size = -1
	p.skipSpace()
	if p.consume(":") {
		p.skipSpace()
		start := p.pos
		digits := p.digits(10)
		if digits == "" {
			return 0, false, p.expected("the size of a binary segment")
		}
		if size, err = strconv.Atoi(digits); err != nil || size > maxSegmentBits {
			return 0, false, p.errorf(start, "segment size %s is over %d bits", digits, maxSegmentBits)
		}
		p.skipSpace()
	}
	if !p.consume("/") {
		return size, false, nil
	}
	for {
		p.skipSpace()
		start := p.pos
		switch name := p.name(); name {
		case "integer", "signed", "unsigned", "big":
		case "utf8":
			isUTF8 = true
		case "":
			return 0, false, p.expected("a type specifier")
		default:
			return 0, false, p.errorf(start, "type specifier %s is not supported in a binary", name)
		}
		p.skipSpace()
		if !p.consume("-") {
			break
		}
	}
	if isUTF8 && size >= 0 {
		return 0, false, p.errorf(p.pos, "a utf8 segment takes no size")
	}
	return size, isUTF8, nil
}

// writeSegment writes the integer v of the segment at start. A character
// of a string must fit the segment's size; a lone integer is cut to it, as
// Erlang does.
func (p *parser) writeSegment(w *bitWriter, start int, v Term, size int, isUTF8, isChar bool) error {
	if isUTF8 {
		r, ok := v.(Int)
		if !ok || !utf8.ValidRune(rune(r)) || Int(rune(r)) != r {
			return p.errorf(start, "%s is not a Unicode character for a utf8 segment", Format(v))
		}
		for _, b := range utf8.AppendRune(nil, rune(r)) {
			w.writeBits(uint64(b), 8)
		}
		return nil
	}
	if size < 0 {
		size = 8
	}
	if c, ok := v.(Int); isChar && ok && size < 64 && uint64(c) >= 1<<size {
		return p.errorf(start, "character %d does not fit in %d bits; write the string with /utf8", c, size)
	}
	w.writeInt(v, size)
	return nil
}

// bitWriter builds a bitstring, most significant bit first.
type bitWriter struct {
	buf  []byte
	bits uint64
}

// writeBits writes the low n bits of u, n at most 64.
func (w *bitWriter) writeBits(u uint64, n int) {
	if w.bits%8 == 0 && n == 8 {
		w.buf = append(w.buf, byte(u))
		w.bits += 8
		return
	}
	for i := n - 1; i >= 0; i-- {
		if w.bits%8 == 0 {
			w.buf = append(w.buf, 0)
		}
		if u>>i&1 == 1 {
			w.buf[len(w.buf)-1] |= 0x80 >> (w.bits % 8)
		}
		w.bits++
	}
}

// writeInt writes the integer v, an Int or a BigInt, in size bits, two's
// complement, cut to its low bits as Erlang's bit syntax does.
func (w *bitWriter) writeInt(v Term, size int) {
	var n *big.Int
	switch v := v.(type) {
	case Int:
		if size <= 64 {
			w.writeBits(uint64(v), size)
			return
		}
		n = big.NewInt(int64(v))
	case BigInt:
		n = v.Value
	default:
		return
	}
	low := new(big.Int).Mod(n, new(big.Int).Lsh(big.NewInt(1), uint(size)))
	bytes := low.FillBytes(make([]byte, (size+7)/8))
	if first := size % 8; first != 0 {
		w.writeBits(uint64(bytes[0]), first)
		bytes = bytes[1:]
	}
	for _, b := range bytes {
		w.writeBits(uint64(b), 8)
	}
}

// term returns what was written: a Binary, or a Bitstring when the bits do
// not fill the last byte.
func (w *bitWriter) term() Term {
	if tail := w.bits % 8; tail != 0 {
		return Bitstring{Bytes: w.buf, Bits: uint8(tail)}
	}
	if w.buf == nil {
		return Binary{}
	}
	return Binary(w.buf)
}
