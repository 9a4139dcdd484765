package host

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/creo-dev/creo/etf"
)

func okWith(v etf.Term) etf.Term          { return etf.Tuple{atomOK, v} }
func errorWith(r etf.Term) etf.Term       { return etf.Tuple{etf.Atom("error"), r} }
func vsnOf(wasm []byte) etf.Binary        { return etf.Binary(moduleVsn(wasm)) }
func deployReq(args ...etf.Term) etf.Term { return append(etf.Tuple{etf.Atom("deploy")}, args...) }

// TestManagerCalls makes each request of creo, and each refusal, in a
// sequence where each step sees what the ones before did, and checks at
// the end that the refusals left the servers and the disk untouched.
func TestManagerCalls(t *testing.T) {
	counter, v2, refuser := wasmGuest(t, "counter"), wasmGuest(t, "counter_v2"), wasmGuest(t, refuserGuest)
	limit := 2 * len(counter) // room for each guest, and a small module too large
	mn := startManagerNode(t, t.TempDir(), ManagerConfig{MaxModuleSize: limit})
	echo := wasmGuest(t, "echo")
	c, e := etf.Atom("c"), etf.Atom("e")
	tooLarge := make([]byte, limit+1)
	copy(tooLarge, counter)
	emptyModule := []byte("\x00asm\x01\x00\x00\x00")
	steps := []struct {
		name string
		req  etf.Term
		want etf.Term
	}{
		{name: "deploy", req: deployReq(c, etf.Binary(counter), etf.Int(5)), want: okWith(anyPid)},
		{name: "deploy with options", req: deployReq(e, etf.Binary(echo), etf.List{}, etf.List{etf.Tuple{etf.Atom("restart"), etf.Atom("transient")}}), want: okWith(anyPid)},
		{name: "call the server", req: nil, want: nil},
		{name: "which_servers", req: etf.Atom("which_servers"), want: etf.List{
			etf.Tuple{c, anyPid, vsnOf(counter)},
			etf.Tuple{e, anyPid, vsnOf(echo)},
		}},
		{name: "reload", req: etf.Tuple{etf.Atom("reload"), c, etf.Binary(v2)}, want: atomOK},
		{name: "reload a list", req: etf.Tuple{etf.Atom("reload"), etf.List{c}, etf.Binary(v2)}, want: atomOK},

		{name: "name not an atom", req: deployReq(etf.Binary("x"), etf.Binary(counter)), want: errorWith(etf.Tuple{etf.Atom("bad_name"), etf.Binary("x")})},
		{name: "name undefined", req: deployReq(etf.Undefined, etf.Binary(counter)), want: errorWith(etf.Tuple{etf.Atom("bad_name"), etf.Undefined})},
		{name: "module not a binary", req: deployReq(etf.Atom("x"), etf.Atom("wasm")), want: errorWith(etf.Tuple{etf.Atom("invalid_module"), etf.Binary("the module is not a binary")})},
		{name: "garbage", req: deployReq(etf.Atom("x"), etf.Binary("garbage, not wasm")), want: errorWith(etf.Tuple{etf.Atom("invalid_module"), anyBinary})},
		{name: "truncated", req: deployReq(etf.Atom("x"), etf.Binary(counter[:len(counter)/2])), want: errorWith(etf.Tuple{etf.Atom("invalid_module"), anyBinary})},
		{name: "missing exports", req: deployReq(etf.Atom("x"), etf.Binary(emptyModule)), want: errorWith(etf.Tuple{etf.Atom("invalid_module"), anyBinary})},
		{name: "too large", req: deployReq(etf.Atom("x"), etf.Binary(tooLarge)), want: errorWith(etf.Tuple{etf.Atom("module_too_large"), etf.Int(limit + 1), etf.Int(limit)})},
		{name: "name taken", req: deployReq(c, etf.Binary(counter)), want: errorWith(etf.Tuple{etf.Atom("already_started"), anyPid})},
		{name: "name of a system server", req: deployReq(ManagerName, etf.Binary(counter)), want: errorWith(etf.Tuple{etf.Atom("already_started"), anyPid})},
		{name: "init fails", req: deployReq(etf.Atom("x"), etf.Binary(refuser), etf.Atom("fail")), want: errorWith(etf.Tuple{etf.Atom("init_failed"), etf.Atom("init_refused")})},
		{name: "options not a list", req: deployReq(etf.Atom("x"), etf.Binary(counter), etf.List{}, etf.Atom("fast")), want: errorWith(etf.Tuple{etf.Atom("bad_option"), etf.Atom("fast")})},
		{name: "unknown option", req: deployReq(etf.Atom("x"), etf.Binary(counter), etf.List{}, etf.List{etf.Atom("fast")}), want: errorWith(etf.Tuple{etf.Atom("bad_option"), etf.Atom("fast")})},
		{name: "bad restart", req: deployReq(etf.Atom("x"), etf.Binary(counter), etf.List{}, etf.List{etf.Tuple{etf.Atom("restart"), etf.Atom("sometimes")}}), want: errorWith(etf.Tuple{etf.Atom("bad_option"), etf.Tuple{etf.Atom("restart"), etf.Atom("sometimes")}})},
		{name: "reload unknown", req: etf.Tuple{etf.Atom("reload"), etf.Atom("nobody"), etf.Binary(v2)}, want: errorWith(etf.Atom("not_found"))},
		{name: "reload name not an atom", req: etf.Tuple{etf.Atom("reload"), etf.Int(1), etf.Binary(v2)}, want: errorWith(etf.Tuple{etf.Atom("bad_name"), etf.Int(1)})},
		{name: "reload garbage", req: etf.Tuple{etf.Atom("reload"), c, etf.Binary("garbage")}, want: errorWith(etf.Tuple{etf.Atom("invalid_module"), anyBinary})},
		{name: "reload too large", req: etf.Tuple{etf.Atom("reload"), c, etf.Binary(tooLarge)}, want: errorWith(etf.Tuple{etf.Atom("module_too_large"), etf.Int(limit + 1), etf.Int(limit)})},
		{name: "code_change fails", req: etf.Tuple{etf.Atom("reload"), c, etf.Binary(refuser)}, want: errorWith(etf.Tuple{etf.Atom("code_change_failed"), etf.Tuple{etf.Atom("refused"), vsnOf(v2)}})},
		{name: "reload a list with an unknown name", req: etf.Tuple{etf.Atom("reload"), etf.List{etf.Atom("nobody")}, etf.Binary(v2)}, want: errorWith(etf.List{etf.Tuple{etf.Atom("nobody"), etf.Atom("not_found")}})},
		{name: "stop unknown", req: etf.Tuple{etf.Atom("stop"), etf.Atom("nobody")}, want: errorWith(etf.Atom("not_found"))},
		{name: "info unknown", req: etf.Tuple{etf.Atom("info"), etf.Atom("nobody")}, want: errorWith(etf.Atom("not_found"))},
		{name: "unknown call", req: etf.Tuple{etf.Atom("deploy"), c}, want: errorWith(etf.Tuple{etf.Atom("unknown_call"), etf.Tuple{etf.Atom("deploy"), c}})},
	}
	var pid etf.Pid
	for _, s := range steps {
		if s.req == nil { // a step that calls the deployed server
			if got := callWasm(t, mn.n, c, etf.Atom("inc")); got != etf.Int(6) {
				t.Fatalf("%s: inc = %v, want 6", s.name, got)
			}
			pid, _ = mn.n.Whereis(c)
			continue
		}
		if got := mn.call(t, s.req); !matches(got, s.want) {
			t.Errorf("%s:\n got %s\nwant %s", s.name, etf.Format(got), etf.Format(s.want))
		}
	}

	// The refusals changed nothing: c runs v2 with its state, in the same
	// process, and only the two deployed modules are on disk.
	if now, _ := mn.n.Whereis(c); now != pid {
		t.Errorf("c is %v, was %v: a refusal restarted it", now, pid)
	}
	if got := callWasm(t, mn.n, c, etf.Atom("get")); !etf.Equal(got, etf.Tuple{etf.Atom("v2"), etf.Int(6)}) {
		t.Errorf("get after the refusals = %s, want {v2, 6}", etf.Format(got))
	}
	files, _ := os.ReadDir(filepath.Join(mn.m.cfg.DataDir, modulesDir))
	var names []string
	for _, f := range files {
		names = append(names, f.Name())
	}
	want := []string{moduleVsn(echo) + moduleExt, moduleVsn(v2) + moduleExt}
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("modules on disk %v, want %v: those of e and of c's v2, not counter's", names, want)
	}
	entries, err := mn.m.store.readManifest()
	if err != nil || len(entries) != 2 {
		t.Fatalf("manifest: %d entries, %v", len(entries), err)
	}

	if got := mn.call(t, etf.Tuple{etf.Atom("stop"), c}); got != atomOK {
		t.Errorf("stop: %s", etf.Format(got))
	}
	if _, ok := mn.n.Whereis(c); ok {
		t.Error("c still runs after stop")
	}
	if _, err := os.Stat(filepath.Join(mn.m.cfg.DataDir, modulesDir, moduleVsn(v2)+moduleExt)); !os.IsNotExist(err) {
		t.Errorf("the module only c ran is still on disk after stop: %v", err)
	}
}

