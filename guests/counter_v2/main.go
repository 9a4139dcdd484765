// Command counter_v2 is version 2 of the counter: get replies {v2, N}, and
// code_change keeps N when a server is reloaded from version 1.
package main

import (
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/guests/internal/counter"
	"github.com/creo-dev/creo/sdk"
)

type v2 struct{ counter.Counter }

func (c v2) HandleCall(req etf.Term, from sdk.From, n int) sdk.Result[int] {
	if sdk.Match(req, "get") {
		return sdk.Reply(etf.Tuple{etf.Atom("v2"), etf.Int(n)}, n)
	}
	return c.Counter.HandleCall(req, from, n)
}

func (v2) CodeChange(_ etf.Term, n int, _ etf.Term) sdk.Result[int] { return sdk.Ok(n) }

func init() { sdk.Serve[int](v2{}, sdk.RawArgs()) }

func main() {}
