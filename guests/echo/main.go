// Command echo replies every call with its request, unchanged; a cast
// {send, Pid, Msg} sends Msg to Pid.
package main

import (
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/sdk"
)

type echo struct{}

func (echo) Init(args etf.Term) sdk.Result[etf.Term] { return sdk.Ok(args) }

func (echo) HandleCall(req etf.Term, _ sdk.From, state etf.Term) sdk.Result[etf.Term] {
	return sdk.Reply(req, state)
}

func (echo) HandleCast(msg etf.Term, state etf.Term) sdk.Result[etf.Term] {
	var to, payload etf.Term
	if sdk.Match(msg, "send", &to, &payload) {
		if err := sdk.Send(to, payload); err != nil {
			return sdk.Stop(err.Error(), state)
		}
	}
	return sdk.NoReply(state)
}

func init() { sdk.Serve[etf.Term](echo{}) }

func main() {}
