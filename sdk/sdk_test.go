package sdk

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

// counter is a test server with an int state.
type counter struct{}

func (counter) Init(args etf.Term) Result[int] {
	if n, ok := args.(etf.Int); ok {
		return Ok(int(n))
	}
	return Ignore[int]()
}

func (counter) HandleCall(req etf.Term, from From, n int) Result[int] {
	var k int
	switch {
	case Match(req, "get"):
		return Reply(n, n)
	case Match(req, "add", &k):
		return Reply(n+k, n+k).Timeout(time.Second)
	case Match(req, "who"):
		pid, _ := from.Pid()
		return Reply(pid, n)
	case Match(req, "later"):
		return NoReply(n).Hibernate()
	case Match(req, "quit"):
		return StopReply("normal", "bye", n)
	}
	return Stop(etf.Tuple{etf.Atom("bad"), req}, n)
}

func (counter) HandleCast(msg etf.Term, n int) Result[int] {
	return NoReply(n + 1).Continue("more")
}

func (counter) CodeChange(old etf.Term, n int, extra etf.Term) Result[int] {
	if extra == etf.Atom("refuse") {
		return Error[int]("no")
	}
	return Ok(n * 10)
}

// bare is a server with init only.
type bare struct{}

func (bare) Init(etf.Term) Result[etf.Term] { return Ok[etf.Term](etf.Atom("s")) }

var (
	caller = etf.Pid{Node: "elixir@127.0.0.1", ID: 90, Creation: 3}
	from   = etf.Tuple{caller, etf.Ref{Node: "elixir@127.0.0.1", Creation: 3, Len: 3, ID: [5]uint32{1, 2, 3}}}
)

// encodeArg encodes a callback's argument, the tuple of args, and the ends
// of its elements, as the host writes them.
func encodeArg(t testing.TB, args ...etf.Term) (arg, ends []byte) {
	t.Helper()
	arg = []byte{131, 104, byte(len(args))}
	for _, a := range args {
		var err error
		if arg, err = etf.AppendTerm(arg, a); err != nil {
			t.Fatal(err)
		}
		ends = binary.LittleEndian.AppendUint32(ends, uint32(len(arg)))
	}
	return arg, ends
}

// handleArg runs handle on an argument and its elements' ends laid out as
// export hands them to it: after argHeadroom bytes.
func handleArg(cb callback, arg, ends, out []byte) ([]byte, error) {
	return handle(cb, slices.Concat(make([]byte, argHeadroom), arg, ends), len(arg), out)
}

