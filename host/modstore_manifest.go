package host

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/creo-dev/creo/etf"
)

// serverEntry is one deployed server in the manifest: what it takes to
// start it again after the node restarts.
type serverEntry struct {
	Name    etf.Atom
	Vsn     string // the module's SHA-256 in hex
	Args    etf.Term
	Restart Restart
}

// The manifest file is the term
//
//	{creo_manifest, 1, [#{name => Name, vsn => <<Hex>>, args => Args, restart => Restart}]}
//
// as term_to_binary/1 writes it, followed by the 32 bytes of its SHA-256,
// which tell a manifest cut short or damaged from a valid one. Servers are
// sorted by name, so that equal manifests are equal files.
const (
	manifestTag     etf.Atom = "creo_manifest"
	manifestVersion          = 1
)

// errManifestCorrupt is why a manifest file cannot be read back.
var errManifestCorrupt = errors.New("manifest corrupt")

// encodeManifest returns the manifest file for entries.
func encodeManifest(entries []serverEntry) ([]byte, error) {
	entries = slices.Clone(entries)
	slices.SortFunc(entries, func(a, b serverEntry) int { return strings.Compare(string(a.Name), string(b.Name)) })
	servers := make(etf.List, len(entries))
	for i, e := range entries {
		servers[i] = etf.Map{
			{Key: etf.Atom("name"), Value: e.Name},
			{Key: etf.Atom("vsn"), Value: etf.Binary(e.Vsn)},
			{Key: etf.Atom("args"), Value: e.Args},
			{Key: etf.Atom("restart"), Value: etf.Atom(e.Restart.String())},
		}
	}
	data, err := etf.Encode(etf.Tuple{manifestTag, etf.Int(manifestVersion), servers})
	if err != nil {
		return nil, fmt.Errorf("host: manifest: %w", err)
	}
	sum := sha256.Sum256(data)
	return append(data, sum[:]...), nil
}