func TestManagerInfo(t *testing.T) {
	mn := startManagerNode(t, t.TempDir(), ManagerConfig{})
	counter := wasmGuest(t, "counter")
	pid := mn.deploy(t, "c", "counter", etf.Int(1))
	got := mn.call(t, etf.Tuple{etf.Atom("info"), etf.Atom("c")})
	want := okWith(etf.Map{
		{Key: etf.Atom("name"), Value: etf.Atom("c")},
		{Key: etf.Atom("pid"), Value: pid},
		{Key: etf.Atom("vsn"), Value: vsnOf(counter)},
		{Key: etf.Atom("restart"), Value: etf.Atom("permanent")},
		{Key: etf.Atom("restarts"), Value: etf.Int(0)},
		{Key: etf.Atom("message_queue_len"), Value: etf.Int(0)},
		{Key: etf.Atom("status"), Value: etf.Atom("waiting")},
		{Key: etf.Atom("deployed"), Value: etf.True},
	})
	if !etf.Equal(got, want) {
		t.Errorf("info\n got %s\nwant %s", etf.Format(got), etf.Format(want))
	}
	if got := mn.call(t, etf.Atom("servers")); !etf.Equal(got, etf.List{want.(etf.Tuple)[1]}) {
		t.Errorf("servers = %s", etf.Format(got))
	}
}

