// Command crasher fails on request, to test a host's bounds: call ping
// replies pong and self its pid; crash panics, loop never returns and
// alloc allocates without bound.
package main

import (
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/sdk"
)

type crasher struct{}

func (crasher) Init(etf.Term) sdk.Result[etf.Term] { return sdk.Ok[etf.Term](etf.Atom("ok")) }

// hoard keeps what alloc allocates reachable, so the collector cannot
// reclaim it.
var hoard [][]byte

func (crasher) HandleCall(req etf.Term, _ sdk.From, state etf.Term) sdk.Result[etf.Term] {
	switch {
	case sdk.Match(req, "ping"):
		return sdk.Reply(etf.Atom("pong"), state)
	case sdk.Match(req, "self"):
		return sdk.Reply(sdk.Self(), state)
	case sdk.Match(req, "crash"):
		panic("crasher: crash requested")
	case sdk.Match(req, "loop"):
		for {
		}
	case sdk.Match(req, "alloc"):
		for {
			hoard = append(hoard, make([]byte, 1<<20))
		}
	}
	return sdk.Reply(req, state)
}

func init() { sdk.Serve[etf.Term](crasher{}) }

func main() {}
