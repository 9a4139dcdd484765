package etf

import (
	"encoding/binary"
	"math"
)

// funHeadSize is the size of the fixed fields of a NEW_FUN_EXT, from its tag
// to NumFree.
const funHeadSize = 1 + 4 + 1 + 16 + 4 + 4

// appendFunHead appends f as NEW_FUN_EXT up to its free variables, which
// the caller appends next. The Size field is left zero; it returns its
// offset in dst for patchFunSize.
func appendFunHead(dst []byte, f Fun) ([]byte, int, error) {
	if uint64(len(f.Free)) > math.MaxUint32 {
		return dst, 0, errorf(ErrInvalid, "Fun with %d free variables", len(f.Free))
	}
	for _, v := range [...]int64{f.OldIndex, f.OldUniq} {
		if v < math.MinInt32 || v > math.MaxInt32 {
			return dst, 0, errorf(ErrInvalid, "Fun with OldIndex or OldUniq %d outside the int32 range", v)
		}
	}
	dst = append(dst, byte(tagNewFun))
	sizeAt := len(dst)
	dst = append(dst, 0, 0, 0, 0, f.Arity)
	dst = append(dst, f.Uniq[:]...)
	dst = binary.BigEndian.AppendUint32(dst, f.Index)
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(f.Free)))
	dst, err := appendAtom(dst, f.Module)
	if err != nil {
		return dst, 0, err
	}
	dst = appendInt(appendInt(dst, f.OldIndex), f.OldUniq)
	dst, err = appendPid(dst, f.Pid)
	return dst, sizeAt, err
}

// patchFunSize fills in the Size field at sizeAt of a NEW_FUN_EXT that ends
// at the end of dst: the byte count from the field itself on.
func patchFunSize(dst []byte, sizeAt int) {
	binary.BigEndian.PutUint32(dst[sizeAt:], uint32(len(dst)-sizeAt))
}

// appendExport appends e as EXPORT_EXT.
func appendExport(dst []byte, e Export) ([]byte, error) {
	dst, err := appendAtom(append(dst, byte(tagExport)), e.Module)
	if err != nil {
		return dst, err
	}
	dst, err = appendAtom(dst, e.Function)
	return append(dst, byte(tagSmallInteger), e.Arity), err
}

// fun decodes the NEW_FUN_EXT at data[pos:] up to its free variables. The
// returned Fun has Free allocated but not filled; the caller decodes them
// next.
func (dec *decoder) fun(data []byte, pos int) (*Fun, int, error) {
	if len(data)-pos < funHeadSize {
		return nil, 0, truncated(tagNewFun, funHeadSize, len(data)-pos)
	}
	// binary_to_term only checks that Size fits in the input, since it
	// decodes the fields that Size covers anyway; so does this.
	if size := binary.BigEndian.Uint32(data[pos+1:]); size < funHeadSize-1 || uint64(size) > uint64(len(data)-pos-1) {
		return nil, 0, errorf(ErrTruncated, "NEW_FUN_EXT of size %d, %d bytes left", size, len(data)-pos-1)
	}
	f := &Fun{Arity: data[pos+5], Index: binary.BigEndian.Uint32(data[pos+22:])}
	copy(f.Uniq[:], data[pos+6:pos+22])
	numFree := uint64(binary.BigEndian.Uint32(data[pos+26:]))
	module, p, err := dec.atom(data, pos+funHeadSize)
	if err != nil {
		return nil, 0, err
	}
	f.Module = module.(Atom)
	if f.OldIndex, p, err = readFunInt(data, p); err != nil {
		return nil, 0, err
	}
	if f.OldUniq, p, err = readFunInt(data, p); err != nil {
		return nil, 0, err
	}
	if f.Pid, p, err = dec.pid(data, p); err != nil {
		return nil, 0, err
	}
	if numFree > uint64(len(data)-p) {
		return nil, 0, errorf(ErrTruncated, "NEW_FUN_EXT with %d free variables, %d bytes left", numFree, len(data)-p)
	}
	if numFree > 0 {
		f.Free = dec.terms(int(numFree))
	}
	return f, p, nil
}

// readFunInt decodes OldIndex or OldUniq of a NEW_FUN_EXT: a
// SMALL_INTEGER_EXT or an INTEGER_EXT.
func readFunInt(data []byte, pos int) (int64, int, error) {
	if pos >= len(data) {
		return 0, 0, errorf(ErrTruncated, "NEW_FUN_EXT ends before OldIndex or OldUniq")
	}
	switch tg := tag(data[pos]); tg {
	case tagSmallInteger:
		if len(data)-pos < 2 {
			return 0, 0, truncated(tg, 2, len(data)-pos)
		}
		return int64(data[pos+1]), pos + 2, nil
	case tagInteger:
		if len(data)-pos < 5 {
			return 0, 0, truncated(tg, 5, len(data)-pos)
		}
		return int64(int32(binary.BigEndian.Uint32(data[pos+1:]))), pos + 5, nil
	default:
		return 0, 0, errorf(ErrInvalid, "%v where NEW_FUN_EXT has an integer", tg)
	}
}

// export decodes the EXPORT_EXT at data[pos:].
func (dec *decoder) export(data []byte, pos int) (Term, int, error) {
	module, p, err := dec.atom(data, pos+1)
	if err != nil {
		return nil, 0, err
	}
	function, p, err := dec.atom(data, p)
	if err != nil {
		return nil, 0, err
	}
	if len(data)-p < 2 {
		return nil, 0, errorf(ErrTruncated, "EXPORT_EXT ends before its arity")
	}
	if tg := tag(data[p]); tg != tagSmallInteger {
		return nil, 0, errorf(ErrInvalid, "EXPORT_EXT arity is %v, want SMALL_INTEGER_EXT", tg)
	}
	return Export{Module: module.(Atom), Function: function.(Atom), Arity: data[p+1]}, p + 2, nil
}
