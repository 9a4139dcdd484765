// Package interrupt makes a WebAssembly module interruptible, and
// preemptible by the Go runtime that runs it. It adds two mutable i32
// globals, and a check of them at the head of every loop and at the entry
// of every function that needs one (below). The check:
//
//   - traps (unreachable) once the first global, exported as [Export], is
//     not zero: a host that sets it from another goroutine stops a guest
//     within one loop iteration or one call;
//   - every [Period] checks, counted down in the second global, runs
//     memory.grow 0, which wazero's compiled code does by a call into Go.
//
// The second matters as much as the first. Go cannot preempt a goroutine
// while it runs compiled wasm code, so a guest that runs long without
// calling out holds its thread: the Go garbage collector's mark termination
// waits for it, and with every other P waiting there, the timer that would
// interrupt it never runs: the whole host stops. The trip into Go is a
// safe point where the goroutine can be preempted.
//
// Why not wazero's own way, WithCloseOnContextDone: it calls into Go at
// every loop back-edge and starts a goroutine per call, which makes guest
// loops tens of times slower (wazero#2466). The checks here are a few
// instructions the compiled code keeps inline.
//
// Where the checks go. Wasm code runs without bound in two ways: loops, and
// calls, which may recurse. A stack overflow bounds how deep a recursion
// goes, not how long it takes: a naive fib(60) is 60 frames deep and takes
// hours, with no loop in it, and tail calls (return_call) recurse without
// any stack. So every loop head is checked, and so is the entry of every
// function, but for those where an entry check would add little:
//
//   - a short function that calls nothing (at most 256 bytes of code) runs
//     at most its own length between two loop heads, which are checked. A
//     long one is checked all the same, or a function that calls it a
//     million times in a row, with no loop, would run a million times its
//     length unchecked;
//   - a function whose first control instruction, after any number of
//     blocks and nops, is a loop meets that loop's check before it can call
//     anything. The Go compiler begins most functions that call so (the
//     loop it resumes goroutines through), so most calls of a Go guest pay
//     nothing more: of guests/echo's 2,488 functions, 614 get an entry
//     check, such as the runtime's atomic loads, whose only call is on a nil
//     pointer's panic path.
//
// An entry check costs a call a few inline instructions, and a trip into Go
// every Period calls: measured (abi's BenchmarkGuestRecursion, CPU time),
// 0.34 ns a call of fib, a function that does nothing but call, 1.45 ns
// unchecked; guests/echo's callbacks did not change beyond the noise; the
// host's hand-written WAT echo, whose small helpers call each other, went
// from 348 to 371 ns a call through abi (host's BenchmarkWasmCall). A
// check before each call instead of at the entry would cost fib, which
// calls twice, twice as much.
//
// The rewrite keeps every index (the globals are appended after the
// module's own), so calls, exports, tables and the name section stay valid.
// It decodes instructions of WebAssembly 2.0 without SIMD, threads or
// exception handling, plus tail calls; a module that uses the others is
// refused with [ErrUnsupported], and the host falls back to wazero's way.
package interrupt

import (
	"errors"
	"fmt"
	"slices"

	"github.com/creo-dev/creo/abi/internal/leb128"
)

// Export is the name of the added interrupt global.
const Export = "creo_interrupt"

// shortLeaf is the longest function body, in bytes, that needs no check at
// its entry if it calls nothing: a caller's run of calls to it then costs
// at most a few hundred instructions a call between two checks.
const shortLeaf = 256

// Period is the number of checks, loop iterations and calls, between two
// trips into Go.
const Period = 1 << 16

// ErrUnsupported reports a module with instructions this package does not
// decode.
var ErrUnsupported = errors.New("interrupt: unsupported")

// Section ids (WebAssembly core spec, 5.5.2).
const (
	secCustom = 0
	secImport = 2
	secMemory = 5
	secGlobal = 6
	secExport = 7
	secCode   = 10
)

// Import and export kinds.
const kindGlobal = 3

