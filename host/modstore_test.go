package host

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/creo-dev/creo/etf"
)

const storeDir = "/data"

// freshStore returns a crashFS with an opened store in it, after setup
// ran on it, and with the operation count reset so that failAt counts
// from what the test does next.
func freshStore(t *testing.T, setup func(*moduleStore)) (*crashFS, *moduleStore) {
	t.Helper()
	c := newCrashFS()
	s, err := openModuleStore(c, storeDir)
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(s)
	}
	c.ops = 0
	return c, s
}

// reopen crashes c and opens the store again, as a restarted node does.
func reopen(t *testing.T, c *crashFS) *moduleStore {
	t.Helper()
	c.crash()
	s, err := openModuleStore(c, storeDir)
	if err != nil {
		t.Fatalf("open after crash: %v", err)
	}
	for _, dir := range []string{storeDir, filepath.Join(storeDir, modulesDir)} {
		names, _ := c.ReadDir(dir)
		for _, name := range names {
			if strings.HasPrefix(name, tempPrefix) {
				t.Errorf("open left the temporary file %s in %s", name, dir)
			}
		}
	}
	return s
}

// crashEverywhere runs op on a fresh store once for every operation op
// makes, failing that operation and then crashing, and then once without
// a failure. check gets the store reopened after the crash, and whether op
// returned success.
func crashEverywhere(t *testing.T, setup func(*moduleStore), op func(*moduleStore) error, check func(t *testing.T, s *moduleStore, succeeded bool)) {
	t.Helper()
	for failAt := 1; ; failAt++ {
		c, s := freshStore(t, setup)
		c.failAt = failAt
		err := op(s)
		injected := c.ops >= failAt
		if err != nil && !errors.Is(err, errInjected) {
			t.Fatalf("crash at operation %d: unexpected error %v", failAt, err)
		}
		if injected != (err != nil) {
			t.Fatalf("crash at operation %d: injected %v, error %v", failAt, injected, err)
		}
		t.Run(fmt.Sprintf("crash at %d", failAt), func(t *testing.T) {
			check(t, reopen(t, c), err == nil)
		})
		if !injected {
			return
		}
	}
}

func TestWriteFileAtomicCrash(t *testing.T) {
	old, new := []byte("old content"), []byte("new content, longer")
	setup := func(s *moduleStore) {
		if err := writeFileAtomic(s.fs, storeDir, "f", old); err != nil {
			t.Fatal(err)
		}
	}
	write := func(s *moduleStore) error { return writeFileAtomic(s.fs, storeDir, "f", new) }
	crashEverywhere(t, setup, write, func(t *testing.T, s *moduleStore, succeeded bool) {
		got, err := s.fs.ReadFile(filepath.Join(storeDir, "f"))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case succeeded && !bytes.Equal(got, new):
			t.Errorf("the write succeeded but the crash left %q", got)
		case !bytes.Equal(got, old) && !bytes.Equal(got, new):
			t.Errorf("the crash left %q, neither the old nor the new content", got)
		}
	})
}

// TestCrashFSLosesUnsynced proves that crashFS would catch a store that
// skips a sync: a rename the directory did not sync is undone by a crash,
// and so are bytes the file did not sync.
func TestCrashFSLosesUnsynced(t *testing.T) {
	tests := []struct {
		name    string
		syncDir bool
		sync    bool
		want    string
	}{
		{name: "all synced", syncDir: true, sync: true, want: "new"},
		{name: "directory not synced", sync: true, want: "old"},
		{name: "file not synced", syncDir: true, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := freshStore(t, func(s *moduleStore) {
				if err := writeFileAtomic(s.fs, storeDir, "f", []byte("old")); err != nil {
					t.Fatal(err)
				}
			})
			f, _ := c.CreateTemp(storeDir, "x-*")
			f.Write([]byte("new"))
			if tt.sync {
				f.Sync()
			}
			f.Close()
			c.Rename(f.Name(), filepath.Join(storeDir, "f"))
			if tt.syncDir {
				c.SyncDir(storeDir)
			}
			c.crash()
			got, _ := c.ReadFile(filepath.Join(storeDir, "f"))
			if string(got) != tt.want {
				t.Errorf("after the crash the file holds %q, want %q", got, tt.want)
			}
		})
	}
}

