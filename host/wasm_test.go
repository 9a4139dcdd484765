package host

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
)

// callWasm calls the server to from outside any process and returns its
// reply, decoded.
func callWasm(t testing.TB, n *Node, to, req etf.Term) etf.Term {
	t.Helper()
	reply, err := n.Call(ctx(t), to, req, wait)
	if err != nil {
		t.Fatalf("call %v %v: %v", to, req, err)
	}
	return mustDecode(t, reply)
}

// watchDown monitors target from a probe, which receives the DOWN.
func watchDown(t testing.TB, n *Node, target etf.Term) *probe {
	t.Helper()
	return startProbe(t, n, func(p *Process) {
		if _, err := p.Monitor(target); err != nil {
			t.Errorf("monitor %v: %v", target, err)
		}
	})
}

// downReason returns the reason of the DOWN the probe of watchDown gets.
func downReason(t testing.TB, pr *probe) etf.Term {
	t.Helper()
	m, ok := pr.recv(t).(etf.Tuple)
	if !ok || len(m) != 5 || m[0] != etf.Atom("DOWN") {
		t.Fatalf("%v is not a DOWN", m)
	}
	return decoded(m[4])
}

// awaitRestart waits until name is registered to a pid other than old,
// and returns it.
func awaitRestart(t testing.TB, n *Node, name etf.Atom, old etf.Pid) etf.Pid {
	t.Helper()
	var pid etf.Pid
	eventually(t, string(name)+" restarted", func() bool {
		p, ok := n.Whereis(name)
		pid = p
		return ok && p != old
	})
	return pid
}

// TestWasmExample runs the seed's session against the example guest, from
// Go: what the interop test does from Elixir.
func TestWasmExample(t *testing.T) {
	n := bootedNode(t)
	w := testWasm(t, n)
	m := loadGuest(t, w, "example", abi.ModuleConfig{})
	pid, err := w.StartServer(ctx(t), WasmServerSpec{Name: "example", Module: m, Args: etf.List{}})
	if err != nil {
		t.Fatal(err)
	}
	name := etf.Atom("example")
	if got := callWasm(t, n, name, etf.Atom("hi")); !etf.Equal(got, etf.Binary("hello")) {
		t.Errorf("hi: %v", got)
	}
	any := etf.Tuple{etf.Atom("any"), etf.List{etf.Int(1), etf.Int(2)}}
	if got := callWasm(t, n, name, any); !etf.Equal(got, any) {
		t.Errorf("{any, [1, 2]}: %v", got)
	}
	n.Cast(name, etf.Atom("whatever"))
	down := watchDown(t, n, pid)
	n.Cast(name, etf.Atom("stop"))
	if reason := downReason(t, down); !etf.Equal(reason, etf.Binary("stop they said")) {
		t.Errorf("stopped with %v", reason)
	}
	awaitRestart(t, n, name, pid)
	if got := callWasm(t, n, name, etf.Atom("hi")); !etf.Equal(got, etf.Binary("hello")) {
		t.Errorf("hi after the restart: %v", got)
	}
}

func TestWasmStateAndReload(t *testing.T) {
	n := bootedNode(t)
	w := testWasm(t, n)
	v1 := loadGuest(t, w, "counter", abi.ModuleConfig{})
	v2 := loadGuest(t, w, "counter_v2", abi.ModuleConfig{})
	name := etf.Atom("counter")
	pid, err := w.StartServer(ctx(t), WasmServerSpec{Name: name, Module: v1, Args: etf.Int(5)})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name     string
		req      etf.Term // a call; nil for the cast of inc
		want     etf.Term
		reloadTo *WasmModule // reload before the call
	}{
		{name: "init's argument", req: etf.Atom("get"), want: etf.Int(5)},
		{name: "inc", req: etf.Atom("inc"), want: etf.Int(6)},
		{name: "add", req: etf.Tuple{etf.Atom("add"), etf.Int(10)}, want: etf.Int(16)},
		{name: "cast inc"},
		{name: "state kept", req: etf.Atom("get"), want: etf.Int(17)},
		{name: "reload to v2", reloadTo: v2, req: etf.Atom("get"), want: etf.Tuple{etf.Atom("v2"), etf.Int(17)}},
		{name: "v2 counts on", req: etf.Atom("inc"), want: etf.Int(18)},
		{name: "reload to v2 again", reloadTo: v2, req: etf.Atom("get"), want: etf.Tuple{etf.Atom("v2"), etf.Int(18)}},
	}
	for _, s := range steps {
		if s.reloadTo != nil {
			if err := w.Reload(ctx(t), name, s.reloadTo, etf.Atom("extra")); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		if s.req == nil {
			n.Cast(name, etf.Atom("inc"))
			continue
		}
		if got := callWasm(t, n, name, s.req); !etf.Equal(got, s.want) {
			t.Errorf("%s: got %v, want %v", s.name, got, s.want)
		}
	}
	want := WasmServer{Name: name, Vsn: v2.Vsn(), Pid: pid}
	if got := w.Servers(); len(got) != 1 || got[0] != want {
		t.Errorf("Servers() = %+v, want %+v", got, want)
	}
	if got, ok := w.Server(name); !ok || got != want {
		t.Errorf("Server(%s) = %+v, %v; want %+v", name, got, ok, want)
	}

	// A crash after the reload restarts the server from v2.
	if _, err := n.Call(ctx(t), name, etf.Atom("nonsense"), wait); err == nil {
		t.Fatal("a bad call did not stop the counter")
	}
	awaitRestart(t, n, name, pid)
	if got := callWasm(t, n, name, etf.Atom("get")); !etf.Equal(got, etf.Tuple{etf.Atom("v2"), etf.Int(5)}) {
		t.Errorf("get after the restart: %v", got)
	}

	if err := w.StopServer(ctx(t), name); err != nil {
		t.Fatal(err)
	}
	if _, ok := n.Whereis(name); ok || len(w.Servers()) != 0 {
		t.Errorf("the server is still there: %v", w.Servers())
	}
	if got, ok := w.Server(name); ok {
		t.Errorf("Server(%s) = %+v after StopServer", name, got)
	}
	if err := w.Reload(ctx(t), name, v1, nil); err == nil {
		t.Error("reload of a stopped server succeeded")
	}
}

