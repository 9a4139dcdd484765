package sdk

import (
	"time"

	"github.com/creo-dev/creo/etf"
)

// Result is what a callback returns, with the server's new state of type S.
// Build it with [Ok], [Reply], [NoReply], [Stop], [StopReply], [Ignore] or
// [Error], and add an action with [Result.Timeout], [Result.Hibernate] or
// [Result.Continue].
type Result[S any] struct {
	tag    etf.Atom
	state  S
	reply  any
	reason any
	action etf.Term
}

// Ok is {ok, State}, the result of init and code_change.
func Ok[S any](state S) Result[S] { return Result[S]{tag: "ok", state: state} }

// Ignore is ignore, the result of an init that starts no server.
func Ignore[S any]() Result[S] { return Result[S]{tag: "ignore"} }

// Reply is {reply, Reply, State}: handle_call answers reply now.
func Reply[S any](reply any, state S) Result[S] {
	return Result[S]{tag: "reply", reply: reply, state: state}
}

// NoReply is {noreply, State}. From handle_call it defers the reply; send
// it later with [ReplyTo].
func NoReply[S any](state S) Result[S] { return Result[S]{tag: "noreply", state: state} }

// Stop stops the server with reason. From init it is {stop, Reason} and
// state is not used.
func Stop[S any](reason any, state S) Result[S] {
	return Result[S]{tag: "stop", reason: reason, state: state}
}

// StopReply is handle_call's {stop, Reason, Reply, State}.
func StopReply[S any](reason, reply any, state S) Result[S] {
	return Result[S]{tag: "stop", reason: reason, reply: reply, state: state}
}

// Error is code_change's {error, Reason}: the server keeps its old code.
func Error[S any](reason any) Result[S] { return Result[S]{tag: "error", reason: reason} }

// Timeout adds a timeout: if no message comes within d, handle_info gets
// timeout.
func (r Result[S]) Timeout(d time.Duration) Result[S] {
	r.action = etf.Int(d.Milliseconds())
	return r
}

// Hibernate adds hibernate.
func (r Result[S]) Hibernate() Result[S] {
	r.action = etf.Atom("hibernate")
	return r
}

// Continue adds {continue, Cont}: handle_continue runs next with cont.
func (r Result[S]) Continue(cont any) Result[S] {
	c, err := etf.ToTerm(cont)
	if err != nil {
		panic(err)
	}
	r.action = etf.Tuple{etf.Atom("continue"), c}
	return r
}

// term builds the result term for callback cb.
func (r Result[S]) term(cb callback) (etf.Term, error) {
	out := etf.Tuple{r.tag}
	add := func(v any) error {
		t, err := etf.ToTerm(v)
		out = append(out, t)
		return err
	}
	var err error
	switch {
	case r.tag == "ignore":
		return r.tag, nil
	case r.tag == "error" || (r.tag == "stop" && cb == cbInit):
		err = add(r.reason)
	case r.tag == "stop" && r.reply != nil:
		err = joinErr(add(r.reason), add(r.reply), add(r.state))
	case r.tag == "stop":
		err = joinErr(add(r.reason), add(r.state))
	case r.tag == "reply":
		err = joinErr(add(r.reply), add(r.state))
	case r.tag == "":
		return nil, errNoResult
	default: // ok, noreply
		err = add(r.state)
	}
	if r.action != nil {
		out = append(out, r.action)
	}
	return out, err
}

func joinErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
