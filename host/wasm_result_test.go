package host

import (
	"testing"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
)

func TestWasmResult(t *testing.T) {
	state, reply := raw(t, etf.Int(7)), raw(t, etf.Binary("hi"))
	cont := etf.Tuple{etf.Atom("next"), etf.Int(1)}
	tests := []struct {
		name string
		in   abi.Result
		want Result
	}{
		{"ok", abi.Result{Tag: abi.TagOK, State: state}, Ok(state)},
		{"ignore", abi.Result{Tag: abi.TagIgnore}, Ignore()},
		{"reply", abi.Result{Tag: abi.TagReply, Reply: reply, State: state}, Reply(reply, state)},
		{"noreply", abi.Result{Tag: abi.TagNoReply, State: state}, NoReply(state)},
		{"init stop", abi.Result{Tag: abi.TagStop, Reason: raw(t, etf.Atom("normal"))}, Stop(Normal, nil)},
		{"stop", abi.Result{Tag: abi.TagStop, Reason: raw(t, etf.Binary("bye")), State: state}, Stop(etf.Binary("bye"), state)},
		{"stop with reply", abi.Result{Tag: abi.TagStop, Reason: raw(t, Shutdown), Reply: reply, State: state}, StopReply(Shutdown, reply, state)},
		{"timeout", abi.Result{Tag: abi.TagNoReply, State: state, Action: raw(t, etf.Int(250))}, NoReply(state).WithTimeout(250 * time.Millisecond)},
		{"timeout 0", abi.Result{Tag: abi.TagReply, Reply: reply, State: state, Action: raw(t, etf.Int(0))}, Reply(reply, state).WithTimeout(0)},
		{"largest timeout", abi.Result{Tag: abi.TagOK, State: state, Action: raw(t, etf.Int(maxTimeout))}, Ok(state).WithTimeout(maxTimeout * time.Millisecond)},
		{"infinity", abi.Result{Tag: abi.TagNoReply, State: state, Action: raw(t, etf.Atom("infinity"))}, NoReply(state)},
		{"hibernate", abi.Result{Tag: abi.TagNoReply, State: state, Action: raw(t, etf.Atom("hibernate"))}, NoReply(state).Hibernate()},
		{"continue", abi.Result{Tag: abi.TagOK, State: state, Action: raw(t, etf.Tuple{etf.Atom("continue"), cont})}, Ok(state).Continue(cont)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := wasmResult(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			// Term holds the action too: the timeout, hibernate or the
			// continue.
			if !etf.Equal(got.Term(), tt.want.Term()) || got.Action.Kind != tt.want.Action.Kind {
				t.Errorf("got %v %+v\nwant %v %+v", got.Term(), got.Action, tt.want.Term(), tt.want.Action)
			}
			// Parts that are absent stay nil terms, which the runtime
			// tests for.
			if (got.Reply == nil) != (tt.want.Reply == nil) || (got.State == nil) != (tt.want.State == nil) {
				t.Errorf("reply %v state %v, want %v %v", got.Reply, got.State, tt.want.Reply, tt.want.State)
			}
		})
	}
}

func TestWasmResultErrors(t *testing.T) {
	state := raw(t, etf.Int(7))
	tests := []struct {
		name string
		in   abi.Result
		want etf.Term // the exit reason
	}{
		{"negative timeout", abi.Result{Tag: abi.TagNoReply, State: state, Action: raw(t, etf.Int(-1))},
			etf.Tuple{etf.Atom("bad_return_value"), etf.Tuple{etf.Atom("noreply"), etf.Int(7), etf.Int(-1)}}},
		{"timeout past 2^32-1 ms", abi.Result{Tag: abi.TagOK, State: state, Action: raw(t, etf.Int(maxTimeout+1))},
			etf.Tuple{etf.Atom("bad_return_value"), etf.Tuple{etf.Atom("ok"), etf.Int(7), etf.Int(maxTimeout + 1)}}},
		{"other atom", abi.Result{Tag: abi.TagNoReply, State: state, Action: raw(t, etf.Atom("later"))},
			etf.Tuple{etf.Atom("bad_return_value"), etf.Tuple{etf.Atom("noreply"), etf.Int(7), etf.Atom("later")}}},
		{"continue without a value", abi.Result{Tag: abi.TagNoReply, State: state, Action: raw(t, etf.Tuple{etf.Atom("continue")})},
			etf.Tuple{etf.Atom("bad_return_value"), etf.Tuple{etf.Atom("noreply"), etf.Int(7), etf.Tuple{etf.Atom("continue")}}}},
		{"error outside code_change", abi.Result{Tag: abi.TagError, Reason: raw(t, etf.Atom("no"))},
			etf.Tuple{etf.Atom("bad_return_value"), etf.Tuple{etf.Atom("error"), etf.Atom("no")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := wasmResult(tt.in)
			if err == nil {
				t.Fatal("no error")
			}
			if got := ExitReason(err); !etf.Equal(got, tt.want) {
				t.Errorf("reason %v, want %v", got, tt.want)
			}
		})
	}
}
