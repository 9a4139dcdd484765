//go:build wasip1

package sdk

// The creo host functions (abi/ABI.md section 5).

//go:wasmimport creo self
func self(outPtr, outCap uint32) int32

//go:wasmimport creo send
func send(destPtr, destLen, msgPtr, msgLen uint32) int32

//go:wasmimport creo call
func call(destPtr, destLen, reqPtr, reqLen uint32, timeoutMs int32, outPtr, outCap uint32) int32

//go:wasmimport creo reply
func reply(fromPtr, fromLen, msgPtr, msgLen uint32) int32

//go:wasmimport creo send_after
func sendAfter(destPtr, destLen, msgPtr, msgLen uint32, delayMs int64, outPtr, outCap uint32) int32

//go:wasmimport creo cancel_timer
func cancelTimer(refPtr, refLen uint32) int64

//go:wasmimport creo monotonic_time
func monotonicTime() int64

//go:wasmimport creo system_time
func systemTime() int64

//go:wasmimport creo random_bytes
func randomBytes(ptr, n uint32) int32

//go:wasmimport creo log
func logMsg(level int32, msgPtr, msgLen uint32) int32

//go:wasmimport creo result
func result(outPtr, outCap uint32) int32

//go:wasmimport creo trap
func trap(msgPtr, msgLen uint32)
