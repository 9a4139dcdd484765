package host

import (
	"context"
	"io/fs"
	"strings"
	"sync"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// refuserGuest is the test guest that refuses (testdata/guests/refuser),
// named as wasmGuest finds the guests under ../guests.
const refuserGuest = "../host/testdata/guests/refuser"

// managerNode is a node with a Wasm and a Manager on a data directory, as
// the host command runs one.
type managerNode struct {
	n *Node
	w *Wasm
	m *Manager

	closeOnce sync.Once
}

// startManagerNode starts a node whose manager keeps its data in dir, and
// closes it when the test ends.
func startManagerNode(t testing.TB, dir string, cfg ManagerConfig) *managerNode {
	t.Helper()
	n := NewNode(Config{Name: "creo@localhost", Creation: 7, Logger: testLogger(t)})
	if err := n.Boot(); err != nil {
		t.Fatal(err)
	}
	w, err := NewWasm(n, WasmConfig{CacheDir: wasmTestCache(), Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	mn := &managerNode{n: n, w: w}
	t.Cleanup(mn.close)
	cfg.DataDir = dir
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	if mn.m, err = StartManager(ctx(t), n, w, cfg); err != nil {
		t.Fatal(err)
	}
	return mn
}

// close stops the node as the host command does at exit: the node first
// (its connections too, when distributed), then the Wasm.
func (mn *managerNode) close() {
	mn.closeOnce.Do(func() {
		c, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if mn.n.Addr() != nil {
			mn.n.Close()
		} else {
			mn.n.Shutdown(c)
		}
		mn.w.Close(c)
	})
}

// call makes the request req to creo and returns the reply, decoded.
func (mn *managerNode) call(t testing.TB, req etf.Term) etf.Term {
	t.Helper()
	reply, err := mn.n.Call(ctx(t), ManagerName, req, wait)
	if err != nil {
		t.Fatalf("creo %s: %v", etf.Format(req), err)
	}
	return mustDecode(t, reply)
}

// deploy deploys guest as name with init args args, and returns its pid.
func (mn *managerNode) deploy(t testing.TB, name etf.Atom, guest string, args etf.Term) etf.Pid {
	t.Helper()
	pid, err := mn.m.Deploy(ctx(t), DeploySpec{Name: name, Wasm: wasmGuest(t, guest), Args: args})
	if err != nil {
		t.Fatalf("deploy %s: %v", name, err)
	}
	return pid
}

// Placeholders in the terms a test wants: anyPid matches any pid and
// anyBinary any binary.
const (
	anyPid    etf.Atom = "$any_pid"
	anyBinary etf.Atom = "$any_binary"
)

// matches reports whether got is want, where want may hold anyPid and
// anyBinary for the parts a test cannot know.
func matches(got, want etf.Term) bool {
	switch w := want.(type) {
	case etf.Atom:
		switch w {
		case anyPid:
			_, ok := got.(etf.Pid)
			return ok
		case anyBinary:
			_, ok := got.(etf.Binary)
			return ok
		}
	case etf.Tuple:
		g, ok := got.(etf.Tuple)
		return ok && len(g) == len(w) && allMatch(g, w)
	case etf.List:
		g, ok := got.(etf.List)
		return ok && len(g) == len(w) && allMatch(g, w)
	}
	return etf.Equal(got, want)
}

func allMatch(got, want []etf.Term) bool {
	for i := range want {
		if !matches(got[i], want[i]) {
			return false
		}
	}
	return true
}

// faultyFS is the operating system's file system, failing the operations
// fail picks.
type faultyFS struct {
	osFS
	mu   sync.Mutex
	fail func(op, path string) bool
}

func (f *faultyFS) check(op, path string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil && f.fail(op, path) {
		return &fs.PathError{Op: op, Path: path, Err: errInjected}
	}
	return nil
}

func (f *faultyFS) setFail(fail func(op, path string) bool) {
	f.mu.Lock()
	f.fail = fail
	f.mu.Unlock()
}

func (f *faultyFS) CreateTemp(dir, pattern string) (storeFile, error) {
	if err := f.check("create", dir+"/"+pattern); err != nil {
		return nil, err
	}
	return f.osFS.CreateTemp(dir, pattern)
}

func (f *faultyFS) Rename(oldpath, newpath string) error {
	if err := f.check("rename", newpath); err != nil {
		return err
	}
	return f.osFS.Rename(oldpath, newpath)
}

// failWrites makes the writes to paths that contain part fail.
func failWrites(part string) func(op, path string) bool {
	return func(op, path string) bool { return op == "create" && strings.Contains(path, part) }
}
