package host

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// crashFS is an in-memory storeFS that models what a crash keeps: the
// bytes a file got since its last Sync are lost, and so are the entries a
// directory gained, lost or renamed since its last SyncDir. It can also
// fail its nth operation, which is where a test makes the crash happen.
type crashFS struct {
	mu     sync.Mutex
	dirs   map[string]*memDir
	ops    int // operations so far
	failAt int // the operation that fails; 0 for none
	// renames counts the renames onto each path, as writes that landed.
	renames map[string]int
	temps   int
	// beforeRename, when set, runs before each rename, without c.mu.
	beforeRename func()
}

// memDir is a directory: its entries now, and those a crash keeps.
type memDir struct {
	live, durable map[string]*memFile
}

// memFile is a file's content now, and what a crash keeps of it.
type memFile struct {
	data, synced []byte
}

// errInjected is the failure crashFS injects.
var errInjected = errors.New("injected failure")

func newCrashFS() *crashFS {
	return &crashFS{dirs: map[string]*memDir{}, renames: map[string]int{}}
}

// step counts an operation and reports the injected failure when it is
// the one to fail. c.mu must be held.
func (c *crashFS) step(op string) error {
	c.ops++
	if c.ops == c.failAt {
		return fmt.Errorf("%s: %w", op, errInjected)
	}
	return nil
}

// crash drops what was not made durable, and stops injecting failures.
func (c *crashFS) crash() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range c.dirs {
		d.live = maps.Clone(d.durable)
		for _, f := range d.live {
			f.data = slices.Clone(f.synced)
		}
	}
	c.failAt = 0
}

func (c *crashFS) dir(name string) (*memDir, error) {
	d, ok := c.dirs[filepath.Clean(name)]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return d, nil
}

func (c *crashFS) lookup(name string) (*memDir, string, error) {
	d, err := c.dir(filepath.Dir(name))
	return d, filepath.Base(name), err
}

func (c *crashFS) MkdirAll(dir string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step("mkdir"); err != nil {
		return err
	}
	// Directories are made durable at once: the store never relies on
	// their creation surviving a crash before its first SyncDir anyway.
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, ok := c.dirs[d]; !ok {
			c.dirs[d] = &memDir{live: map[string]*memFile{}, durable: map[string]*memFile{}}
		}
		if d == filepath.Dir(d) {
			return nil
		}
	}
}

func (c *crashFS) CreateTemp(dir, pattern string) (storeFile, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step("create"); err != nil {
		return nil, err
	}
	d, err := c.dir(dir)
	if err != nil {
		return nil, err
	}
	c.temps++
	i := len(pattern) - 1
	for i >= 0 && pattern[i] != '*' {
		i--
	}
	name := fmt.Sprintf("%s%d%s", pattern[:i], c.temps, pattern[i+1:])
	f := &memFile{}
	d.live[name] = f
	return &memHandle{fs: c, f: f, name: filepath.Join(dir, name)}, nil
}

func (c *crashFS) Rename(oldpath, newpath string) error {
	if c.beforeRename != nil {
		c.beforeRename()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step("rename"); err != nil {
		return err
	}
	od, oname, err := c.lookup(oldpath)
	if err != nil {
		return err
	}
	nd, nname, err := c.lookup(newpath)
	if err != nil {
		return err
	}
	f, ok := od.live[oname]
	if !ok {
		return &fs.PathError{Op: "rename", Path: oldpath, Err: fs.ErrNotExist}
	}
	delete(od.live, oname)
	nd.live[nname] = f
	c.renames[filepath.Clean(newpath)]++
	return nil
}

// file counts operation op on the file name and returns the file, its
// directory and base name. c.mu must be held.
func (c *crashFS) file(op, name string) (*memFile, *memDir, string, error) {
	if err := c.step(op); err != nil {
		return nil, nil, "", err
	}
	d, base, err := c.lookup(name)
	if err != nil {
		return nil, nil, "", err
	}
	f, ok := d.live[base]
	if !ok {
		return nil, nil, "", &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return f, d, base, nil
}

func (c *crashFS) Remove(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, d, base, err := c.file("remove", name)
	if err != nil {
		return err
	}
	delete(d.live, base)
	return nil
}

func (c *crashFS) ReadFile(name string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, _, _, err := c.file("read", name)
	if err != nil {
		return nil, err
	}
	return slices.Clone(f.data), nil
}

func (c *crashFS) Stat(name string) (fs.FileInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, _, base, err := c.file("stat", name)
	if err != nil {
		return nil, err
	}
	return memInfo{name: base, size: int64(len(f.data))}, nil
}

func (c *crashFS) ReadDir(dir string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step("readdir"); err != nil {
		return nil, err
	}
	d, err := c.dir(dir)
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(d.live)), nil
}

func (c *crashFS) SyncDir(dir string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.step("syncdir"); err != nil {
		return err
	}
	d, err := c.dir(dir)
	if err != nil {
		return err
	}
	d.durable = maps.Clone(d.live)
	return nil
}

// memHandle is an open file of a crashFS.
type memHandle struct {
	fs   *crashFS
	f    *memFile
	name string
}

func (h *memHandle) Name() string { return h.name }

func (h *memHandle) Write(p []byte) (int, error) {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if err := h.fs.step("write"); err != nil {
		return 0, err
	}
	h.f.data = append(h.f.data, p...)
	return len(p), nil
}

func (h *memHandle) Sync() error {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if err := h.fs.step("sync"); err != nil {
		return err
	}
	h.f.synced = slices.Clone(h.f.data)
	return nil
}

func (h *memHandle) Close() error {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	return h.fs.step("close")
}

// memInfo is what Stat says of a file of a crashFS.
type memInfo struct {
	name string
	size int64
}

func (i memInfo) Name() string       { return i.name }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o644 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
