// Command whocalls replies to every call with its From, {Pid, Tag}, as the
// host wrote it for the guest, and keeps it as its state: for the host's
// tests of the Froms it writes.
package main

import (
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/sdk"
)

type whocalls struct{}

func (whocalls) Init(etf.Term) sdk.Result[etf.Raw] { return sdk.Ok(etf.Raw{106}) }

func (whocalls) HandleCall(_ etf.Term, from sdk.From, _ etf.Raw) sdk.Result[etf.Raw] {
	raw := from.Term().(etf.Raw)
	return sdk.Reply(raw, raw)
}

func init() { sdk.Serve[etf.Raw](whocalls{}, sdk.RawArgs()) }

func main() {}