// decodeManifest reads a manifest file back.
func decodeManifest(data []byte) ([]serverEntry, error) {
	if len(data) < sha256.Size {
		return nil, fmt.Errorf("%w: %d bytes is too short", errManifestCorrupt, len(data))
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, fmt.Errorf("%w: checksum mismatch", errManifestCorrupt)
	}
	t, err := etf.Decode(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errManifestCorrupt, err)
	}
	top, ok := t.(etf.Tuple)
	if !ok || len(top) != 3 || top[0] != manifestTag {
		return nil, fmt.Errorf("%w: not a creo manifest", errManifestCorrupt)
	}
	if top[1] != etf.Int(manifestVersion) {
		return nil, fmt.Errorf("%w: version %s, want %d", errManifestCorrupt, etf.Format(top[1]), manifestVersion)
	}
	servers, ok := top[2].(etf.List)
	if !ok {
		return nil, fmt.Errorf("%w: servers are not a list", errManifestCorrupt)
	}
	entries := make([]serverEntry, 0, len(servers))
	for i, s := range servers {
		e, err := decodeServerEntry(s)
		if err != nil {
			return nil, fmt.Errorf("%w: server %d: %w", errManifestCorrupt, i, err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

func decodeServerEntry(t etf.Term) (serverEntry, error) {
	m, ok := t.(etf.Map)
	if !ok {
		return serverEntry{}, errors.New("not a map")
	}
	get := func(key etf.Atom) etf.Term {
		if i := slices.IndexFunc(m, func(p etf.Pair) bool { return p.Key == key }); i >= 0 {
			return m[i].Value
		}
		return nil
	}
	var e serverEntry
	if e.Name, ok = get("name").(etf.Atom); !ok {
		return serverEntry{}, errors.New("bad or missing name")
	}
	vsn, ok := get("vsn").(etf.Binary)
	if !ok || len(vsn) != 2*sha256.Size {
		return serverEntry{}, fmt.Errorf("%s: bad or missing vsn", e.Name)
	}
	e.Vsn = string(vsn)
	if e.Args = get("args"); e.Args == nil {
		return serverEntry{}, fmt.Errorf("%s: missing args", e.Name)
	}
	restart, _ := get("restart").(etf.Atom)
	if e.Restart, ok = parseRestart(restart); !ok {
		return serverEntry{}, fmt.Errorf("%s: bad or missing restart", e.Name)
	}
	return e, nil
}

// parseRestart returns the restart type named a.
func parseRestart(a etf.Atom) (Restart, bool) {
	for _, r := range []Restart{Permanent, Transient, Temporary} {
		if string(a) == r.String() {
			return r, true
		}
	}
	return 0, false
}

// readManifest returns the servers of the store's manifest, none when
// there is no manifest yet.
func (s *moduleStore) readManifest() ([]serverEntry, error) {
	data, err := s.fs.ReadFile(filepath.Join(s.dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("host: module store: %w", err)
	}
	entries, err := decodeManifest(data)
	if err != nil {
		return nil, fmt.Errorf("host: module store: %s: %w", filepath.Join(s.dir, manifestName), err)
	}
	return entries, nil
}

// writeManifest replaces the manifest with data, atomically.
func (s *moduleStore) writeManifest(data []byte) error {
	if err := writeFileAtomic(s.fs, s.dir, manifestName, data); err != nil {
		return fmt.Errorf("host: module store: write manifest: %w", err)
	}
	return nil
}

// manifest is the durable list of deployed servers. It is written whole on
// every change; changes that come while a write is under way are written
// together by the next one (a group commit), so many servers deployed at
// once cost a few writes, not one each.
type manifest struct {
	store *moduleStore

	mu      sync.Mutex
	written *sync.Cond // broadcast after every write
	entries map[etf.Atom]serverEntry
	changes uint64 // changes made so far
	saved   uint64 // changes a successful write made durable
	failed  uint64 // changes the last failed write held
	err     error  // why that write failed
	writing bool
	// readOnly, when set, is why no change may be written: every commit
	// fails with it, changing nothing.
	readOnly error
}

func newManifest(store *moduleStore, entries []serverEntry) *manifest {
	m := &manifest{store: store, entries: make(map[etf.Atom]serverEntry, len(entries))}
	m.written = sync.NewCond(&m.mu)
	for _, e := range entries {
		m.entries[e.Name] = e
	}
	return m
}

// put adds or replaces the entry of e.Name, and returns once the manifest
// holding it is durable.
func (m *manifest) put(e serverEntry) error {
	return m.commit(func(entries map[etf.Atom]serverEntry) { entries[e.Name] = e })
}

// remove removes the entry of name, and returns once that is durable.
func (m *manifest) remove(name etf.Atom) error {
	return m.commit(func(entries map[etf.Atom]serverEntry) { delete(entries, name) })
}

// commit applies change and waits until a write that holds it succeeded,
// or failed. A failed change stays in memory and is written by the next
// write that succeeds: the caller undoes it if it must.
func (m *manifest) commit(change func(map[etf.Atom]serverEntry)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.readOnly != nil {
		return m.readOnly
	}
	change(m.entries)
	m.changes++
	mine := m.changes
	for m.saved < mine {
		if m.failed >= mine {
			return m.err
		}
		if !m.writing {
			m.write()
			continue
		}
		m.written.Wait()
	}
	return nil
}

// write writes every change made so far, with m.mu held on entry and on
// return but not during the write, so that changes keep coming meanwhile.
func (m *manifest) write() {
	m.writing = true
	upTo := m.changes
	entries := make([]serverEntry, 0, len(m.entries))
	for _, e := range m.entries {
		entries = append(entries, e)
	}
	m.mu.Unlock()
	data, err := encodeManifest(entries)
	if err == nil {
		err = m.store.writeManifest(data)
	}
	m.mu.Lock()
	m.writing = false
	if err != nil {
		m.failed, m.err = upTo, err
	} else {
		m.saved = upTo
	}
	m.written.Broadcast()
}

// setManifestAside renames a manifest that does not read to
// manifest.corrupt-<time>, where an operator can look at it, so that
// writing a new one does not destroy it. It returns the new path.
func (s *moduleStore) setManifestAside(now time.Time) (string, error) {
	path := filepath.Join(s.dir, manifestName)
	aside := path + ".corrupt-" + now.UTC().Format("20060102T150405.000000000Z")
	if err := s.fs.Rename(path, aside); err != nil {
		return "", fmt.Errorf("host: module store: %w", err)
	}
	if err := s.fs.SyncDir(s.dir); err != nil {
		return "", fmt.Errorf("host: module store: %w", err)
	}
	return aside, nil
}
