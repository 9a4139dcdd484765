// Package counter is the server of the counter guests: an integer that
// calls read and increment.
package counter

import (
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/sdk"
)

// Counter is the server; its state is the count.
type Counter struct{}

// Init starts at args when it is an integer, else at 0.
func (Counter) Init(args etf.Term) sdk.Result[int] {
	if n, ok := args.(etf.Int); ok {
		return sdk.Ok(int(n))
	}
	return sdk.Ok(0)
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
