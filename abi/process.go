package abi

import (
	"context"
	"log/slog"
	"time"

	"github.com/creo-dev/creo/etf"
)

// Process is the server a callback runs for, as its guest's host functions
// reach it. The host implements it; abi never imports the host. A Process
// is used only by the goroutine that runs the callback, during the callback.
//
// Terms that come from the guest (messages, requests, replies) are
// etf.Raw: pass them on without decoding them. Errors should implement
// [Reasoner], so the guest sees the reason OTP would give.
type Process interface {
	// Self returns the server's pid.
	Self() etf.Pid
	// Send sends msg to dest: a Pid, a registered name (an Atom) or
	// {Name, Node}, as erlang:send/2 does.
	Send(dest, msg etf.Term) error
	// Call makes a gen_server call to dest and waits for the reply at most
	// timeout; a negative timeout waits without limit.
	Call(ctx context.Context, dest, req etf.Term, timeout time.Duration) (etf.Term, error)
	// Reply answers a call whose From (OTP's {Pid, Tag}) a handle_call got.
	Reply(from, reply etf.Term) error
	// SendAfter sends msg to dest after delay and returns the timer's
	// reference, as erlang:send_after/3 does.
	SendAfter(dest, msg etf.Term, delay time.Duration) (etf.Ref, error)
	// CancelTimer cancels a timer of SendAfter and returns the time that
	// was left, or false if the timer is not active.
	CancelTimer(ref etf.Ref) (time.Duration, bool)
	// Logger returns the logger of the server, with its attributes.
	Logger() *slog.Logger
}
