package host

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// TestManagerRestoresServers restarts a node on its data directory: every
// deployed server comes back, on the module it last ran, with its init
// args and restart type; the one stopped does not.
func TestManagerRestoresServers(t *testing.T) {
	dir := t.TempDir()
	mn := startManagerNode(t, dir, ManagerConfig{})
	mn.deploy(t, "c5", "counter", etf.Int(5))
	mn.deploy(t, "up", "counter", etf.Int(1))
	if err := mn.m.Reload(ctx(t), "up", wasmGuest(t, "counter_v2")); err != nil {
		t.Fatal(err)
	}
	if _, err := mn.m.Deploy(ctx(t), DeploySpec{Name: "e", Wasm: wasmGuest(t, "echo"), Restart: Transient}); err != nil {
		t.Fatal(err)
	}
	mn.deploy(t, "gone", "counter", nil)
	if err := mn.m.Stop(ctx(t), "gone"); err != nil {
		t.Fatal(err)
	}
	callWasm(t, mn.n, etf.Atom("c5"), etf.Atom("inc")) // state, which a restart does not keep
	before := mn.call(t, etf.Atom("which_servers"))
	mn.close()

	again := startManagerNode(t, dir, ManagerConfig{})
	after := again.call(t, etf.Atom("which_servers"))
	if len(after.(etf.List)) != 3 {
		t.Fatalf("after the restart which_servers = %s, want c5, e and up", etf.Format(after))
	}
	for i, s := range after.(etf.List) {
		was, is := before.(etf.List)[i].(etf.Tuple), s.(etf.Tuple)
		if was[0] != is[0] || !etf.Equal(was[2], is[2]) {
			t.Errorf("server %d was %s, is %s after the restart", i, etf.Format(was), etf.Format(is))
		}
	}
	tests := []struct {
		name etf.Atom
		req  etf.Term
		want etf.Term
	}{
		{name: "c5", req: etf.Atom("get"), want: etf.Int(5)},
		{name: "up", req: etf.Atom("get"), want: etf.Tuple{etf.Atom("v2"), etf.Int(1)}},
		{name: "e", req: etf.Atom("hello"), want: etf.Atom("hello")},
	}
	for _, tt := range tests {
		if got := callWasm(t, again.n, tt.name, tt.req); !etf.Equal(got, tt.want) {
			t.Errorf("%s %s = %s, want %s", tt.name, etf.Format(tt.req), etf.Format(got), etf.Format(tt.want))
		}
	}
	if s, _ := again.m.Server("e"); s.Restart != Transient {
		t.Errorf("e restarts %v after the restart, want transient", s.Restart)
	}
}

// TestManagerRestoreFailures starts a node on a data directory that lost
// a module file, or whose manifest is damaged: the node starts, with what
// it can restore, and says what it could not.
func TestManagerRestoreFailures(t *testing.T) {
	t.Run("missing module", func(t *testing.T) {
		dir := t.TempDir()
		mn := startManagerNode(t, dir, ManagerConfig{})
		mn.deploy(t, "c", "counter", etf.Int(3))
		mn.deploy(t, "e", "echo", nil)
		mn.close()
		counter := wasmGuest(t, "counter")
		if err := os.Remove(filepath.Join(dir, modulesDir, moduleVsn(counter)+moduleExt)); err != nil {
			t.Fatal(err)
		}

		again := startManagerNode(t, dir, ManagerConfig{})
		if got := callWasm(t, again.n, etf.Atom("e"), etf.Atom("hi")); got != etf.Atom("hi") {
			t.Errorf("e answers %s after the restart", etf.Format(got))
		}
		info := again.call(t, etf.Tuple{etf.Atom("info"), etf.Atom("c")})
		status := etf.Tuple{etf.Atom("restore_failed"), etf.Tuple{etf.Atom("module_unreadable"), anyBinary}}
		if !matches(mapValue(t, info, "status"), status) || mapValue(t, info, "pid") != etf.Undefined {
			t.Errorf("info of the server whose module is gone: %s", etf.Format(info))
		}
		// A reload brings it back, from its init args.
		if got := again.call(t, etf.Tuple{etf.Atom("reload"), etf.Atom("c"), etf.Binary(counter)}); got != etf.Atom("ok") {
			t.Fatalf("reload of the broken server: %s", etf.Format(got))
		}
		if got := callWasm(t, again.n, etf.Atom("c"), etf.Atom("get")); got != etf.Int(3) {
			t.Errorf("c after its reload = %s, want 3", etf.Format(got))
		}
		if s, _ := again.m.Server("c"); s.RestoreFailed != nil {
			t.Errorf("c is still marked broken: %s", etf.Format(s.RestoreFailed))
		}
	})
	t.Run("corrupt manifest", func(t *testing.T) {
		dir := t.TempDir()
		mn := startManagerNode(t, dir, ManagerConfig{})
		mn.deploy(t, "c", "counter", nil)
		mn.close()
		path := filepath.Join(dir, manifestName)
		data, _ := os.ReadFile(path)
		if err := os.WriteFile(path, data[:len(data)/2], 0o644); err != nil {
			t.Fatal(err)
		}

		again := startManagerNode(t, dir, ManagerConfig{})
		if got := again.call(t, etf.Atom("which_servers")); !etf.Equal(got, etf.List{}) {
			t.Errorf("which_servers = %s, want none from a corrupt manifest", etf.Format(got))
		}
		names, _ := filepath.Glob(filepath.Join(dir, manifestName+".corrupt-*"))
		if len(names) != 1 {
			t.Fatalf("the corrupt manifest was not set aside: %v", names)
		}
		if kept, _ := os.ReadFile(names[0]); string(kept) != string(data[:len(data)/2]) {
			t.Error("the manifest set aside is not the corrupt one")
		}
		// The node works: deploys are written to a new manifest.
		again.deploy(t, "d", "counter", nil)
		entries, err := again.m.store.readManifest()
		if err != nil || len(entries) != 1 || entries[0].Name != "d" {
			t.Errorf("new manifest: %v, %v", entries, err)
		}
	})
}

// mapValue returns the value of key in the map of {ok, Map}.
func mapValue(t testing.TB, okMap etf.Term, key etf.Atom) etf.Term {
	t.Helper()
	tuple, ok := okMap.(etf.Tuple)
	if !ok || len(tuple) != 2 {
		t.Fatalf("%s is not {ok, Map}", etf.Format(okMap))
	}
	m, _ := tuple[1].(etf.Map)
	for _, p := range m {
		if p.Key == key {
			return p.Value
		}
	}
	t.Fatalf("%s has no key %s", etf.Format(okMap), key)
	return nil
}
