// Command example is the server of the seed blog post: a call with an atom
// replies "hello", any other call replies the request itself; a cast of
// stop stops it with reason "stop they said"; other casts are logged and
// ignored.
package main

import (
	"fmt"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/sdk"
)

type server struct{}

func (server) Init(args etf.Term) sdk.Result[etf.Term] { return sdk.Ok(args) }

func (server) HandleCall(req etf.Term, _ sdk.From, state etf.Term) sdk.Result[etf.Term] {
	if _, ok := req.(etf.Atom); ok {
		return sdk.Reply("hello", state)
	}
	return sdk.Reply(req, state)
}

func (server) HandleCast(msg etf.Term, state etf.Term) sdk.Result[etf.Term] {
	if sdk.Match(msg, "stop") {
		return sdk.Stop("stop they said", state)
	}
	sdk.Log(sdk.LevelInfo, fmt.Sprintf("ignoring cast %v", msg))
	return sdk.NoReply(state)
}

func init() { sdk.Serve[etf.Term](server{}) }

func main() {}