func runCallback(t *testing.T, srv *adapter, cb callback, args ...etf.Term) etf.Term {
	t.Helper()
	served = srv
	arg, ends := encodeArg(t, args...)
	out, err := handleArg(cb, arg, ends, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := etf.Decode(out)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestCallbacks(t *testing.T) {
	a := func(s string) etf.Atom { return etf.Atom(s) }
	tests := []struct {
		name string
		srv  *adapter
		cb   callback
		args []etf.Term
		want etf.Term
	}{
		{"init ok", newAdapter[int](counter{}), cbInit, []etf.Term{etf.Int(5)}, etf.Tuple{a("ok"), etf.Int(5)}},
		{"init ignore", newAdapter[int](counter{}), cbInit, []etf.Term{a("x")}, a("ignore")},
		{"reply", newAdapter[int](counter{}), cbHandleCall, []etf.Term{a("get"), from, etf.Int(5)}, etf.Tuple{a("reply"), etf.Int(5), etf.Int(5)}},
		{"reply with timeout", newAdapter[int](counter{}), cbHandleCall, []etf.Term{etf.Tuple{a("add"), etf.Int(2)}, from, etf.Int(5)},
			etf.Tuple{a("reply"), etf.Int(7), etf.Int(7), etf.Int(1000)}},
		{"from's pid", newAdapter[int](counter{}), cbHandleCall, []etf.Term{a("who"), from, etf.Int(5)}, etf.Tuple{a("reply"), caller, etf.Int(5)}},
		{"noreply hibernate", newAdapter[int](counter{}), cbHandleCall, []etf.Term{a("later"), from, etf.Int(5)}, etf.Tuple{a("noreply"), etf.Int(5), a("hibernate")}},
		{"stop with reply", newAdapter[int](counter{}), cbHandleCall, []etf.Term{a("quit"), from, etf.Int(5)},
			etf.Tuple{a("stop"), etf.Binary("normal"), etf.Binary("bye"), etf.Int(5)}},
		{"stop", newAdapter[int](counter{}), cbHandleCall, []etf.Term{a("odd"), from, etf.Int(5)},
			etf.Tuple{a("stop"), etf.Tuple{a("bad"), a("odd")}, etf.Int(5)}},
		{"cast continue", newAdapter[int](counter{}), cbHandleCast, []etf.Term{a("inc"), etf.Int(5)},
			etf.Tuple{a("noreply"), etf.Int(6), etf.Tuple{a("continue"), etf.Binary("more")}}},
		{"code_change", newAdapter[int](counter{}), cbCodeChange, []etf.Term{etf.Binary("v1"), etf.Int(5), etf.List{}}, etf.Tuple{a("ok"), etf.Int(50)}},
		{"code_change error", newAdapter[int](counter{}), cbCodeChange, []etf.Term{etf.Binary("v1"), etf.Int(5), a("refuse")}, etf.Tuple{a("error"), etf.Binary("no")}},
		{"default handle_call", newAdapter[etf.Term](bare{}), cbHandleCall, []etf.Term{a("hi"), from, a("s")}, etf.Tuple{a("stop"), etf.Tuple{a("bad_call"), a("hi")}, a("s")}},
		{"default handle_cast", newAdapter[etf.Term](bare{}), cbHandleCast, []etf.Term{a("hi"), a("s")}, etf.Tuple{a("stop"), etf.Tuple{a("bad_cast"), a("hi")}, a("s")}},
		{"default handle_info", newAdapter[etf.Term](bare{}), cbHandleInfo, []etf.Term{a("hi"), a("s")}, etf.Tuple{a("noreply"), a("s")}},
		{"default handle_continue", newAdapter[etf.Term](bare{}), cbHandleContinue, []etf.Term{a("hi"), a("s")}, etf.Tuple{a("stop"), etf.Tuple{a("bad_continue"), a("hi")}, a("s")}},
		{"default terminate", newAdapter[etf.Term](bare{}), cbTerminate, []etf.Term{a("normal"), a("s")}, a("ok")},
		{"default code_change", newAdapter[etf.Term](bare{}), cbCodeChange, []etf.Term{etf.Binary("v1"), a("s"), etf.List{}}, etf.Tuple{a("ok"), a("s")}},
		{"raw args: init", newAdapter[etf.Term](argKinds{}, RawArgs()), cbInit, []etf.Term{etf.Int(5)}, etf.Tuple{a("ok"), etf.Binary("etf.Raw")}},
		{"raw args: request", newAdapter[etf.Term](argKinds{}, RawArgs()), cbHandleCall, []etf.Term{etf.Tuple{a("add"), etf.Int(2)}, from, a("s")},
			etf.Tuple{a("reply"), etf.Tuple{etf.Binary("etf.Raw"), etf.Tuple{a("add"), etf.Int(2)}}, a("s")}},
		{"raw args: cast", newAdapter[etf.Term](argKinds{}, RawArgs()), cbHandleCast, []etf.Term{a("inc"), a("s")}, etf.Tuple{a("noreply"), etf.Binary("etf.Raw")}},
		{"raw args: code_change", newAdapter[etf.Term](argKinds{}, RawArgs()), cbCodeChange, []etf.Term{etf.Binary("v1"), a("s"), etf.List{}},
			etf.Tuple{a("ok"), etf.Tuple{etf.Binary("etf.Raw"), etf.Binary("etf.Raw")}}},
		{"decoded args: request", newAdapter[etf.Term](argKinds{}), cbHandleCall, []etf.Term{etf.Tuple{a("add"), etf.Int(2)}, from, a("s")},
			etf.Tuple{a("reply"), etf.Tuple{etf.Binary("etf.Tuple"), etf.Tuple{a("add"), etf.Int(2)}}, a("s")}},
		{"raw state and args: cast", newAdapter[etf.Raw](echoServer{}, RawArgs()), cbHandleCast, []etf.Term{etf.Tuple{a("set"), etf.Int(8)}, etf.Int(7)},
			etf.Tuple{a("noreply"), etf.Tuple{a("set"), etf.Int(8)}}},
		{"raw state and args: echo", newAdapter[etf.Raw](echoServer{}, RawArgs()), cbHandleCall, []etf.Term{etf.Map{{Key: a("k"), Value: etf.List{etf.Int(1)}}}, from, etf.Int(7)},
			etf.Tuple{a("reply"), etf.Map{{Key: a("k"), Value: etf.List{etf.Int(1)}}}, etf.Int(7)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runCallback(t, tt.srv, tt.cb, tt.args...); !etf.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// argKinds tells the Go type of its arguments: init's and casts' become
// the state, a request's is replied with the request.
type argKinds struct{}

func kind(t etf.Term) etf.Term { return etf.Binary(fmt.Sprintf("%T", t)) }

func (argKinds) Init(args etf.Term) Result[etf.Term] { return Ok(kind(args)) }

func (argKinds) HandleCall(req etf.Term, _ From, s etf.Term) Result[etf.Term] {
	return Reply(etf.Tuple{kind(req), req}, s)
}

func (argKinds) HandleCast(msg etf.Term, _ etf.Term) Result[etf.Term] { return NoReply(kind(msg)) }

func (argKinds) CodeChange(old etf.Term, _ etf.Term, extra etf.Term) Result[etf.Term] {
	return Ok[etf.Term](etf.Tuple{kind(old), kind(extra)})
}

func TestHandleErrors(t *testing.T) {
	served = newAdapter[int](counter{})
	cast, castEnds := encodeArg(t, etf.Atom("x"), etf.Int(1))
	le := func(ends ...uint32) []byte {
		var b []byte
		for _, e := range ends {
			b = binary.LittleEndian.AppendUint32(b, e)
		}
		return b
	}
	tests := []struct {
		name      string
		cb        callback
		arg, ends []byte
		want      string
	}{
		{"not a tuple", cbInit, []byte{131, 119, 1, 'x'}, le(4), "sdk: argument is not a tuple of 1"},
		{"wrong arity", cbHandleCall, cast, castEnds, "sdk: argument is not a tuple of 3"},
		{"ends missing", cbHandleCast, cast, castEnds[:4], "sdk: argument: 4 bytes of element ends, want 8"},
		{"empty element", cbHandleCast, cast, le(3, uint32(len(cast))), "sdk: argument: element 1 ends at 3, not within 4 to 8"},
		{"end past the argument", cbHandleCast, cast, le(6, 9), "sdk: argument: element 2 ends at 9, not within 7 to 8"},
		{"bytes after the last element", cbHandleCast, cast, le(6, 7), "sdk: argument: 1 bytes after its last element"},
		{"state does not fit", cbHandleCast, nil, nil, ""}, // the argument {x, s}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arg, ends := tt.arg, tt.ends
			if arg == nil {
				arg, ends = encodeArg(t, etf.Atom("x"), etf.Atom("s"))
			}
			_, err := handleArg(tt.cb, arg, ends, nil)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("err = %q, want %q", err, tt.want)
			}
		})
	}
	served = nil
	arg, ends := encodeArg(t, etf.Int(1))
	if _, err := handleArg(cbInit, arg, ends, nil); err != errNoServer {
		t.Errorf("no server: err = %v", err)
	}
}

func TestMatch(t *testing.T) {
	var k int
	var term etf.Term
	tests := []struct {
		name string
		t    etf.Term
		tag  etf.Atom
		args []any
		want bool
	}{
		{"atom", etf.Atom("get"), "get", nil, true},
		{"other atom", etf.Atom("put"), "get", nil, false},
		{"tuple", etf.Tuple{etf.Atom("add"), etf.Int(3)}, "add", []any{&k}, true},
		{"wrong element type", etf.Tuple{etf.Atom("add"), etf.Atom("x")}, "add", []any{&k}, false},
		{"wrong size", etf.Tuple{etf.Atom("add"), etf.Int(3), etf.Int(4)}, "add", []any{&k}, false},
		{"wrong tag", etf.Tuple{etf.Atom("sub"), etf.Int(3)}, "add", []any{&k}, false},
		{"any term", etf.Tuple{etf.Atom("put"), etf.List{etf.Int(1)}}, "put", []any{&term}, true},
		{"atom with args", etf.Atom("add"), "add", []any{&k}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Match(tt.t, tt.tag, tt.args...); got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
			// The same term encoded, as RawArgs passes it.
			raw, err := etf.AppendTerm(nil, tt.t)
			if err != nil {
				t.Fatal(err)
			}
			if got := Match(etf.Raw(raw), tt.tag, tt.args...); got != tt.want {
				t.Errorf("Match of the Raw = %v, want %v", got, tt.want)
			}
		})
	}
	for _, m := range []etf.Term{etf.Tuple{etf.Atom("add"), etf.Int(3)}, etf.Raw{104, 2, 119, 3, 'a', 'd', 'd', 97, 3}} {
		if k = 0; !Match(m, "add", &k) || k != 3 {
			t.Errorf("Match(%v): k = %d, want 3", m, k)
		}
	}
}

func TestTagged(t *testing.T) {
	a := func(s string) etf.Atom { return etf.Atom(s) }
	tests := []struct {
		name string
		t    etf.Term
		tag  etf.Atom
		n    int
		want []etf.Term
		ok   bool
	}{
		{name: "atom", t: a("get"), tag: "get", ok: true},
		{name: "tuple", t: etf.Tuple{a("send"), etf.Int(1), etf.List{}}, tag: "send", n: 2, want: []etf.Term{etf.Int(1), etf.List{}}, ok: true},
		{name: "other tag", t: etf.Tuple{a("recv"), etf.Int(1), etf.List{}}, tag: "send", n: 2},
		{name: "other size", t: etf.Tuple{a("send"), etf.Int(1)}, tag: "send", n: 2},
		{name: "atom wanted", t: etf.Tuple{a("get")}, tag: "get"},
		{name: "tuple wanted", t: a("send"), tag: "send", n: 1},
		{name: "tag not an atom", t: etf.Tuple{etf.Binary("send"), etf.Int(1)}, tag: "send", n: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := etf.AppendTerm(nil, tt.t)
			if err != nil {
				t.Fatal(err)
			}
			for _, term := range []etf.Term{tt.t, etf.Raw(raw)} {
				got, ok := Tagged(term, tt.tag, tt.n)
				if ok != tt.ok || !etf.Equal(etf.List(got), etf.List(tt.want)) {
					t.Errorf("Tagged(%#v) = %v, %v; want %v, %v", term, got, ok, tt.want, tt.ok)
				}
			}
		})
	}
}

// TestTaggedAllocs locks in that checking a message's tag allocates
// nothing when it does not match, decoded or raw.
func TestTaggedAllocs(t *testing.T) {
	msg := etf.Term(etf.Tuple{etf.Atom("note"), etf.Int(42)})
	raw, err := etf.AppendTerm(nil, msg)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []etf.Term{msg, etf.Raw(raw)} {
		if n := testing.AllocsPerRun(100, func() { Tagged(m, "send", 2) }); n != 0 {
			t.Errorf("Tagged(%#v) allocates %v times", m, n)
		}
	}
}

// TestMatchRawAtoms matches atoms in each of their encodings, Latin-1
// ones beyond ASCII included.
func TestMatchRawAtoms(t *testing.T) {
	tests := []struct {
		name string
		raw  etf.Raw
		tag  etf.Atom
		want bool
	}{
		{"small utf8", etf.Raw{119, 3, 'g', 'e', 't'}, "get", true},
		{"utf8", etf.Raw{118, 0, 3, 'g', 'e', 't'}, "get", true},
		{"small latin1", etf.Raw{115, 3, 'g', 'e', 't'}, "get", true},
		{"latin1", etf.Raw{100, 0, 3, 'g', 'e', 't'}, "get", true},
		{"latin1 beyond ascii", etf.Raw{115, 2, 'h', 0xe9}, "hé", true},
		{"utf8 beyond ascii", etf.Raw{119, 3, 'h', 0xc3, 0xa9}, "hé", true},
		{"latin1 other", etf.Raw{115, 2, 'h', 0xe8}, "hé", false},
		{"prefix", etf.Raw{119, 3, 'g', 'e', 't'}, "ge", false},
		{"more after the atom", etf.Raw{119, 3, 'g', 'e', 't', 106}, "get", false},
		{"not an atom", etf.Raw{97, 1}, "get", false},
		{"truncated", etf.Raw{119, 4, 'g', 'e', 't'}, "get", false},
		{"tuple tagged latin1", etf.Raw{104, 1, 115, 2, 'h', 0xe9}, "hé", false}, // no args: an atom is wanted
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Match(tt.raw, tt.tag); got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
	var x etf.Term
	if !Match(etf.Raw{104, 2, 115, 2, 'h', 0xe9, 97, 1}, "hé", &x) || x != etf.Int(1) {
		t.Errorf("tuple tagged with a Latin-1 atom: x = %v", x)
	}
}

func TestFromKeptInState(t *testing.T) {
	raw, _ := etf.AppendTerm(nil, from)
	f := From{raw: raw}
	kept, err := f.MarshalTerm()
	if err != nil {
		t.Fatal(err)
	}
	decoded, _ := etf.Decode(append([]byte{131}, kept.(etf.Raw)...))
	var back From
	if err := back.UnmarshalTerm(decoded); err != nil {
		t.Fatal(err)
	}
	for _, g := range []From{f, back} {
		if pid, ok := g.Pid(); !ok || pid != caller {
			t.Errorf("Pid() = %v, %v", pid, ok)
		}
		if !etf.Equal(g.Term(), from) {
			t.Errorf("Term() = %v", g.Term())
		}
	}
	var zero From
	if pid, ok := zero.Pid(); ok || zero.Term() != nil {
		t.Errorf("the zero From: Pid() = %v, %v; Term() = %#v, want none and nil", pid, ok, zero.Term())
	}
}

// BenchmarkHandle is a handle_call of an echo server, natively: the SDK's
// share of a Go guest's callback, before the wasm slowdown.
func BenchmarkHandle(b *testing.B) {
	served = newAdapter[etf.Raw](echoServer{})
	arg, ends := encodeArg(b, etf.Atom("ping"), from, etf.Int(7))
	area := slices.Concat(make([]byte, argHeadroom), arg, ends)
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if out, err = handle(cbHandleCall, area, len(arg), out[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

type echoServer struct{}

func (echoServer) Init(etf.Term) Result[etf.Raw] { return Ok(etf.Raw{106}) }

func (echoServer) HandleCall(req etf.Term, _ From, s etf.Raw) Result[etf.Raw] { return Reply(req, s) }

// HandleCast makes its message the state.
func (echoServer) HandleCast(msg etf.Term, _ etf.Raw) Result[etf.Raw] { return NoReply(msg.(etf.Raw)) }

// TestRawArgsReuseBoxes locks in that a server served with RawArgs gets
// its message without an allocation when a message of the same length
// came in the same buffer before, short or long, and that it sees the new
// message's bytes, not the old one's.
func TestRawArgsReuseBoxes(t *testing.T) {
	served = newAdapter[etf.Term](argKinds{}, RawArgs())
	defer func() { served = nil }()
	buf := make([]byte, 4096)
	for _, tc := range []struct {
		name string
		msgs []etf.Term // of one encoded length
	}{
		{"short", []etf.Term{etf.Atom("inc"), etf.Atom("dec")}},
		{"long", []etf.Term{etf.Binary(bytes.Repeat([]byte{1}, 1000)), etf.Binary(bytes.Repeat([]byte{2}, 1000))}},
		{"longest box shared", []etf.Term{etf.Binary(bytes.Repeat([]byte{3}, 2000)), etf.Binary(bytes.Repeat([]byte{4}, 300)), etf.Binary(bytes.Repeat([]byte{5}, 2000))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearRawBoxes()
			var out []byte
			for _, msg := range tc.msgs {
				arg, ends := encodeArg(t, etf.Tuple{msg, etf.Int(1)}, from, etf.Atom("s"))
				n := copy(buf[argHeadroom:], arg)
				copy(buf[argHeadroom+n:], ends)
				var err error
				if out, err = handle(cbHandleCall, buf, n, out[:0]); err != nil {
					t.Fatal(err)
				}
				got, err := etf.Decode(out)
				if err != nil {
					t.Fatal(err)
				}
				want := etf.Tuple{etf.Atom("reply"), etf.Tuple{etf.Binary("etf.Raw"), etf.Tuple{msg, etf.Int(1)}}, etf.Atom("s")}
				if !etf.Equal(got, want) {
					t.Errorf("got %v, want %v", got, want)
				}
			}
			last, err := etf.AppendTerm(nil, etf.Tuple{tc.msgs[len(tc.msgs)-1], etf.Int(1)})
			if err != nil {
				t.Fatal(err)
			}
			elem := etf.Raw(buf[argHeadroom+3 : argHeadroom+3+len(last)])
			if n := testing.AllocsPerRun(100, func() { boxRaw(elem) }); n != 0 {
				t.Errorf("boxing a message of a length boxed before allocates %v times", n)
			}
			if n := testing.AllocsPerRun(100, func() { clearRawBoxes(); boxRaw(elem) }); n != 1 {
				t.Errorf("boxing a message after the boxes were cleared allocates %v times, want 1", n)
			}
		})
	}
}

// replier is a server with an etf.Raw state whose handle_call is the
// function itself.
type replier func(req etf.Term, from From, state etf.Raw) Result[etf.Raw]

func (replier) Init(etf.Term) Result[etf.Raw] { return Ok(etf.Raw{106}) }

func (r replier) HandleCall(req etf.Term, from From, state etf.Raw) Result[etf.Raw] {
	return r(req, from, state)
}

// TestReplyInPlace checks handle_call results written in the argument
// buffer around the request, and those that must not be: each is the
// result the server returned, and only a reply of the request as it came,
// with an etf.Raw state that fits, is written in place, whichever bytes
// of the buffer that state lies in.
func TestReplyInPlace(t *testing.T) {
	req, state := etf.Binary(bytes.Repeat([]byte{7}, 300)), etf.Tuple{etf.Atom("s"), etf.Int(1)}
	encState, err := etf.AppendTerm(nil, state)
	if err != nil {
		t.Fatal(err)
	}
	long := etf.Binary(make([]byte, 1000))
	encLong, err := etf.AppendTerm(nil, long)
	if err != nil {
		t.Fatal(err)
	}
	raw := func(f func(req etf.Raw, from From, s etf.Raw) Result[etf.Raw]) *adapter {
		return newAdapter[etf.Raw](replier(func(req etf.Term, from From, s etf.Raw) Result[etf.Raw] {
			return f(req.(etf.Raw), from, s)
		}), RawArgs())
	}
	tests := []struct {
		name    string
		srv     *adapter
		want    etf.Term
		room    int // bytes of the buffer after the argument's ends
		inPlace bool
	}{
		{"echo", raw(func(req etf.Raw, _ From, s etf.Raw) Result[etf.Raw] { return Reply(req, s) }),
			etf.Tuple{etf.Atom("reply"), req, state}, 0, true},
		{"the request as the state", raw(func(req etf.Raw, _ From, _ etf.Raw) Result[etf.Raw] { return Reply(req, req) }),
			etf.Tuple{etf.Atom("reply"), req, req}, 300, true},
		{"the request as the state, in a tight buffer", raw(func(req etf.Raw, _ From, _ etf.Raw) Result[etf.Raw] { return Reply(req, req) }),
			etf.Tuple{etf.Atom("reply"), req, req}, 0, false},
		{"the From as the state", raw(func(req etf.Raw, from From, _ etf.Raw) Result[etf.Raw] { return Reply(req, from.Term().(etf.Raw)) }),
			etf.Tuple{etf.Atom("reply"), req, from}, 0, true},
		{"a copy of the request", raw(func(req etf.Raw, _ From, s etf.Raw) Result[etf.Raw] { return Reply(slices.Clone(req), s) }),
			etf.Tuple{etf.Atom("reply"), req, state}, 0, false},
		{"part of the request", raw(func(req etf.Raw, _ From, s etf.Raw) Result[etf.Raw] { return Reply(req[:len(req)-1], s) }),
			nil, 0, false},
		{"with a timeout", raw(func(req etf.Raw, _ From, s etf.Raw) Result[etf.Raw] { return Reply(req, s).Timeout(time.Second) }),
			etf.Tuple{etf.Atom("reply"), req, state, etf.Int(1000)}, 0, false},
		{"a state that does not fit", raw(func(req etf.Raw, _ From, _ etf.Raw) Result[etf.Raw] { return Reply(req, etf.Raw(encLong)) }),
			etf.Tuple{etf.Atom("reply"), req, long}, 0, false},
		{"a decoded state", newAdapter[etf.Term](argKinds{}, RawArgs()),
			etf.Tuple{etf.Atom("reply"), etf.Tuple{etf.Binary("etf.Raw"), req}, state}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			served = tt.srv
			defer func() { served = nil }()
			arg, ends := encodeArg(t, req, from, etf.Raw(encState))
			area := slices.Concat(make([]byte, argHeadroom), arg, ends, make([]byte, tt.room))
			out, err := handle(cbHandleCall, area, len(arg), nil)
			if err != nil {
				t.Fatal(err)
			}
			if inPlace := &out[0] == &area[0]; inPlace != tt.inPlace {
				t.Errorf("written in place: %v, want %v", inPlace, tt.inPlace)
			}
			if tt.want == nil {
				return
			}
			got, err := etf.Decode(out)
			if err != nil {
				t.Fatal(err)
			}
			if !etf.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
