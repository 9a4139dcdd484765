// Command refuser is a guest that says no, for the creo manager's tests
// of refusals: init stops with init_refused when its argument is the atom
// fail, code_change always answers {error, {refused, OldVsn}}, and a call
// replies {refuser, Request}.
package main

import (
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/sdk"
)

type refuser struct{}

func (refuser) Init(args etf.Term) sdk.Result[etf.Term] {
	if args == etf.Atom("fail") {
		return sdk.Stop[etf.Term](etf.Atom("init_refused"), nil)
	}
	return sdk.Ok(args)
}

func (refuser) HandleCall(req etf.Term, _ sdk.From, state etf.Term) sdk.Result[etf.Term] {
	return sdk.Reply(etf.Tuple{etf.Atom("refuser"), req}, state)
}

func (refuser) CodeChange(oldVsn, state, _ etf.Term) sdk.Result[etf.Term] {
	return sdk.Error[etf.Term](etf.Tuple{etf.Atom("refused"), oldVsn})
}

func init() { sdk.Serve[etf.Term](refuser{}) }

func main() {}
