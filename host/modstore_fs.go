package host

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// storeFS is the file system the module store writes through: the
// operating system's, or in tests one that fails or crashes on cue, which
// is how the store's atomicity is proved.
type storeFS interface {
	MkdirAll(dir string) error
	// CreateTemp creates a new file in dir whose name is pattern with its
	// last "*" replaced by a random string, as os.CreateTemp does.
	CreateTemp(dir, pattern string) (storeFile, error)
	Rename(oldpath, newpath string) error
	Remove(name string) error
	ReadFile(name string) ([]byte, error)
	Stat(name string) (fs.FileInfo, error)
	// ReadDir returns the names of the entries of dir.
	ReadDir(dir string) ([]string, error)
	// SyncDir makes the renames and removals done in dir durable.
	SyncDir(dir string) error
}

// storeFile is a file being written by the store.
type storeFile interface {
	Name() string
	Write(p []byte) (int, error)
	Sync() error
	Close() error
}

// osFS is the operating system's file system.
type osFS struct{}

var _ storeFS = osFS{}

func (osFS) MkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

func (osFS) CreateTemp(dir, pattern string) (storeFile, error) {
	return os.CreateTemp(dir, pattern)
}

func (osFS) Rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

func (osFS) Remove(name string) error { return os.Remove(name) }

func (osFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

func (osFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

func (osFS) ReadDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, err
}

func (osFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// tempPrefix starts the names of files being written; a crash can leave
// them behind, and opening the store removes them.
const tempPrefix = ".tmp-"

// writeFileAtomic replaces dir/name with data so that, whatever happens
// meanwhile (an error, a crash, a power cut), dir/name holds either its old
// content or all of data: data goes to a temporary file in the same
// directory, is synced, then renamed over name, and the directory is
// synced so that the rename itself survives a crash. It returns only once
// the new content is durable.
func writeFileAtomic(fsys storeFS, dir, name string, data []byte) (err error) {
	f, err := fsys.CreateTemp(dir, tempPrefix+name+"-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			// The temporary file is of no use now; should removing it
			// fail too, the next open removes it.
			_ = fsys.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := fsys.Rename(f.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	if err := fsys.SyncDir(dir); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
