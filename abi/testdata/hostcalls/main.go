// Command hostcalls is a test guest whose calls exercise each host
// function through the SDK; package abi's tests drive it.
package main

import (
	"os"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/sdk"
)

type server struct{}

func (server) Init(args etf.Term) sdk.Result[etf.Term] { return sdk.Ok(args) }

// failed is the reply for a host function's error: {error, Reason}.
func failed(err error) etf.Term {
	if e, ok := err.(*sdk.ExitError); ok {
		return etf.Tuple{etf.Atom("error"), e.Reason}
	}
	return etf.Tuple{etf.Atom("error"), etf.Binary(err.Error())}
}

func (server) HandleCall(req etf.Term, from sdk.From, s etf.Term) sdk.Result[etf.Term] {
	var dest, msg etf.Term
	var ms, n int
	var ref etf.Ref
	switch {
	case sdk.Match(req, "self"):
		return sdk.Reply(sdk.Self(), s)
	case sdk.Match(req, "send", &dest, &msg):
		if err := sdk.Send(dest, msg); err != nil {
			return sdk.Reply(failed(err), s)
		}
		return sdk.Reply(etf.Atom("ok"), s)
	case sdk.Match(req, "call", &dest, &msg, &ms):
		reply, err := sdk.Call(dest, msg, time.Duration(ms)*time.Millisecond)
		if err != nil {
			return sdk.Reply(failed(err), s)
		}
		return sdk.Reply(etf.Tuple{etf.Atom("ok"), reply}, s)
	case sdk.Match(req, "defer", &msg):
		if err := sdk.ReplyTo(from, msg); err != nil {
			return sdk.Reply(failed(err), s)
		}
		return sdk.NoReply(s)
	case sdk.Match(req, "send_after", &dest, &msg, &ms):
		ref, err := sdk.SendAfter(dest, msg, time.Duration(ms)*time.Millisecond)
		if err != nil {
			return sdk.Reply(failed(err), s)
		}
		return sdk.Reply(ref, s)
	case sdk.Match(req, "cancel", &ref):
		left, ok := sdk.CancelTimer(ref)
		if !ok {
			return sdk.Reply(etf.False, s)
		}
		return sdk.Reply(etf.Int(left.Milliseconds()), s)
	case sdk.Match(req, "time"):
		return sdk.Reply(etf.Tuple{etf.Int(sdk.MonotonicTime()), etf.Int(sdk.SystemTime().UnixNano()), etf.Int(time.Now().UnixNano())}, s)
	case sdk.Match(req, "random", &n):
		b := make([]byte, n)
		sdk.RandomBytes(b)
		return sdk.Reply(etf.Binary(b), s)
	case sdk.Match(req, "log", &msg):
		sdk.Log(sdk.LevelWarning, string(msg.(etf.Binary)))
		return sdk.Reply(etf.Atom("ok"), s)
	case sdk.Match(req, "sleep", &ms):
		start := time.Now()
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return sdk.Reply(etf.Int(time.Since(start).Milliseconds()), s)
	case sdk.Match(req, "env", &msg):
		return sdk.Reply(os.Getenv(string(msg.(etf.Binary))), s)
	case sdk.Match(req, "read", &msg):
		b, err := os.ReadFile(string(msg.(etf.Binary)))
		if err != nil {
			return sdk.Reply(failed(err), s)
		}
		return sdk.Reply(etf.Binary(b), s)
	case sdk.Match(req, "continue", &msg):
		return sdk.Reply(etf.Atom("ok"), s).Continue(msg)
	}
	return sdk.Reply(req, s)
}

func (server) HandleContinue(cont etf.Term, s etf.Term) sdk.Result[etf.Term] {
	return sdk.NoReply(cont)
}

func init() { sdk.Serve[etf.Term](server{}) }

func main() {}
