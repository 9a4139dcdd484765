package abi

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

// step is one callback of a guest test: what to run and what must come
// back. The state threads from step to step.
type step struct {
	name string
	run  func(m Module, p Process, state etf.Raw) (Result, error)
	want Result // compared with equalResult; Tag "" skips the check
	kind FaultKind
}

func call(req etf.Term) func(Module, Process, etf.Raw) (Result, error) {
	from := etf.Tuple{etf.Pid{Node: "elixir@127.0.0.1", ID: 90, Creation: 3}, etf.Ref{Node: "elixir@127.0.0.1", Creation: 3, Len: 3, ID: [5]uint32{1, 2, 3}}}
	return func(m Module, p Process, state etf.Raw) (Result, error) {
		return m.HandleCall(context.Background(), p, req, from, state)
	}
}

func cast(msg etf.Term) func(Module, Process, etf.Raw) (Result, error) {
	return func(m Module, p Process, state etf.Raw) (Result, error) {
		return m.HandleCast(context.Background(), p, msg, state)
	}
}

func initWith(args etf.Term) func(Module, Process, etf.Raw) (Result, error) {
	return func(m Module, p Process, _ etf.Raw) (Result, error) {
		return m.Init(context.Background(), p, args)
	}
}

func runSteps(t *testing.T, m Module, p Process, steps []step) {
	t.Helper()
	var state etf.Raw
	for _, s := range steps {
		res, err := s.run(m, p, state)
		if s.kind != 0 {
			f := asFault(t, err, s.kind)
			t.Logf("%s: %v", s.name, f.ExitReason())
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if s.want.Tag != "" && !equalResult(res, s.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", s.name, res, s.want)
		}
		if res.State != nil {
			state = res.State
		}
	}
}

func TestGuestExample(t *testing.T) {
	m := loadGo(t, "../guests/example", ModuleConfig{})
	s := encode(t, etf.List{})
	runSteps(t, m, newFakeProcess(), []step{
		{name: "init", run: initWith(etf.List{}), want: Result{Tag: TagOK, State: s}},
		{name: "call atom", run: call(etf.Atom("hi")), want: Result{Tag: TagReply, Reply: encode(t, etf.Binary("hello")), State: s}},
		{name: "call other", run: call(etf.Tuple{etf.Int(1), etf.Binary("x")}), want: Result{Tag: TagReply, Reply: encode(t, etf.Tuple{etf.Int(1), etf.Binary("x")}), State: s}},
		{name: "cast other", run: cast(etf.Atom("poke")), want: Result{Tag: TagNoReply, State: s}},
		{name: "cast stop", run: cast(etf.Atom("stop")), want: Result{Tag: TagStop, Reason: encode(t, etf.Binary("stop they said")), State: s}},
	})
}

// TestGuestEcho runs guests/echo on one instance, so that its requests,
// of sizes that come and go, follow each other in one argument buffer:
// each reply is its own request, whether the guest writes it around the
// request (the SDK's reply in place) and the host finds it by comparing
// bytes (a map), and whether a request as long as the one before but
// other bytes reuses its box.
func TestGuestEcho(t *testing.T) {
	m := loadGo(t, "../guests/echo", ModuleConfig{MaxInstances: 1})
	p := newFakeProcess()
	bin := func(n int, b byte) etf.Binary { return bytes.Repeat([]byte{b}, n) }
	requests := []etf.Term{
		etf.Atom("hello"),
		etf.Int(-7),
		etf.Binary("bytes"),
		etf.List{etf.Int(1), etf.Atom("two"), etf.Tuple{}},
		etf.Tuple{etf.Atom("nested"), etf.Tuple{etf.Pid{Node: "n@h", ID: 1, Creation: 2}}},
		bin(1000, 1),
		bin(1000, 2),
		bin(100_000, 3),
		benchMap(1000),
		etf.Atom("small again"),
		bin(100_000, 4),
		bin(300, 5),
	}
	steps := []step{{name: "init", run: initWith(etf.Atom("s")), want: Result{Tag: TagOK, State: encode(t, etf.Atom("s"))}}}
	for _, req := range requests {
		steps = append(steps, step{name: "call", run: call(req), want: Result{Tag: TagReply, Reply: encode(t, req), State: encode(t, etf.Atom("s"))}})
	}
	to := etf.Pid{Node: "elixir@127.0.0.1", ID: 77, Creation: 3}
	steps = append(steps, step{name: "cast send", run: cast(etf.Tuple{etf.Atom("send"), to, etf.Binary("hi")}), want: Result{Tag: TagNoReply, State: encode(t, etf.Atom("s"))}})
	runSteps(t, m, p, steps)
	if len(p.sent) != 1 || p.sent[0].to != to || !etf.Equal(p.sent[0].msg, etf.Binary("hi")) {
		t.Errorf("sent %v, want hi to %v", p.sent, to)
	}
}

func TestGuestCounter(t *testing.T) {
	m := loadGo(t, "../guests/counter", ModuleConfig{})
	n := func(i int64) etf.Raw { return encode(t, etf.Int(i)) }
	runSteps(t, m, newFakeProcess(), []step{
		{name: "init not an integer", run: initWith(etf.Atom("x")), want: Result{Tag: TagOK, State: n(0)}},
		{name: "init 5", run: initWith(etf.Int(5)), want: Result{Tag: TagOK, State: n(5)}},
		{name: "get", run: call(etf.Atom("get")), want: Result{Tag: TagReply, Reply: n(5), State: n(5)}},
		{name: "inc", run: call(etf.Atom("inc")), want: Result{Tag: TagReply, Reply: n(6), State: n(6)}},
		{name: "add", run: call(etf.Tuple{etf.Atom("add"), etf.Int(10)}), want: Result{Tag: TagReply, Reply: n(16), State: n(16)}},
		{name: "cast inc", run: cast(etf.Atom("inc")), want: Result{Tag: TagNoReply, State: n(17)}},
		{name: "get after cast", run: call(etf.Atom("get")), want: Result{Tag: TagReply, Reply: n(17), State: n(17)}},
	})
}

func TestGuestCounterV2(t *testing.T) {
	m := loadGo(t, "../guests/counter_v2", ModuleConfig{})
	n := func(i int64) etf.Raw { return encode(t, etf.Int(i)) }
	runSteps(t, m, newFakeProcess(), []step{
		{name: "code_change keeps N", run: func(m Module, p Process, _ etf.Raw) (Result, error) {
			return m.CodeChange(context.Background(), p, etf.Binary("v1 vsn"), n(41), etf.List{})
		}, want: Result{Tag: TagOK, State: n(41)}},
		{name: "get", run: call(etf.Atom("get")), want: Result{Tag: TagReply, Reply: encode(t, etf.Tuple{etf.Atom("v2"), etf.Int(41)}), State: n(41)}},
		{name: "inc", run: call(etf.Atom("inc")), want: Result{Tag: TagReply, Reply: n(42), State: n(42)}},
	})
}

func TestGuestCrasher(t *testing.T) {
	m := loadGo(t, "../guests/crasher", ModuleConfig{Deadline: time.Second, MemoryPages: 256})
	p := newFakeProcess()
	ok := encode(t, etf.Atom("ok"))
	runSteps(t, m, p, []step{
		{name: "init", run: initWith(etf.List{}), want: Result{Tag: TagOK, State: ok}},
		{name: "ping", run: call(etf.Atom("ping")), want: Result{Tag: TagReply, Reply: encode(t, etf.Atom("pong")), State: ok}},
		{name: "self", run: call(etf.Atom("self")), want: Result{Tag: TagReply, Reply: encode(t, p.pid), State: ok}},
	})
	// The allocation runs under a deadline it cannot reach first, however
	// loaded the machine: its fault must be the memory limit's.
	unhurried := loadGo(t, "../guests/crasher", ModuleConfig{Deadline: time.Hour, MemoryPages: 256})
	tests := []struct {
		req    etf.Atom
		m      Module
		reason etf.Term
	}{
		{"crash", m, etf.Tuple{etf.Atom("wasm_trap"), etf.Binary("crasher: crash requested")}},
		{"loop", m, etf.Tuple{etf.Atom("wasm_deadline"), etf.Int(1000)}},
		{"alloc", unhurried, etf.Tuple{etf.Atom("wasm_memory_limit"), etf.Int(256)}},
	}
	for _, tt := range tests {
		t.Run(string(tt.req), func(t *testing.T) {
			m := tt.m
			_, err := call(tt.req)(m, p, ok)
			f, isFault := err.(*Fault)
			if !isFault || !etf.Equal(f.ExitReason(), tt.reason) {
				t.Fatalf("err = %v, want exit reason %v", err, tt.reason)
			}
			// The module serves on.
			res, err := call(etf.Atom("ping"))(m, p, ok)
			if err != nil || string(res.Reply) != string(encode(t, etf.Atom("pong"))) {
				t.Errorf("ping after %s: %+v, %v", tt.req, res, err)
			}
		})
	}
}