// Instrument returns module with the interrupt globals and their checks at
// the head of every loop and the entry of every function that needs one.
func Instrument(module []byte) ([]byte, error) {
	if len(module) < 8 || string(module[:4]) != "\x00asm" {
		return nil, errors.New("interrupt: not a wasm module")
	}
	var sections []section
	r := reader{b: module, pos: 8}
	for r.pos < len(module) {
		id := r.byte()
		size := r.u32()
		start := r.pos
		r.skip(int(size))
		if r.err != nil {
			return nil, fmt.Errorf("interrupt: section %d: %w", id, r.err)
		}
		sections = append(sections, section{id: id, body: module[start:r.pos]})
	}
	importedGlobals, importedMemories, err := countImports(sections)
	if err != nil {
		return nil, err
	}
	definedGlobals, hasMemory := 0, importedMemories > 0
	for _, s := range sections {
		switch s.id {
		case secGlobal:
			r := reader{b: s.body}
			definedGlobals = int(r.u32())
		case secMemory:
			hasMemory = true
		}
	}
	if !hasMemory {
		return nil, fmt.Errorf("%w: no memory for memory.grow", ErrUnsupported)
	}
	global := uint32(importedGlobals + definedGlobals)
	check := checkCode(global, global+1)

	out := append([]byte(nil), module[:8]...)
	added := map[byte]bool{}
	emit := func(id byte, body []byte) {
		out = append(out, id)
		out = append(out, uleb(uint32(len(body)))...)
		out = append(out, body...)
	}
	for _, s := range sections {
		// The global section comes before exports; a module without one
		// gets it just before its export section (or its code section).
		if !added[secGlobal] && s.id != secCustom && order(s.id) > order(secGlobal) {
			emit(secGlobal, appendGlobal(nil))
			added[secGlobal] = true
		}
		if !added[secExport] && s.id != secCustom && order(s.id) > order(secExport) {
			emit(secExport, appendExport(nil, global))
			added[secExport] = true
		}
		switch s.id {
		case secGlobal:
			emit(secGlobal, appendGlobal(s.body))
			added[secGlobal] = true
		case secExport:
			emit(secExport, appendExport(s.body, global))
			added[secExport] = true
		case secCode:
			body, err := instrumentCode(s.body, check)
			if err != nil {
				return nil, err
			}
			emit(secCode, body)
		default:
			emit(s.id, s.body)
		}
	}
	if !added[secGlobal] {
		emit(secGlobal, appendGlobal(nil))
	}
	if !added[secExport] {
		emit(secExport, appendExport(nil, global))
	}
	return out, nil
}

type section struct {
	id   byte
	body []byte
}

// order is a section's place in a module (the data count section, 12,
// sits between imports/elements and code).
func order(id byte) int {
	switch id {
	case 12: // data count
		return 95
	case 13: // tag
		return 55
	}
	return int(id) * 10
}

// countImports counts the globals and memories a module imports.
func countImports(sections []section) (globals, memories int, err error) {
	for _, s := range sections {
		if s.id != secImport {
			continue
		}
		r := reader{b: s.body}
		n := r.u32()
		for range n {
			r.name()
			r.name()
			switch kind := r.byte(); kind {
			case 0: // func: type index
				r.u32()
			case 1: // table: reftype, limits
				r.byte()
				r.limits()
			case 2: // memory
				r.limits()
				memories++
			case kindGlobal: // valtype, mutability
				r.byte()
				r.byte()
				globals++
			default:
				return 0, 0, fmt.Errorf("%w: import kind %d", ErrUnsupported, kind)
			}
		}
		return globals, memories, r.err
	}
	return 0, 0, nil
}

// checkCode is the check added at loop heads and function entries, with the
// interrupt and countdown globals:
//
//	global.get $interrupt
//	if unreachable end
//	global.get $countdown
//	i32.eqz
//	if
//	  i32.const 0  memory.grow 0  drop        ;; a call into Go
//	  i32.const Period  global.set $countdown
//	else
//	  global.get $countdown  i32.const 1  i32.sub  global.set $countdown
//	end
func checkCode(interrupt, countdown uint32) []byte {
	i, c := uleb(interrupt), uleb(countdown)
	var b []byte
	b = append(append(append(b, opGlobalGet), i...), opIf, blockEmpty, opUnreachable, opEnd)
	b = append(append(append(b, opGlobalGet), c...), opI32Eqz, opIf, blockEmpty)
	b = append(b, opI32Const, 0, opMemoryGrow, 0, opDrop)
	b = append(append(b, opI32Const), sleb(Period)...)
	b = append(append(append(b, opGlobalSet), c...), opElse)
	b = append(append(append(b, opGlobalGet), c...), opI32Const, 1, opI32Sub)
	return append(append(append(b, opGlobalSet), c...), opEnd)
}

