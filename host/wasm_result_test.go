package host

import (
	"strings"
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
			got, err := wasmResult(tt.in, nil)
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

// TestWasmResultStateAlone checks that the state of a result with a long
// reply no longer holds the reply's bytes: an idle server keeps its state.
func TestWasmResultStateAlone(t *testing.T) {
	for _, tt := range []struct {
		name   string
		reply  int // bytes
		shared bool
	}{
		{"short reply", maxSharedReply - 8, true},
		{"long reply", 4096, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := raw(t, etf.Tuple{etf.Atom("reply"), etf.Binary(make([]byte, tt.reply)), etf.Int(7)})
			var parts [2]etf.Raw // the reply and the state, aliasing res as abi's do
			n, err := etf.SkipTerm(res[2+7:])
			if err != nil {
				t.Fatal(err)
			}
			parts[0], parts[1] = res[2+7:2+7+n], res[2+7+n:]
			got, err := wasmResult(abi.Result{Tag: abi.TagReply, Reply: parts[0], State: parts[1]}, nil)
			if err != nil {
				t.Fatal(err)
			}
			state := got.State.(etf.Raw)
			if shared := &state[0] == &parts[1][0]; shared != tt.shared {
				t.Errorf("state shares the result's buffer: %v, want %v", shared, tt.shared)
			}
			if !etf.Equal(state, etf.Int(7)) {
				t.Errorf("state %v", state)
			}
		})
	}
}

// TestWasmResultKeepsState checks that a result whose state is the one
// the callback was given leaves the server with its old state, the same
// bytes, and any other with the result's.
func TestWasmResultKeepsState(t *testing.T) {
	old := raw(t, etf.Tuple{etf.Atom("s"), etf.Int(7)})
	res := raw(t, etf.Tuple{etf.Atom("reply"), etf.Binary(make([]byte, 4096)), etf.Tuple{etf.Atom("s"), etf.Int(7)}})
	reply, state := res[2+7:len(res)-len(old)], res[len(res)-len(old):]
	tests := []struct {
		name string
		r    abi.Result
		old  etf.Term
		kept bool
	}{
		{"noreply, unchanged", abi.Result{Tag: abi.TagNoReply, State: state}, old, true},
		{"long reply, unchanged", abi.Result{Tag: abi.TagReply, Reply: reply, State: state}, old, true},
		{"ok, unchanged", abi.Result{Tag: abi.TagOK, State: state}, old, true},
		{"changed", abi.Result{Tag: abi.TagNoReply, State: raw(t, etf.Tuple{etf.Atom("s"), etf.Int(8)})}, old, false},
		{"old state decoded", abi.Result{Tag: abi.TagNoReply, State: state}, etf.Tuple{etf.Atom("s"), etf.Int(7)}, false},
		{"init", abi.Result{Tag: abi.TagOK, State: state}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := wasmResult(tt.r, tt.old)
			if err != nil {
				t.Fatal(err)
			}
			s := got.State.(etf.Raw)
			if kept := &s[0] == &old[0]; kept != tt.kept {
				t.Errorf("old state kept: %v, want %v", kept, tt.kept)
			}
			if !etf.Equal(s, tt.r.State) {
				t.Errorf("state %v, want %v", s, tt.r.State)
			}
			if &s[0] == &tt.r.State[0] && len(tt.r.Reply) > maxSharedReply {
				t.Error("the state shares the buffer of a long reply")
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
			_, err := wasmResult(tt.in, nil)
			if err == nil {
				t.Fatal("no error")
			}
			if got := ExitReason(err); !etf.Equal(got, tt.want) {
				t.Errorf("reason %v, want %v", got, tt.want)
			}
		})
	}
}

func TestWasmFrom(t *testing.T) {
	long := etf.Atom(strings.Repeat("ü", 200) + "@h") // 402 bytes
	pid := etf.Pid{Node: "a@127.0.0.1", ID: 90, Serial: 1, Creation: 0xfedcba98}
	ref := etf.Ref{Node: "a@127.0.0.1", Creation: 3, Len: 3, ID: [5]uint32{1, 2, 0xffffffff}}
	tests := []struct {
		name string
		from From
	}{
		{"alias", From{pid: pid, alias: ref}},
		{"alias of 5 words", From{pid: pid, alias: etf.Ref{Node: "b@h", Creation: 9, Len: 5, ID: [5]uint32{1, 2, 3, 4, 5}}}},
		{"long node names", From{pid: etf.Pid{Node: long, ID: 1}, alias: etf.Ref{Node: long, Len: 1}}},
		{"plain ref tag", From{pid: pid, tag: ref}},
		{"other tag", From{pid: pid, tag: etf.Tuple{etf.Atom("t"), etf.Int(1)}}},
	}
	p := &Process{} // one server, called from one From after the other
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := etf.AppendTerm(nil, tt.from.Term())
			if err != nil {
				t.Fatal(err)
			}
			got := p.wasmFrom(tt.from)
			if raw, ok := got.(etf.Raw); ok && string(raw) != string(want) {
				t.Errorf("got  %x\nwant %x", []byte(raw), want)
			}
			if !etf.Equal(got, tt.from.Term()) {
				t.Errorf("%v is not %v", got, tt.from.Term())
			}
		})
	}
	// Another caller's From of the same length is written over the last.
	other := From{pid: etf.Pid{Node: pid.Node, ID: 91}, alias: etf.Ref{Node: ref.Node, Creation: 3, Len: 3, ID: [5]uint32{4, 5, 6}}}
	first := p.wasmFrom(tests[0].from)
	if got := p.wasmFrom(other); !etf.Equal(got, other.Term()) || !etf.Equal(first, other.Term()) {
		t.Errorf("the From of another caller: %v, want %v in the same buffer", got, other.Term())
	}
	if allocs := testing.AllocsPerRun(100, func() { p.wasmFrom(tests[0].from) }); allocs != 0 {
		t.Errorf("%v allocations for a From of the last one's length, want 0", allocs)
	}
}