// TestWasmFaults ends servers with each of the guest's failures and checks
// that the caller gets the reason, and that no other server notices.
func TestWasmFaults(t *testing.T) {
	n := bootedNode(t)
	w := testWasm(t, n)
	const deadline, pages = 200 * time.Millisecond, 128
	crasher := loadGuest(t, w, "crasher", abi.ModuleConfig{Deadline: deadline, MemoryPages: pages})
	// The memory bomb runs under a deadline it cannot reach first, however
	// loaded the machine.
	hoarder := loadGuest(t, w, "crasher", abi.ModuleConfig{Deadline: time.Hour, MemoryPages: pages})
	echo := loadGuest(t, w, "echo", abi.ModuleConfig{})
	if _, err := w.StartServer(ctx(t), WasmServerSpec{Name: "bystander", Module: crasher}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.StartServer(ctx(t), WasmServerSpec{Name: "echo", Module: echo, Args: etf.Atom("x")}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		module *WasmModule
		req    etf.Atom
		want   etf.Term
	}{
		{"trap", crasher, "crash", etf.Tuple{etf.Atom("wasm_trap"), etf.Binary("crasher: crash requested")}},
		{"deadline", crasher, "loop", etf.Tuple{etf.Atom("wasm_deadline"), etf.Int(deadline.Milliseconds())}},
		{"memory", hoarder, "alloc", etf.Tuple{etf.Atom("wasm_memory_limit"), etf.Int(pages)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := etf.Atom("crasher_" + tt.name)
			pid, err := w.StartServer(ctx(t), WasmServerSpec{Name: name, Module: tt.module, Restart: Temporary})
			if err != nil {
				t.Fatal(err)
			}
			down := watchDown(t, n, pid)
			_, err = n.Call(ctx(t), name, tt.req, wait)
			var exit *ExitError
			if !errors.As(err, &exit) || !etf.Equal(exit.Reason, tt.want) {
				t.Fatalf("call %s: %v, want exit %v", tt.req, err, tt.want)
			}
			if reason := downReason(t, down); !etf.Equal(reason, tt.want) {
				t.Errorf("DOWN %v, want %v", reason, tt.want)
			}
			if got := callWasm(t, n, etf.Atom("bystander"), etf.Atom("ping")); got != etf.Atom("pong") {
				t.Errorf("bystander: %v", got)
			}
			if got := callWasm(t, n, etf.Atom("echo"), etf.Int(42)); got != etf.Int(42) {
				t.Errorf("echo: %v", got)
			}
		})
	}
}

// TestWasmStartFails starts servers that cannot start: the error is the
// reason, as init or the name's holder gives it.
func TestWasmStartFails(t *testing.T) {
	n := bootedNode(t)
	w := testWasm(t, n)
	m, err := w.Load(ctx(t), watEchoWasm(t), abi.ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	holder, err := n.Start(&fake{}, nil, Options{Name: "taken"})
	if err != nil {
		t.Fatal(err)
	}
	tooLong := etf.Atom(strings.Repeat("a", 256))
	for _, tt := range []struct {
		name string
		spec WasmServerSpec
		want etf.Term
	}{
		{"name taken", WasmServerSpec{Name: "taken", Module: m}, etf.Tuple{etf.Atom("already_started"), holder}},
		{"init's argument cannot be encoded", WasmServerSpec{Name: "bad_args", Module: m, Args: tooLong},
			etf.Binary("etf: invalid term: atom of 256 characters, the limit is 255")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.StartServer(ctx(t), tt.spec)
			var exit *ExitError
			if !errors.As(err, &exit) || !etf.Equal(exit.Reason, tt.want) {
				t.Fatalf("StartServer: %v, want exit %v", err, tt.want)
			}
			if len(w.Servers()) != 0 {
				t.Errorf("Servers() = %v after a failed start", w.Servers())
			}
		})
	}
}

// TestWasmHostCalls runs each host function of a guest through the
// runtime: abi's hostcalls guest acts on the node for its server.
func TestWasmHostCalls(t *testing.T) {
	n := bootedNode(t)
	w := testWasm(t, n)
	m, err := w.Load(ctx(t), buildGuest(t, filepath.Join("..", "abi", "testdata", "hostcalls")), abi.ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	echo, err := w.Load(ctx(t), watEchoWasm(t), abi.ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	self, err := w.StartServer(ctx(t), WasmServerSpec{Name: "calls", Module: m})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.StartServer(ctx(t), WasmServerSpec{Name: "echo", Module: echo}); err != nil {
		t.Fatal(err)
	}
	pr := startProbe(t, n, nil)
	if err := n.Register("inbox", pr.pid); err != nil {
		t.Fatal(err)
	}
	call := func(req ...etf.Term) etf.Term { return callWasm(t, n, etf.Atom("calls"), etf.Tuple(req)) }
	atom := func(a string) etf.Term { return etf.Atom(a) }
	badarg := etf.Tuple{atom("error"), atom("badarg")}

	if got := callWasm(t, n, etf.Atom("calls"), atom("self")); got != self {
		t.Errorf("self: %v, want %v", got, self)
	}
	for _, tt := range []struct {
		name string
		req  []etf.Term
		want etf.Term
	}{
		{"send by name", []etf.Term{atom("send"), atom("inbox"), atom("hi")}, atom("ok")},
		{"send by pid", []etf.Term{atom("send"), pr.pid, atom("hi")}, atom("ok")},
		{"send to nobody", []etf.Term{atom("send"), atom("nobody"), atom("hi")}, badarg},
		{"call", []etf.Term{atom("call"), atom("echo"), atom("req"), etf.Int(5000)}, etf.Tuple{atom("ok"), atom("req")}},
		{"call nobody", []etf.Term{atom("call"), atom("nobody"), atom("req"), etf.Int(5000)}, etf.Tuple{atom("error"), Noproc}},
		{"deferred reply", []etf.Term{atom("defer"), atom("later")}, atom("later")},
		{"log", []etf.Term{atom("log"), etf.Binary("from the guest")}, atom("ok")},
		{"continue", []etf.Term{atom("continue"), atom("next_state")}, atom("ok")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := call(tt.req...); !etf.Equal(got, tt.want) {
				t.Errorf("%v: %v, want %v", tt.req, got, tt.want)
			}
		})
	}
	pr.expect(t, atom("hi"))
	pr.expect(t, atom("hi"))
	if state, err := n.GetState(ctx(t), atom("calls")); err != nil || !etf.Equal(state, atom("next_state")) {
		t.Errorf("state after the continue: %v, %v", state, err)
	}

	// Timers: one fires, one is cancelled.
	call(atom("send_after"), atom("inbox"), atom("tick"), etf.Int(1))
	pr.expect(t, atom("tick"))
	ref, ok := call(atom("send_after"), atom("inbox"), atom("never"), etf.Int(60_000)).(etf.Ref)
	if !ok {
		t.Fatal("send_after did not reply a reference")
	}
	if left, ok := call(atom("cancel"), ref).(etf.Int); !ok || left <= 0 {
		t.Errorf("cancel: %v, want the milliseconds left", left)
	}
	if got := call(atom("cancel"), ref); got != etf.False {
		t.Errorf("cancel again: %v, want false", got)
	}
}

// TestWasmFromOfEachCall checks that a guest's handle_call gets the From of
// its own call, though a server writes the Froms of its calls in one
// buffer, and that a reply that holds one is not changed by the calls
// after it.
func TestWasmFromOfEachCall(t *testing.T) {
	n := bootedNode(t)
	w := testWasm(t, n)
	m, err := w.Load(ctx(t), buildGuest(t, filepath.Join("testdata", "guests", "whocalls")), abi.ModuleConfig{})
	if err != nil {
		t.Fatal(err)
	}
	server, err := n.Start(m, etf.List{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	callers := []*Process{n.newProcess(nil), n.newProcess(nil)}
	type call struct {
		caller etf.Pid
		reply  etf.Term
		kept   etf.Term // a copy, decoded when it came
	}
	var calls []call
	for i := range 6 {
		p := callers[i%len(callers)]
		reply, err := p.Call(ctx(t), server, etf.Atom("who"), wait)
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, call{p.pid, reply, mustDecode(t, reply)})
	}
	for i, c := range calls {
		from, ok := c.kept.(etf.Tuple)
		if !ok || len(from) != 2 || from[0] != c.caller {
			t.Errorf("call %d from %v: the guest got the From %v", i, c.caller, c.kept)
		}
		if got := mustDecode(t, c.reply); !etf.Equal(got, c.kept) {
			t.Errorf("call %d: its reply became %v after the calls that followed, was %v", i, got, c.kept)
		}
	}
}
