package host

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// moduleStore keeps the modules uploaded to a node on disk, under the
// node's data directory, and the manifest of the servers deployed from
// them (modstore_manifest.go):
//
//	DataDir/modules/<vsn>.wasm   one file per module, named by its SHA-256 in hex
//	DataDir/manifest             the deployed servers
//
// Every file is written whole or not at all (writeFileAtomic), so a crash
// at any point leaves a store that opens: modules are either complete or
// absent, and the manifest is either the old one or the new one.
type moduleStore struct {
	fs      storeFS
	modules string // DataDir/modules
	dir     string // DataDir, which holds the manifest
}

const (
	modulesDir   = "modules"
	moduleExt    = ".wasm"
	manifestName = "manifest"
)

// openModuleStore opens the store in dataDir, creating it if needed, and
// removes the temporary files an interrupted write left behind.
func openModuleStore(fsys storeFS, dataDir string) (*moduleStore, error) {
	s := &moduleStore{fs: fsys, dir: dataDir, modules: filepath.Join(dataDir, modulesDir)}
	if err := fsys.MkdirAll(s.modules); err != nil {
		return nil, fmt.Errorf("host: module store: %w", err)
	}
	for _, dir := range []string{s.dir, s.modules} {
		names, err := fsys.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("host: module store: %w", err)
		}
		for _, name := range names {
			if strings.HasPrefix(name, tempPrefix) {
				_ = fsys.Remove(filepath.Join(dir, name))
			}
		}
	}
	return s, nil
}

// moduleVsn returns the version of the module wasm: the SHA-256 of its bytes,
// in lowercase hex, as abi.Module.Vsn reports it.
func moduleVsn(wasm []byte) string {
	sum := sha256.Sum256(wasm)
	return hex.EncodeToString(sum[:])
}

// put stores wasm, whose version is vsn, and returns once it is durable. A
// module stored already is not written again: content addressing makes the
// file that exists the same bytes.
func (s *moduleStore) put(vsn string, wasm []byte) error {
	name := vsn + moduleExt
	switch _, err := s.fs.Stat(filepath.Join(s.modules, name)); {
	case err == nil:
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("host: module store: %w", err)
	}
	if err := writeFileAtomic(s.fs, s.modules, name, wasm); err != nil {
		return fmt.Errorf("host: module store: write module %.12s: %w", vsn, err)
	}
	return nil
}

// errModuleMissing is why a module the manifest names cannot be read.
var errModuleMissing = errors.New("module file missing")

// get returns the module vsn, checking that its bytes still hash to vsn.
func (s *moduleStore) get(vsn string) ([]byte, error) {
	wasm, err := s.fs.ReadFile(filepath.Join(s.modules, vsn+moduleExt))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("host: module store: module %.12s: %w", vsn, errModuleMissing)
	}
	if err != nil {
		return nil, fmt.Errorf("host: module store: %w", err)
	}
	if got := moduleVsn(wasm); got != vsn {
		return nil, fmt.Errorf("host: module store: module %.12s is corrupt: its bytes hash to %.12s", vsn, got)
	}
	return wasm, nil
}

// remove deletes the module vsn. It need not be durable: a module file
// that survives a crash is removed by the next sweep.
func (s *moduleStore) remove(vsn string) error {
	err := s.fs.Remove(filepath.Join(s.modules, vsn+moduleExt))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("host: module store: %w", err)
	}
	return nil
}

// sweep removes the modules that keep does not name, and returns how many
// it removed.
func (s *moduleStore) sweep(keep func(vsn string) bool) (int, error) {
	names, err := s.fs.ReadDir(s.modules)
	if err != nil {
		return 0, fmt.Errorf("host: module store: %w", err)
	}
	removed := 0
	var errs []error
	for _, name := range names {
		vsn, ok := strings.CutSuffix(name, moduleExt)
		if !ok || keep(vsn) {
			continue
		}
		if err := s.remove(vsn); err != nil {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	return removed, errors.Join(errs...)
}
