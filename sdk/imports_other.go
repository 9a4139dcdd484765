//go:build !wasip1

package sdk

// On platforms other than wasip1 there is no host: the package builds, so
// guests can be vetted and the SDK's term handling tested, but host
// functions panic.

func noHost() { panic("sdk: host functions need GOOS=wasip1 GOARCH=wasm") }

func self(uint32, uint32) int32                                        { noHost(); return 0 }
func send(uint32, uint32, uint32, uint32) int32                        { noHost(); return 0 }
func call(uint32, uint32, uint32, uint32, int32, uint32, uint32) int32 { noHost(); return 0 }
func reply(uint32, uint32, uint32, uint32) int32                       { noHost(); return 0 }
func sendAfter(uint32, uint32, uint32, uint32, int64, uint32, uint32) int32 {
	noHost()
	return 0
}
func cancelTimer(uint32, uint32) int64   { noHost(); return 0 }
func monotonicTime() int64               { noHost(); return 0 }
func systemTime() int64                  { noHost(); return 0 }
func randomBytes(uint32, uint32) int32   { noHost(); return 0 }
func logMsg(int32, uint32, uint32) int32 { noHost(); return 0 }
func result(uint32, uint32) int32        { noHost(); return 0 }
