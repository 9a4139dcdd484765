// Package counter is the server of the counter guests: an integer that
// calls read and increment.
//
// The guests serve it with sdk.RawArgs: it looks at its requests only
// through sdk.Match, which reads an encoded request's tag without decoding
// it, and at code_change's OldVsn and Extra not at all, so decoding them
// would be most of a callback's cost under wasm, and of a reload's.
package counter

import (
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/sdk"
)

// Counter is the server; its state is the count.
type Counter struct{}

// Init starts at args when it is an integer, else at 0. args comes
// encoded, as every argument of a server served with sdk.RawArgs:
// etf.FromTerm decodes it.
func (Counter) Init(args etf.Term) sdk.Result[int] {
	var n int
	if etf.FromTerm(args, &n) != nil {
		return sdk.Ok(0)
	}
	return sdk.Ok(n)
}

// HandleCall answers get with N, inc with N+1 and {add, K} with N+K,
// keeping what it answers.
func (Counter) HandleCall(req etf.Term, _ sdk.From, n int) sdk.Result[int] {
	var k int
	switch {
	case sdk.Match(req, "get"):
		return sdk.Reply(n, n)
	case sdk.Match(req, "inc"):
		return sdk.Reply(n+1, n+1)
	case sdk.Match(req, "add", &k):
		return sdk.Reply(n+k, n+k)
	}
	return sdk.Stop(etf.Tuple{etf.Atom("bad_call"), req}, n)
}

// HandleCast counts inc.
func (Counter) HandleCast(msg etf.Term, n int) sdk.Result[int] {
	if sdk.Match(msg, "inc") {
		return sdk.NoReply(n + 1)
	}
	return sdk.NoReply(n)
}