// TestManagerStoreFailures makes the disk fail at each write a deploy
// makes: the deploy is refused, and nothing of it runs.
func TestManagerStoreFailures(t *testing.T) {
	tests := []struct {
		name string
		part string // of the path whose write fails
	}{
		{name: "module", part: modulesDir},
		{name: "manifest", part: manifestName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mn := startManagerNode(t, t.TempDir(), ManagerConfig{})
			faulty := &faultyFS{}
			mn.m.store.fs = faulty
			faulty.setFail(failWrites(tt.part))
			_, err := mn.m.Deploy(ctx(t), DeploySpec{Name: "c", Wasm: wasmGuest(t, "counter")})
			if !errors.Is(err, &ManagerError{Reason: etf.Atom("store_failed")}) || !strings.Contains(err.Error(), "injected failure") {
				t.Fatalf("deploy on a failing disk: %v, want {store_failed, Msg}", err)
			}
			if _, ok := mn.n.Whereis("c"); ok {
				t.Error("the server runs though its deploy was refused")
			}
			if got := mn.call(t, etf.Atom("which_servers")); !etf.Equal(got, etf.List{}) {
				t.Errorf("which_servers = %s, want []", etf.Format(got))
			}
			faulty.setFail(nil)
			if _, err := mn.m.Deploy(ctx(t), DeploySpec{Name: "c", Wasm: wasmGuest(t, "counter")}); err != nil {
				t.Fatalf("deploy once the disk works: %v", err)
			}
		})
	}
}

func TestManagerErrorIs(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{name: "same atom", err: ErrNotFound, target: ErrNotFound, want: true},
		{name: "tag of a tuple", err: refuse("invalid_module", etf.Binary("x")), target: &ManagerError{Reason: etf.Atom("invalid_module")}, want: true},
		{name: "equal tuples", err: refuse("bad_name", etf.Int(1)), target: refuse("bad_name", etf.Int(1)), want: true},
		{name: "other tuple", err: refuse("bad_name", etf.Int(1)), target: refuse("bad_name", etf.Int(2)), want: false},
		{name: "other atom", err: ErrNotFound, target: &ManagerError{Reason: etf.Atom("not_running")}, want: false},
		{name: "not a refusal", err: ErrNotFound, target: ErrNoproc, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errors.Is(tt.err, tt.target); got != tt.want {
				t.Errorf("errors.Is(%v, %v) = %v, want %v", tt.err, tt.target, got, tt.want)
			}
		})
	}
	if got, want := refuse("module_too_large", etf.Int(9), etf.Int(8)).Error(), "host: creo: {module_too_large,9,8}"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestManagerServerDown reloads a deployed server that is down, a
// temporary one that crashed: the reload is refused, the server is listed
// as down, and stop forgets it.
func TestManagerServerDown(t *testing.T) {
	mn := startManagerNode(t, t.TempDir(), ManagerConfig{})
	pid, err := mn.m.Deploy(ctx(t), DeploySpec{Name: "temp", Wasm: wasmGuest(t, "crasher"), Restart: Temporary})
	if err != nil {
		t.Fatal(err)
	}
	down := watchDown(t, mn.n, pid)
	if _, err := mn.n.Call(ctx(t), etf.Atom("temp"), etf.Atom("crash"), wait); err == nil {
		t.Fatal("the crash call returned")
	}
	down.recv(t)
	got := mn.call(t, etf.Tuple{etf.Atom("reload"), etf.Atom("temp"), etf.Binary(wasmGuest(t, "crasher"))})
	if !etf.Equal(got, errorWith(etf.Atom("not_running"))) {
		t.Errorf("reload of a server that is down: %s, want {error, not_running}", etf.Format(got))
	}
	info := mn.call(t, etf.Tuple{etf.Atom("info"), etf.Atom("temp")})
	if mapValue(t, info, "status") != etf.Atom("down") || mapValue(t, info, "pid") != etf.Undefined {
		t.Errorf("info of a server that is down: %s", etf.Format(info))
	}
	// Stop forgets it.
	if got := mn.call(t, etf.Tuple{etf.Atom("stop"), etf.Atom("temp")}); got != etf.Atom("ok") {
		t.Errorf("stop of a server that is down: %s", etf.Format(got))
	}
	if got := mn.call(t, etf.Atom("which_servers")); !etf.Equal(got, etf.List{}) {
		t.Errorf("which_servers after stop = %s", etf.Format(got))
	}
}
