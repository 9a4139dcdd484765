// Command echo replies every call with its request, unchanged; a cast
// {send, Pid, Msg} sends Msg to Pid. Its state is an etf.Raw and it is
// served with sdk.RawArgs, so the SDK passes its state and its requests
// through without decoding them, since echo never looks into them: a call
// costs the guest only splitting the argument and writing the reply.
package main

import (
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/sdk"
)

type echo struct{}

func (echo) Init(args etf.Term) sdk.Result[etf.Raw] {
	state, err := etf.AppendTerm(nil, args)
	if err != nil {
		return sdk.Stop[etf.Raw](err.Error(), nil)
	}
	return sdk.Ok[etf.Raw](state)
}

func (echo) HandleCall(req etf.Term, _ sdk.From, state etf.Raw) sdk.Result[etf.Raw] {
	return sdk.Reply(req, state)
}

// HandleCast uses sdk.Tagged rather than sdk.Match: a cast that is not
// {send, Pid, Msg} then costs no allocation.
func (echo) HandleCast(msg etf.Term, state etf.Raw) sdk.Result[etf.Raw] {
	if send, ok := sdk.Tagged(msg, "send", 2); ok {
		if err := sdk.Send(send[0], send[1]); err != nil {
			return sdk.Stop(err.Error(), state)
		}
	}
	return sdk.NoReply(state)
}

func init() { sdk.Serve[etf.Raw](echo{}, sdk.RawArgs()) }

func main() {}