func TestModuleStorePutCrash(t *testing.T) {
	wasm := []byte("\x00asm pretend module bytes")
	vsn := moduleVsn(wasm)
	crashEverywhere(t, nil, func(s *moduleStore) error { return s.put(vsn, wasm) }, func(t *testing.T, s *moduleStore, succeeded bool) {
		got, err := s.get(vsn)
		switch {
		case succeeded && err != nil:
			t.Errorf("the put succeeded but the module is gone after the crash: %v", err)
		case err != nil && !errors.Is(err, errModuleMissing):
			t.Errorf("the crash left a damaged module: %v", err)
		case err == nil && !bytes.Equal(got, wasm):
			t.Errorf("the crash left %q", got)
		}
	})
}

func TestModuleStore(t *testing.T) {
	a, b := []byte("module a"), []byte("module b")
	c, s := freshStore(t, nil)
	for _, wasm := range [][]byte{a, b, a} {
		if err := s.put(moduleVsn(wasm), wasm); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.renames[filepath.Join(storeDir, modulesDir, moduleVsn(a)+moduleExt)]; n != 1 {
		t.Errorf("module a was written %d times, want once: content addressing makes the second put a no-op", n)
	}
	got, err := s.get(moduleVsn(b))
	if err != nil || !bytes.Equal(got, b) {
		t.Fatalf("get b = %q, %v", got, err)
	}

	// Damage a on disk: get notices.
	d, _ := c.dir(s.modules)
	d.live[moduleVsn(a)+moduleExt].data[0] ^= 1
	if _, err := s.get(moduleVsn(a)); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("get of a damaged module: %v, want a corrupt module error", err)
	}
	if _, err := s.get(moduleVsn([]byte("never stored"))); !errors.Is(err, errModuleMissing) {
		t.Errorf("get of a module never stored: %v, want errModuleMissing", err)
	}

	n, err := s.sweep(func(vsn string) bool { return vsn == moduleVsn(b) })
	if err != nil || n != 1 {
		t.Fatalf("sweep removed %d, %v; want 1", n, err)
	}
	if _, err := s.get(moduleVsn(a)); !errors.Is(err, errModuleMissing) {
		t.Errorf("a after the sweep: %v, want it removed", err)
	}
	if _, err := s.get(moduleVsn(b)); err != nil {
		t.Errorf("b after the sweep: %v, want it kept", err)
	}
}

func testEntries(n int) []serverEntry {
	entries := make([]serverEntry, n)
	for i := range entries {
		sum := sha256.Sum256([]byte{byte(i)})
		entries[i] = serverEntry{
			Name:    etf.Atom(fmt.Sprintf("server%d", i)),
			Vsn:     fmt.Sprintf("%x", sum),
			Args:    etf.Tuple{etf.Int(i), etf.List{etf.Binary("x")}},
			Restart: Restart(i % 3),
		}
	}
	return entries
}

func TestManifestRoundTrip(t *testing.T) {
	entries := testEntries(3)
	data, err := encodeManifest([]serverEntry{entries[2], entries[0], entries[1]})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := encodeManifest(entries)
	if !bytes.Equal(data, again) {
		t.Error("the same servers in another order encode differently")
	}
	got, err := decodeManifest(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(entries) {
		t.Fatalf("got %d entries, want %d", len(got), len(entries))
	}
	for i := range entries {
		if got[i].Name != entries[i].Name || got[i].Vsn != entries[i].Vsn || got[i].Restart != entries[i].Restart || !etf.Equal(got[i].Args, entries[i].Args) {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], entries[i])
		}
	}
}

