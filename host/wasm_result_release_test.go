package host

import (
	"bytes"
	"testing"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
)

// TestWasmResultOutlivesRelease checks that what a server keeps of a Wasm
// result whose large reply gives its memory back once written shares none
// of that memory: the state, new or unchanged, and a continue's term are
// whole after the release writes over the result's buffer, as the next
// user of the buffer would.
func TestWasmResultOutlivesRelease(t *testing.T) {
	big := etf.Binary(bytes.Repeat([]byte{3}, 100_000))
	oldState := raw(t, etf.Tuple{etf.Atom("old"), etf.Binary(bytes.Repeat([]byte{1}, 1000))})
	newState := etf.Tuple{etf.Atom("new"), etf.Binary(bytes.Repeat([]byte{2}, 1000))}
	cont := etf.Tuple{etf.Atom("next"), big}
	tests := []struct {
		name      string
		state     etf.Term // the result's state
		action    etf.Term // the result's action, nil for none
		wantState etf.Term
		wantCont  etf.Term // the continue's term, nil for none
	}{
		{name: "new state", state: newState, wantState: newState},
		{name: "state unchanged", state: oldState, wantState: oldState},
		{name: "new state and a continue", state: newState, action: etf.Tuple{etf.Atom("continue"), cont}, wantState: newState, wantCont: cont},
		{name: "state unchanged and a timeout", state: oldState, action: etf.Int(10), wantState: oldState},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The result's parts lie in one buffer, as abi copies them out
			// of guest memory.
			parts := []etf.Term{big, tt.state}
			if tt.action != nil {
				parts = append(parts, tt.action)
			}
			var buf []byte
			var ends []int
			for _, p := range parts {
				buf = append(buf, raw(t, p)...)
				ends = append(ends, len(buf))
			}
			in := abi.Result{Tag: abi.TagReply, Reply: etf.Raw(buf[:ends[0]]), State: etf.Raw(buf[ends[0]:ends[1]])}
			if tt.action != nil {
				in.Action = etf.Raw(buf[ends[1]:ends[2]])
			}
			in.Release = func() {
				for i := range buf {
					buf[i] = 0xdb
				}
			}
			res, err := wasmResult(in, oldState)
			if err != nil {
				t.Fatal(err)
			}
			if res.release == nil {
				t.Fatal("a large reply's memory is not given back with it")
			}
			res.release()
			if got := mustDecode(t, res.State); !etf.Equal(got, decoded(tt.wantState)) {
				t.Errorf("the state kept is %.40v after the release, want %.40v", got, tt.wantState)
			}
			if got := res.Action.Continue; tt.wantCont != nil && !etf.Equal(got, tt.wantCont) {
				t.Errorf("the continue is %.40v after the release, want %.40v", got, tt.wantCont)
			}
		})
	}
}
