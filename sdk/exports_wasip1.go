//go:build wasip1

package sdk

import (
	"fmt"
	"runtime"

	"github.com/creo-dev/creo/internal/abiname"
)

// argBuf is the buffer of the latest creo_alloc, where the host writes each
// callback's argument, the end of argArea, which has argHeadroom bytes in
// front of it; outBuf holds the latest result that was not written in
// argArea. They live as long as the instance, which is what ABI.md asks
// of them.
var argArea, argBuf, outBuf []byte

//go:wasmexport creo_abi_version
func abiVersion() int32 { return abiname.Version }

//go:wasmexport creo_alloc
func alloc(size uint32) uint32 {
	clearRawBoxes()
	argArea = make([]byte, argHeadroom+int(size))
	argBuf = argArea[argHeadroom:]
	return address(argBuf)
}

//go:wasmexport init
func exportInit(ptr, n uint32) uint64 { return export(cbInit, ptr, n) }

//go:wasmexport handle_call
func exportHandleCall(ptr, n uint32) uint64 { return export(cbHandleCall, ptr, n) }

//go:wasmexport handle_cast
func exportHandleCast(ptr, n uint32) uint64 { return export(cbHandleCast, ptr, n) }

//go:wasmexport handle_info
func exportHandleInfo(ptr, n uint32) uint64 { return export(cbHandleInfo, ptr, n) }

//go:wasmexport handle_continue
func exportHandleContinue(ptr, n uint32) uint64 { return export(cbHandleContinue, ptr, n) }

//go:wasmexport terminate
func exportTerminate(ptr, n uint32) uint64 { return export(cbTerminate, ptr, n) }

//go:wasmexport code_change
func exportCodeChange(ptr, n uint32) uint64 { return export(cbCodeChange, ptr, n) }

// yieldEvery is how many callbacks an instance runs between two calls of
// runtime.Gosched. A guest's other goroutines, the garbage collector's
// workers among them, run only while an export yields, and a Go guest that
// allocates steadily and never yields can stall its own collector
// (reference/wazero-notes.md, section 3). A yield costs about 0.9 µs under
// wasm, as much as the rest of a small callback, so it is paid once every
// yieldEvery callbacks rather than every time: the heap can grow by at most
// that many callbacks' garbage before the collector runs again.
const yieldEvery = 32

// sinceYield counts the callbacks since the last yield.
var sinceYield int

// export runs one callback. A panic becomes a trap with its message, which
// never returns: the yield is for callbacks that end well.
func export(cb callback, ptr, n uint32) uint64 {
	defer func() {
		if r := recover(); r != nil {
			trapWith(fmt.Sprint(r))
		}
	}()
	end := int(n) + 4*arity[cb] // the argument and its elements' ends
	if ptr != address(argBuf) || end > len(argBuf) {
		panic(fmt.Sprintf("sdk: argument at %d, %d bytes, is not in the creo_alloc buffer", ptr, n))
	}
	out, err := handle(cb, argArea, int(n), outBuf[:0])
	if err != nil {
		panic(err)
	}
	if &out[0] != &argArea[0] { // not written in place
		outBuf = out
	}
	yieldSometimes()
	return uint64(address(out))<<32 | uint64(len(out))
}

// yieldSometimes yields every yieldEvery callbacks.
func yieldSometimes() {
	if sinceYield++; sinceYield >= yieldEvery {
		sinceYield = 0
		runtime.Gosched()
	}
}

func trapWith(msg string) {
	trap(address([]byte(msg)), uint32(len(msg)))
}