func TestManifestDecodeErrors(t *testing.T) {
	valid, _ := encodeManifest(testEntries(1))
	checksummed := func(data []byte) []byte {
		sum := sha256.Sum256(data)
		return append(data, sum[:]...)
	}
	withSum := func(t etf.Term) []byte {
		data, err := etf.Encode(t)
		if err != nil {
			panic(err)
		}
		return checksummed(data)
	}
	entry := func(name, vsn, restart etf.Term) etf.Term {
		return etf.Tuple{manifestTag, etf.Int(1), etf.List{etf.Map{
			{Key: etf.Atom("name"), Value: name},
			{Key: etf.Atom("vsn"), Value: vsn},
			{Key: etf.Atom("args"), Value: etf.List{}},
			{Key: etf.Atom("restart"), Value: restart},
		}}}
	}
	goodVsn := etf.Binary(strings.Repeat("ab", 32))
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{name: "empty", data: nil, want: "manifest corrupt: 0 bytes is too short"},
		{name: "truncated", data: valid[:len(valid)-1], want: "manifest corrupt: checksum mismatch"},
		{name: "flipped bit", data: append([]byte{valid[0] ^ 1}, valid[1:]...), want: "manifest corrupt: checksum mismatch"},
		{name: "not etf", data: checksummed([]byte("garbage")), want: "manifest corrupt: etf: invalid term: version byte is 103, not 131 at offset 0"},
		{name: "other term", data: withSum(etf.Atom("hello")), want: "manifest corrupt: not a creo manifest"},
		{name: "future version", data: withSum(etf.Tuple{manifestTag, etf.Int(2), etf.List{}}), want: "manifest corrupt: version 2, want 1"},
		{name: "servers not a list", data: withSum(etf.Tuple{manifestTag, etf.Int(1), etf.Atom("x")}), want: "manifest corrupt: servers are not a list"},
		{name: "server not a map", data: withSum(etf.Tuple{manifestTag, etf.Int(1), etf.List{etf.Int(1)}}), want: "manifest corrupt: server 0: not a map"},
		{name: "name not an atom", data: withSum(entry(etf.Binary("x"), goodVsn, etf.Atom("permanent"))), want: "manifest corrupt: server 0: bad or missing name"},
		{name: "short vsn", data: withSum(entry(etf.Atom("x"), etf.Binary("ab"), etf.Atom("permanent"))), want: "manifest corrupt: server 0: x: bad or missing vsn"},
		{name: "bad restart", data: withSum(entry(etf.Atom("x"), goodVsn, etf.Atom("sometimes"))), want: "manifest corrupt: server 0: x: bad or missing restart"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeManifest(tt.data)
			if err == nil || err.Error() != tt.want {
				t.Errorf("got error %v, want %q", err, tt.want)
			}
			if !errors.Is(err, errManifestCorrupt) {
				t.Errorf("%v is not errManifestCorrupt", err)
			}
		})
	}
}

func TestManifestCrash(t *testing.T) {
	entries := testEntries(2)
	setup := func(s *moduleStore) {
		if err := newManifest(s, nil).put(entries[0]); err != nil {
			t.Fatal(err)
		}
	}
	crashEverywhere(t, setup, func(s *moduleStore) error {
		return newManifest(s, entries[:1]).put(entries[1])
	}, func(t *testing.T, s *moduleStore, succeeded bool) {
		got, err := s.readManifest()
		if err != nil {
			t.Fatalf("the crash left a manifest that does not read: %v", err)
		}
		switch {
		case succeeded && len(got) != 2:
			t.Errorf("the put succeeded but the crash left %d servers, want 2", len(got))
		case len(got) != 1 && len(got) != 2:
			t.Errorf("the crash left %d servers, want the old 1 or the new 2", len(got))
		}
	})
}

func TestManifestGroupCommit(t *testing.T) {
	const n = 64
	c, s := freshStore(t, nil)
	m := newManifest(s, nil)
	// The first write waits until every put has made its change, so the
	// second write must carry all the others.
	var once sync.Once
	c.beforeRename = func() {
		once.Do(func() {
			for {
				m.mu.Lock()
				changes := m.changes
				m.mu.Unlock()
				if changes == n {
					return
				}
				runtime.Gosched()
			}
		})
	}
	var wg sync.WaitGroup
	for _, e := range testEntries(n) {
		wg.Go(func() {
			if err := m.put(e); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, err := s.readManifest()
	if err != nil || len(got) != n {
		t.Fatalf("read back %d servers, %v; want %d", len(got), err, n)
	}
	if writes := c.renames[filepath.Join(storeDir, manifestName)]; writes != 2 {
		t.Errorf("%d puts made %d writes, want 2: the first, and one for all that came during it", n, writes)
	}
}

func TestManifestFailedWriteIsRetried(t *testing.T) {
	entries := testEntries(2)
	c, s := freshStore(t, nil)
	m := newManifest(s, nil)
	c.failAt = 1
	if err := m.put(entries[0]); !errors.Is(err, errInjected) {
		t.Fatalf("put with a failing disk: %v, want the injected failure", err)
	}
	if err := m.put(entries[1]); err != nil {
		t.Fatal(err)
	}
	got, err := reopen(t, c).readManifest()
	if err != nil || len(got) != 2 {
		t.Errorf("read back %d servers, %v; want both: the failed change is written by the next write", len(got), err)
	}
}

func TestOpenModuleStoreRemovesTemps(t *testing.T) {
	c, s := freshStore(t, nil)
	for _, dir := range []string{storeDir, s.modules} {
		f, err := c.CreateTemp(dir, tempPrefix+"x-*")
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		c.SyncDir(dir)
	}
	reopen(t, c) // fails the test if a temporary file is left
}
