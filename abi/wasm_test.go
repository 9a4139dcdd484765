package abi

import "github.com/creo-dev/creo/abi/internal/leb128"

// This file assembles WebAssembly modules as bytes, with no toolchain, to
// test the ABI as a guest in any language would see it.

// Value types and opcodes used by the test guests.
const (
	wI32 = 0x7f
	wI64 = 0x7e

	opUnreachable = 0x00
	opLoop        = 0x03
	opIf          = 0x04
	opEnd         = 0x0b
	opBr          = 0x0c
	opCall        = 0x10
	opDrop        = 0x1a
	opLocalGet    = 0x20
	opLocalSet    = 0x21
	opI32Store8   = 0x3a
	opMemoryGrow  = 0x40
	opI32Const    = 0x41
	opI64Const    = 0x42
	opI32Eq       = 0x46
	opI32Ne       = 0x47
	opI32Add      = 0x6a
	opI64Or       = 0x84
	opI64Shl      = 0x86
	opI64ExtendU  = 0xad
	blockVoid     = 0x40
)

type wasmImport struct {
	module, name    string
	params, results []byte
}

type wasmFunc struct {
	export          string // "" for none
	params, results []byte
	locals          []byte // one value type per local
	body            []byte // without the final end
}

type wasmData struct {
	offset uint32
	bytes  []byte
}

type wasmModule struct {
	imports  []wasmImport
	funcs    []wasmFunc
	memPages uint32 // 0: no memory
	noMemExp bool   // a memory that is not exported
	data     []wasmData
}

func (m wasmModule) encode() []byte {
	out := []byte{0, 'a', 's', 'm', 1, 0, 0, 0}
	var types [][]byte
	typeIndex := func(params, results []byte) uint32 {
		t := append(append(append([]byte{0x60}, vec(len(params))...), params...), vec(len(results))...)
		t = append(t, results...)
		for i, u := range types {
			if string(u) == string(t) {
				return uint32(i)
			}
		}
		types = append(types, t)
		return uint32(len(types) - 1)
	}
	var imports, funcs, exports, code []byte
	for _, im := range m.imports {
		imports = append(imports, name(im.module)...)
		imports = append(imports, name(im.name)...)
		imports = append(append(imports, 0), uleb(typeIndex(im.params, im.results))...)
	}
	nexports := 0
	for i, f := range m.funcs {
		funcs = append(funcs, uleb(typeIndex(f.params, f.results))...)
		if f.export != "" {
			exports = append(exports, name(f.export)...)
			exports = append(append(exports, 0), uleb(uint32(len(m.imports)+i))...)
			nexports++
		}
		body := vec(len(f.locals))
		for _, l := range f.locals {
			body = append(append(body, 1), l)
		}
		body = append(append(body, f.body...), opEnd)
		code = append(append(code, vec(len(body))...), body...)
	}
	if m.memPages > 0 && !m.noMemExp {
		exports = append(append(exports, name("memory")...), 2, 0)
		nexports++
	}
	var typeSec []byte
	for _, t := range types {
		typeSec = append(typeSec, t...)
	}
	out = section(out, 1, len(types), typeSec)
	if len(m.imports) > 0 {
		out = section(out, 2, len(m.imports), imports)
	}
	out = section(out, 3, len(m.funcs), funcs)
	if m.memPages > 0 {
		out = section(out, 5, 1, append([]byte{0}, uleb(m.memPages)...))
	}
	out = section(out, 7, nexports, exports)
	out = section(out, 10, len(m.funcs), code)
	if len(m.data) > 0 {
		var data []byte
		for _, d := range m.data {
			data = append(append(data, 0), i32c(int32(d.offset))...)
			data = append(append(append(data, opEnd), vec(len(d.bytes))...), d.bytes...)
		}
		out = section(out, 11, len(m.data), data)
	}
	return out
}

func section(out []byte, id byte, count int, body []byte) []byte {
	content := append(vec(count), body...)
	return append(append(append(out, id), vec(len(content))...), content...)
}

func vec(n int) []byte { return uleb(uint32(n)) }

func name(s string) []byte { return append(vec(len(s)), s...) }

func uleb(v uint32) []byte { return leb128.AppendUint32(nil, v) }

func sleb(v int64) []byte { return leb128.AppendInt64(nil, v) }

func i32c(v int32) []byte { return append([]byte{opI32Const}, sleb(int64(v))...) }

func i64c(v int64) []byte { return append([]byte{opI64Const}, sleb(v)...) }

func callFn(idx uint32) []byte { return append([]byte{opCall}, uleb(idx)...) }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// packed returns the instructions that push a callback's packed result.
func packed(ptr, size uint32) []byte { return i64c(int64(ptr)<<32 | int64(size)) }
