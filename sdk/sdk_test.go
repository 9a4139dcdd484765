package sdk

import (
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

func runCallback(t *testing.T, srv callbacks, cb callback, args ...etf.Term) etf.Term {
	t.Helper()
	served = srv
	arg, err := etf.Encode(etf.Tuple(args))
	if err != nil {
		t.Fatal(err)
	}
	out, err := handle(cb, arg, nil)
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
		srv  callbacks
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runCallback(t, tt.srv, tt.cb, tt.args...); !etf.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHandleErrors(t *testing.T) {
	served = newAdapter[int](counter{})
	enc := func(t etf.Term) []byte { b, _ := etf.Encode(t); return b }
	tests := []struct {
		name string
		cb   callback
		arg  []byte
		want string
	}{
		{"not a tuple", cbInit, enc(etf.Atom("x")), "sdk: argument is not a tuple of 1"},
		{"wrong arity", cbHandleCall, enc(etf.Tuple{etf.Int(1)}), "sdk: argument is not a tuple of 3"},
		{"truncated", cbHandleCast, enc(etf.Tuple{etf.Atom("x"), etf.Int(1)})[:6], "sdk: argument: etf: truncated input: a term needs at least 1 byte, 0 left at offset 0"},
		{"state does not fit", cbHandleCast, enc(etf.Tuple{etf.Atom("x"), etf.Atom("s")}), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := handle(tt.cb, tt.arg, nil)
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != "" && err.Error() != tt.want {
				t.Errorf("err = %q, want %q", err, tt.want)
			}
		})
	}
	served = nil
	if _, err := handle(cbInit, enc(etf.Tuple{etf.Int(1)}), nil); err != errNoServer {
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
		})
	}
	if !Match(etf.Tuple{etf.Atom("add"), etf.Int(3)}, "add", &k) || k != 3 {
		t.Errorf("k = %d, want 3", k)
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
}

// BenchmarkHandle is a handle_call of an echo server, natively: the SDK's
// share of a Go guest's callback, before the wasm slowdown.
func BenchmarkHandle(b *testing.B) {
	served = newAdapter[etf.Raw](echoServer{})
	arg, _ := etf.Encode(etf.Tuple{etf.Atom("ping"), from, etf.Int(7)})
	var out []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if out, err = handle(cbHandleCall, arg, out[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

type echoServer struct{}

func (echoServer) Init(etf.Term) Result[etf.Raw] { return Ok(etf.Raw{106}) }

func (echoServer) HandleCall(req etf.Term, _ From, s etf.Raw) Result[etf.Raw] { return Reply(req, s) }
