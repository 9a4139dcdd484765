package abi

import (
	"bytes"
	"context"
	"encoding/binary"
	"testing"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/abiname"
)

func TestInitMinimalGuest(t *testing.T) {
	m := load(t, okGuest(etf.Atom("ready")).bytes(), ModuleConfig{})
	res, err := m.Init(context.Background(), newFakeProcess(), etf.List{})
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Tag: TagOK, State: encode(t, etf.Atom("ready"))}
	if !equalResult(res, want) {
		t.Errorf("Init = %+v, want %+v", res, want)
	}
	if got := m.Stats(); got != (PoolStats{Idle: 1}) {
		t.Errorf("Stats = %+v, want one idle instance", got)
	}
}

func TestResultShapes(t *testing.T) {
	state, reply, reason := etf.Atom("s"), etf.Binary("r"), etf.Atom("why")
	tests := []struct {
		name   string
		cb     Callback
		result etf.Term
		want   Result
	}{
		{"init ok", Init, etf.Tuple{etf.Atom("ok"), state}, Result{Tag: TagOK, State: encode(t, state)}},
		{"init ok continue", Init, etf.Tuple{etf.Atom("ok"), state, etf.Tuple{etf.Atom("continue"), reply}},
			Result{Tag: TagOK, State: encode(t, state), Action: encode(t, etf.Tuple{etf.Atom("continue"), reply})}},
		{"init stop", Init, etf.Tuple{etf.Atom("stop"), reason}, Result{Tag: TagStop, Reason: encode(t, reason)}},
		{"init ignore", Init, etf.Atom("ignore"), Result{Tag: TagIgnore}},
		{"call reply", HandleCall, etf.Tuple{etf.Atom("reply"), reply, state}, Result{Tag: TagReply, Reply: encode(t, reply), State: encode(t, state)}},
		{"call reply timeout", HandleCall, etf.Tuple{etf.Atom("reply"), reply, state, etf.Int(100)},
			Result{Tag: TagReply, Reply: encode(t, reply), State: encode(t, state), Action: encode(t, etf.Int(100))}},
		{"call noreply", HandleCall, etf.Tuple{etf.Atom("noreply"), state}, Result{Tag: TagNoReply, State: encode(t, state)}},
		{"call stop reply", HandleCall, etf.Tuple{etf.Atom("stop"), reason, reply, state},
			Result{Tag: TagStop, Reason: encode(t, reason), Reply: encode(t, reply), State: encode(t, state)}},
		{"call stop", HandleCall, etf.Tuple{etf.Atom("stop"), reason, state}, Result{Tag: TagStop, Reason: encode(t, reason), State: encode(t, state)}},
		{"cast noreply hibernate", HandleCast, etf.Tuple{etf.Atom("noreply"), state, etf.Atom("hibernate")},
			Result{Tag: TagNoReply, State: encode(t, state), Action: encode(t, etf.Atom("hibernate"))}},
		{"info stop", HandleInfo, etf.Tuple{etf.Atom("stop"), reason, state}, Result{Tag: TagStop, Reason: encode(t, reason), State: encode(t, state)}},
		{"continue noreply", HandleContinue, etf.Tuple{etf.Atom("noreply"), state}, Result{Tag: TagNoReply, State: encode(t, state)}},
		{"code_change ok", CodeChange, etf.Tuple{etf.Atom("ok"), state}, Result{Tag: TagOK, State: encode(t, state)}},
		{"code_change error", CodeChange, etf.Tuple{etf.Atom("error"), reason}, Result{Tag: TagError, Reason: encode(t, reason)}},
		{"terminate anything", Terminate, etf.List{etf.Int(1)}, Result{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := etf.Encode(tt.result)
			got, err := parseResult(tt.cb, b, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !equalResult(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestResultShapesRejected(t *testing.T) {
	tests := []struct {
		name   string
		cb     Callback
		result etf.Term
	}{
		{"reply from cast", HandleCast, etf.Tuple{etf.Atom("reply"), etf.Int(1), etf.Int(2)}},
		{"ok from call", HandleCall, etf.Tuple{etf.Atom("ok"), etf.Int(1)}},
		{"ignore from call", HandleCall, etf.Atom("ignore")},
		{"init ok too long", Init, etf.Tuple{etf.Atom("ok"), etf.Int(1), etf.Int(2), etf.Int(3)}},
		{"tag not an atom", Init, etf.Tuple{etf.Binary("ok"), etf.Int(1)}},
		{"a list", Init, etf.List{etf.Atom("ok"), etf.Int(1)}},
		{"an empty tuple", Init, etf.Tuple{}},
		{"error from init", Init, etf.Tuple{etf.Atom("error"), etf.Int(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := etf.Encode(tt.result)
			_, err := parseResult(tt.cb, b, nil)
			f := asFault(t, err, BadReturn)
			if want := (etf.Tuple{etf.Atom("bad_return_value"), tt.result}); !etf.Equal(f.ExitReason(), want) {
				t.Errorf("reason = %v, want %v", f.ExitReason(), want)
			}
		})
	}
}

// TestResultRepeatsArguments checks results whose elements repeat the
// callback's arguments, which splitTuple finds by comparing bytes: they
// split as any other, an element that differs from an argument is read as
// any other, and bytes that only start like an argument are still checked.
func TestResultRepeatsArguments(t *testing.T) {
	var keys etf.Map
	for i := range 100 {
		keys = append(keys, etf.Pair{Key: etf.Int(i), Value: etf.Atom("v")})
	}
	req, state := encode(t, etf.List{etf.Binary(bytes.Repeat([]byte{7}, 100))}), encode(t, keys)
	changed := encode(t, append(keys[:99:99], etf.Pair{Key: etf.Int(99), Value: etf.Atom("w")}))
	if len(changed) != len(state) {
		t.Fatal("the changed state must be as long as the state")
	}
	args := []etf.Term{req, encode(t, etf.Atom("from")), state}
	head := func(arity byte, tag string) []byte {
		return append([]byte{131, 104, arity, 119, byte(len(tag))}, tag...)
	}
	tests := []struct {
		name   string
		result []byte
		want   Result
		fault  FaultKind // when the result is not allowed
	}{
		{"state unchanged", cat(head(2, "noreply"), state), Result{Tag: TagNoReply, State: state}, 0},
		{"request echoed", cat(head(3, "reply"), req, state), Result{Tag: TagReply, Reply: req, State: state}, 0},
		{"state changed at its end", cat(head(2, "noreply"), changed), Result{Tag: TagNoReply, State: changed}, 0},
		{"bytes after a repeated state", cat(head(2, "noreply"), state, []byte{106}), Result{}, BadResult},
		{"a repeated state cut short", cat(head(2, "noreply"), state[:len(state)-1]), Result{}, BadResult},
		{"a state that starts like the request", cat(head(2, "noreply"), req[:len(req)-2]), Result{}, BadResult},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseResult(HandleCall, tt.result, args)
			if tt.fault != 0 {
				asFault(t, err, tt.fault)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !equalResult(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestMissingCallbacksDefaults(t *testing.T) {
	m := load(t, okGuest(etf.Int(0)).bytes(), ModuleConfig{})
	ctx, p := context.Background(), newFakeProcess()
	state := encode(t, etf.Int(5))
	msg := etf.Tuple{etf.Atom("hello"), etf.Int(1)}
	tests := []struct {
		name string
		run  func() (Result, error)
		want Result
	}{
		{"handle_call", func() (Result, error) { return m.HandleCall(ctx, p, msg, etf.Atom("from"), state) },
			Result{Tag: TagStop, Reason: encode(t, etf.Tuple{etf.Atom("bad_call"), msg}), State: state}},
		{"handle_cast", func() (Result, error) { return m.HandleCast(ctx, p, msg, state) },
			Result{Tag: TagStop, Reason: encode(t, etf.Tuple{etf.Atom("bad_cast"), msg}), State: state}},
		{"handle_info", func() (Result, error) { return m.HandleInfo(ctx, p, msg, state) },
			Result{Tag: TagNoReply, State: state}},
		{"handle_continue", func() (Result, error) { return m.HandleContinue(ctx, p, msg, state) },
			Result{Tag: TagStop, Reason: encode(t, etf.Tuple{etf.Atom("bad_continue"), msg}), State: state}},
		{"code_change", func() (Result, error) { return m.CodeChange(ctx, p, etf.Binary("old"), etf.Int(5), etf.List{}) },
			Result{Tag: TagOK, State: state}},
		{"terminate", func() (Result, error) { return Result{}, m.Terminate(ctx, p, etf.Atom("normal"), state) }, Result{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.run()
			if err != nil {
				t.Fatal(err)
			}
			if !equalResult(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	for cb := range numCallbacks {
		if want := cb == Init; m.Exports(cb) != want {
			t.Errorf("Exports(%s) = %v, want %v", cb, !want, want)
		}
	}
}

// TestArgumentsReachGuest checks the argument tuple the guest receives, by
// a guest that returns its argument's bytes as the result of handle_cast,
// where it is a bad return, and what follows the argument in the guest's
// buffer: the ends of its elements for a guest of version 2, nothing for
// one of version 1.
func TestArgumentsReachGuest(t *testing.T) {
	msg, state := etf.Atom("msg"), etf.Tuple{etf.Atom("kept"), etf.Binary("encoded")}
	want := etf.Tuple{msg, state}
	arg, err := etf.Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		version int32
		after   []byte
	}{
		{"version 1", 1, make([]byte, 8)},
		{"version 2", 2, binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, uint32(3+len(encode(t, msg)))), uint32(len(arg)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := okGuest(etf.Int(0))
			g.version = tt.version
			// Return the argument itself: (ptr << 32) | len.
			echoArg := cat([]byte{opLocalGet, 0}, []byte{opI64ExtendU}, i64c(32), []byte{opI64Shl},
				[]byte{opLocalGet, 1}, []byte{opI64ExtendU}, []byte{opI64Or})
			g.callback(abiname.HandleCast, echoArg)
			m := load(t, g.bytes(), ModuleConfig{MaxInstances: 1})
			_, err := m.HandleCast(context.Background(), newFakeProcess(), msg, encode(t, state))
			f := asFault(t, err, BadReturn)
			if got := f.Detail; !etf.Equal(got, want) {
				t.Errorf("guest saw %v, want %v", got, want)
			}
			in, err := m.(*module).pool.get(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer m.(*module).pool.put(in)
			after, _ := in.mem.Read(in.bufPtr+uint32(len(arg)), uint32(len(tt.after)))
			if !bytes.Equal(after, tt.after) {
				t.Errorf("after the argument: % x, want % x", after, tt.after)
			}
		})
	}
}

func equalResult(a, b Result) bool {
	return a.Tag == b.Tag && string(a.Reply) == string(b.Reply) && string(a.State) == string(b.State) &&
		string(a.Reason) == string(b.Reason) && string(a.Action) == string(b.Action)
}

func asFault(t testing.TB, err error, kind FaultKind) *Fault {
	t.Helper()
	f, ok := err.(*Fault)
	if !ok || f.Kind != kind {
		t.Fatalf("err = %v (%T), want a %s fault", err, err, kind)
	}
	return f
}
