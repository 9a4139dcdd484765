// Command garbage is a test guest that makes garbage on demand: a call
// {drop, N} allocates N bytes and drops them, stats replies {NumGC, Sys} of
// its Go runtime, and any other call replies with the request. Package
// abi's tests drive it to check that a Go guest's collector keeps up.
package main

import (
	"runtime"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/sdk"
)

type server struct{}

// kept holds the latest allocation until the next, so the compiler cannot
// drop it.
var kept []byte

func (server) Init(etf.Term) sdk.Result[etf.Raw] { return sdk.Ok(etf.Raw{106}) }

func (server) HandleCall(req etf.Term, _ sdk.From, s etf.Raw) sdk.Result[etf.Raw] {
	var n int
	switch {
	case sdk.Match(req, "drop", &n):
		kept = make([]byte, n)
		return sdk.Reply(etf.Atom("ok"), s)
	case sdk.Match(req, "stats"):
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return sdk.Reply(etf.Tuple{etf.Int(ms.NumGC), etf.Int(ms.Sys)}, s)
	}
	return sdk.Reply(req, s)
}

func init() { sdk.Serve[etf.Raw](server{}) }

func main() {}