// appendGlobal adds the interrupt global, (global (mut i32) (i32.const 0)),
// and the countdown, (global (mut i32) (i32.const Period)), to a global
// section.
func appendGlobal(body []byte) []byte {
	out := growVec(body, 2)
	out = append(out, valI32, 1, opI32Const, 0, opEnd)
	out = append(append(append(out, valI32, 1, opI32Const), sleb(Period)...), opEnd)
	return out
}

// growVec copies a section's body, a vector (count, then items; empty for
// a section the module lacks), with its count raised by added, ready for
// the added items to be appended.
func growVec(body []byte, added int) []byte {
	r := reader{b: body}
	n := 0
	if len(body) > 0 {
		n = int(r.u32())
	}
	return append(uleb(uint32(n+added)), body[r.pos:]...)
}

// appendExport adds the export of the interrupt global.
func appendExport(body []byte, global uint32) []byte {
	out := growVec(body, 1)
	out = append(out, uleb(uint32(len(Export)))...)
	out = append(out, Export...)
	out = append(out, kindGlobal)
	return append(out, uleb(global)...)
}

// instrumentCode inserts check at the head of every loop, and at the entry
// of every function that needs it (see instrumentFunc), in every function
// body of a code section.
func instrumentCode(body, check []byte) ([]byte, error) {
	r := reader{b: body}
	n := r.u32()
	out := uleb(n)
	var fn []byte
	for i := range n {
		size := int(r.u32())
		start := r.pos
		r.skip(size)
		if r.err != nil {
			return nil, fmt.Errorf("interrupt: function %d: %w", i, r.err)
		}
		var err error
		fn, err = instrumentFunc(fn[:0], body[start:r.pos], check)
		if err != nil {
			return nil, fmt.Errorf("interrupt: function %d: %w", i, err)
		}
		out = append(out, uleb(uint32(len(fn)))...)
		out = append(out, fn...)
	}
	return out, nil
}

// instrumentFunc appends function body fn to out with check after each
// loop's block type, and at its entry unless it is short and calls
// nothing, or its first control instruction, after any blocks and nops, is
// a loop (see the package doc for why).
func instrumentFunc(out, fn, check []byte) ([]byte, error) {
	r := reader{b: fn}
	groups := r.u32()
	for range groups {
		r.u32()
		r.byte()
	}
	if r.err != nil {
		return nil, r.err
	}
	out = append(out, fn[:r.pos]...)
	entry, copied := len(out), r.pos
	// straight holds while every run reaches the instruction read next:
	// up to the first control instruction other than block and nop.
	straight, loopFirst, calls := true, false, false
	for r.pos < len(fn) && r.err == nil {
		op := r.byte()
		if err := r.immediates(op); err != nil {
			return nil, err
		}
		switch {
		case op == opLoop:
			loopFirst = loopFirst || straight
			out = append(out, fn[copied:r.pos]...)
			out = append(out, check...)
			copied = r.pos
		case op >= opCall && op <= opReturnCallIndirect:
			calls = true
		}
		straight = straight && (op == opNop || op == opBlock || op > opReturnCallIndirect)
	}
	if r.err != nil {
		return nil, r.err
	}
	out = append(out, fn[copied:]...)
	if (calls || len(fn) > shortLeaf) && !loopFirst {
		out = slices.Insert(out, entry, check...)
	}
	return out, nil
}

func uleb(v uint32) []byte { return leb128.AppendUint32(nil, v) }

func sleb(v int32) []byte { return leb128.AppendInt64(nil, int64(v)) }
