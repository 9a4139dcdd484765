package interrupt

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Opcodes this package writes or treats specially.
const (
	opUnreachable = 0x00
	opNop         = 0x01
	opBlock       = 0x02
	opLoop        = 0x03
	opIf          = 0x04
	opElse        = 0x05
	opEnd         = 0x0b
	opCall        = 0x10
	opDrop        = 0x1a
	opGlobalGet   = 0x23
	opGlobalSet   = 0x24
	opMemoryGrow  = 0x40
	opI32Const    = 0x41
	opI32Eqz      = 0x45
	opI32Sub      = 0x6b
	blockEmpty    = 0x40
	valI32        = 0x7f
)

// opReturnCallIndirect is the last control instruction: the calls are call,
// call_indirect, return_call and return_call_indirect, 0x10 to 0x13.
const opReturnCallIndirect = 0x13

var errTruncated = errors.New("truncated")

// reader decodes the parts of a module the rewrite needs. The first error
// sticks; later reads return zero.
type reader struct {
	b   []byte
	pos int
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.pos = len(r.b)
}

func (r *reader) byte() byte {
	if r.pos >= len(r.b) {
		r.fail(errTruncated)
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

func (r *reader) skip(n int) {
	if n < 0 || n > len(r.b)-r.pos {
		r.fail(errTruncated)
		return
	}
	r.pos += n
}

// u32 reads an unsigned LEB128 number.
func (r *reader) u32() uint32 {
	v, n := binary.Uvarint(r.b[min(r.pos, len(r.b)):])
	if n <= 0 || v > 1<<32-1 {
		r.fail(errTruncated)
		return 0
	}
	r.pos += n
	return uint32(v)
}

// sleb skips a signed LEB128 number.
func (r *reader) sleb() {
	for r.err == nil && r.byte()&0x80 != 0 {
	}
}

func (r *reader) name() { r.skip(int(r.u32())) }

func (r *reader) limits() {
	flags := r.byte()
	r.u32()
	if flags&1 != 0 {
		r.u32()
	}
}

// blockType skips a block type: empty, a value type, or a type index (a
// signed LEB128 that is never negative).
func (r *reader) blockType() {
	if r.pos < len(r.b) && (r.b[r.pos] == blockEmpty || r.b[r.pos]&0xc0 == 0x40) {
		r.pos++ // one byte: 0x40 or a value type
		return
	}
	r.sleb()
}

// immediates skips the immediates of instruction op.
func (r *reader) immediates(op byte) error {
	switch {
	case op == 0x02 || op == opLoop || op == opIf: // block, loop, if
		r.blockType()
	case op == 0x0c || op == 0x0d: // br, br_if
		r.u32()
	case op == 0x0e: // br_table
		n := r.u32()
		for i := uint32(0); i <= n && r.err == nil; i++ {
			r.u32()
		}
	case op == 0x10 || op == 0x12: // call, return_call
		r.u32()
	case op == 0x11 || op == 0x13: // call_indirect, return_call_indirect
		r.u32()
		r.u32()
	case op == 0x1c: // select t*
		r.skip(int(r.u32()))
	case op >= 0x20 && op <= 0x26: // local.*, global.*, table.get/set
		r.u32()
	case op >= 0x28 && op <= 0x3e: // loads and stores: memarg
		r.u32()
		r.u32()
	case op == 0x3f || op == 0x40: // memory.size, memory.grow
		r.byte()
	case op == opI32Const || op == 0x42:
		r.sleb()
	case op == 0x43:
		r.skip(4)
	case op == 0x44:
		r.skip(8)
	case op == 0xd0: // ref.null t
		r.byte()
	case op == 0xd2: // ref.func
		r.u32()
	case op == 0xfc:
		return r.prefixed()
	case op <= 0x01, op == 0x05, op == opEnd, op == 0x0f, op == 0x1a, op == 0x1b,
		op >= 0x45 && op <= 0xc4, op == 0xd1:
		// No immediates.
	default:
		return fmt.Errorf("%w instruction 0x%02x at offset %d", ErrUnsupported, op, r.pos-1)
	}
	return nil
}

// prefixed skips the immediates of a 0xfc-prefixed instruction: saturating
// truncation, bulk memory and table instructions.
func (r *reader) prefixed() error {
	switch sub := r.u32(); {
	case sub <= 7: // trunc_sat
	case sub == 8: // memory.init data, mem
		r.u32()
		r.byte()
	case sub == 9, sub == 13, sub == 15, sub == 16, sub == 17: // data.drop, elem.drop, table.grow/size/fill
		r.u32()
	case sub == 10: // memory.copy
		r.byte()
		r.byte()
	case sub == 11: // memory.fill
		r.byte()
	case sub == 12, sub == 14: // table.init, table.copy
		r.u32()
		r.u32()
	default:
		return fmt.Errorf("%w instruction 0xfc %d at offset %d", ErrUnsupported, sub, r.pos)
	}
	return nil
}
