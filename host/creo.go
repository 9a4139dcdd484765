package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
)

// ManagerName is the name the creo management server is registered under
// on every node that runs a [Manager].
const ManagerName etf.Atom = "creo"

// DefaultMaxModuleSize is the largest module a [Manager] accepts unless
// [ManagerConfig] says otherwise: eight times the Go guests of guests/.
const DefaultMaxModuleSize = 32 << 20

// ManagerConfig configures a node's creo management server.
type ManagerConfig struct {
	// DataDir is the node's data directory: uploaded modules and the
	// manifest of deployed servers are kept there. Required.
	DataDir string
	// MaxModuleSize is the most bytes a module may have; zero means
	// DefaultMaxModuleSize.
	MaxModuleSize int
	// Module bounds the modules deployed through the manager; zero fields
	// take abi's defaults.
	Module abi.ModuleConfig
	// Intensity restarts within Period are allowed to each deployed server
	// before its supervisor gives up; zero means the Wasm defaults.
	Intensity int
	Period    time.Duration
	// Logger receives what the manager restores, refuses and fails at.
	// Nil means slog.Default().
	Logger *slog.Logger
}

// Manager is a node's creo management server: it deploys WebAssembly
// modules as supervised servers, hot-reloads them, stops them and lists
// them, for Go code through its methods and for any node of the cluster
// through the server registered as creo ([ManagerName]). What it accepts
// survives a restart of the node: [StartManager] brings every deployed
// server back, on the module it last ran.
//
// # Calls
//
// Elixir reaches it with GenServer.call({:creo, node}, Request), Erlang
// with gen_server:call({creo, Node}, Request):
//
//	{deploy, Name, Wasm}                 {ok, Pid} | {error, Reason}; init gets []
//	{deploy, Name, Wasm, InitArgs}       {ok, Pid} | {error, Reason}
//	{deploy, Name, Wasm, InitArgs, Opts} the same; Opts is [{restart, permanent | transient | temporary}]
//	{reload, Name, Wasm}                 ok | {error, Reason}
//	{reload, [Name], Wasm}               ok | {error, [{Name, Reason}]}: the servers that failed
//	{stop, Name}                         ok | {error, Reason}
//	which_servers                        [{Name, Pid, Vsn}]
//	servers                              [Info]
//	{info, Name}                         {ok, Info} | {error, not_found}
//
// Vsn is the SHA-256 of the server's module as a binary of 64 hex digits.
// Pid is undefined while a server is down (restarting, given up on by its
// supervisor, or not restored). Info is a map for tools such as the host
// command's ps:
//
//	#{name => Name, pid => Pid | undefined, vsn => Vsn,
//	  restart => permanent | transient | temporary | undefined,
//	  restarts => N, message_queue_len => N, status => Status,
//	  deployed => true | false}
//
// where restarts counts the restarts of the running server by its
// supervisor, status is what process_info says (waiting, running,
// suspended, exiting), down, or {restore_failed, Reason}, and deployed is
// false for a server started otherwise than through creo (restart is then
// undefined). Each call of the table is also a function of a module creo
// for rpc: erpc:call(Node, creo, deploy, [Name, Wasm]) returns what the
// call returns.
//
// # Refusals
//
// A refused request changes nothing: the node, its servers and the
// manifest are as before, and the reply is {error, Reason}:
//
//	{bad_name, Term}                  the name is not an atom, or is undefined
//	{bad_option, Term}                an option of deploy is not understood
//	{module_too_large, Size, Limit}   the module has more than MaxModuleSize bytes
//	{invalid_module, Message}         not WebAssembly, cut short, without an export the
//	                                  ABI requires, or failing to start its first instance
//	{already_started, Pid}            the name is taken (Pid undefined if the server is down)
//	not_found                         reload, stop or info of a name creo does not run
//	not_running                       reload of a server that is down
//	{init_failed, Reason}             the new server's init failed with Reason
//	{code_change_failed, Reason}      code_change returned {error, Reason} or failed:
//	                                  the server goes on with its old module and state
//	{store_failed, Message}           the data directory could not be written
//	{unknown_call, Request}           a request not in the table above
//
// # Storage
//
// Modules are stored in DataDir/modules, named by their SHA-256, and the
// manifest of deployed servers (name, vsn, init args, restart type) in
// DataDir/manifest; each file is written to a temporary file, synced,
// renamed into place and its directory synced, so a crash at any point
// leaves the old file or the new one. {ok, Pid} and ok are answered only
// once the module and the manifest entry are durable; a change whose
// manifest write fails is answered {store_failed, Message} and stays in
// memory, written by the next write that succeeds. Writes that come while
// one is under way are written together by the next one. Modules no
// deployed server runs are deleted.
//
// At start the manifest is read back and every server is started again,
// on the module it last ran, compiled from the compilation cache. A
// manifest that does not read is logged, renamed aside
// (manifest.corrupt-<time>) and replaced by an empty one; a server whose
// module is missing or damaged, or whose init fails, is logged and kept in
// the manifest, listed as down with status {restore_failed, Reason}: a
// reload starts it from the new module, a stop removes it.
//
// # Hot reload
//
// A reload runs between two messages of the server: messages that arrive
// meanwhile wait in its mailbox, none is lost and their order is kept. The
// new module is loaded once however many servers move to it, and its
// code_change(OldVsn, State, []) runs in each (OldVsn the binary of the old
// module's vsn); a module without code_change keeps the state. Reloading a
// name moves that server only, even when other servers run the same
// module: servers are named things, and moving all of a module's servers
// is a reload of the list of their names, which which_servers gives.
// The servers of a list reload in parallel, the idle ones first and the
// ones busy with a message after, so that no worker waits on a busy server
// while idle ones could move; each that fails stays on its old module, the
// others move.
//
// Measured (BenchmarkReload, BenchmarkRestore: medians of 3 runs in one
// process on the team's shared 2-core machine, counters of
// guests/counter, a 4 MB Go guest):
//
//	compile the module cold, no cache            2.12 s
//	load it from the compilation cache           96 ms
//	reload 1,000 servers (the load included)     146 ms   1.5x the load
//	reload 10,000 servers                        196 ms   2.0x the load, 0.09x a cold compile
//	restart a node that restores 1,000 servers   90 ms
//
// Reloading a module creo never saw costs its cold compile and then about
// 10 µs a server: the servers move in parallel (2.7 times faster than one
// by one at 10,000), and the manifest is written once for all of them.
//
// Servers started otherwise than through creo (from the host command's
// configuration or --serve) are listed, and can be reloaded and stopped,
// but are not in the manifest: the configuration starts them at boot.
//
// # rpc
//
// StartManager also answers the spawn requests of rpc and erpc from other
// nodes for this node: creo's functions above, and erlang:node/0,
// erlang:nodes/0, erlang:whereis/1, erlang:is_process_alive/1 and
// erlang:system_info/1 for process_count, schedulers, schedulers_online,
// logical_processors(_available, _online), wordsize, creation,
// system_architecture and system_version (creo's own). Anything else is
// answered as a BEAM node answers a function it does not have:
// rpc:call returns {badrpc, {'EXIT', {undef, [{M, F, A, []}]}}} and
// erpc:call raises undef. That includes erpc:call(Node, Fun), which
// applies erlang:apply/2: creo runs no Erlang code. rex answers
// rpc:block_call with the same functions.
//
// global:resolve_it/4 is served too on a visible node: a BEAM node that
// resolves a clash of global names calls it on the node of the pid that
// holds the name in its partition, which may be creo's. creo applies the
// method as its own global does (see [Global]).
type Manager struct {
	node     *Node
	wasm     *Wasm
	store    *moduleStore
	manifest *manifest
	cfg      ManagerConfig
	log      *slog.Logger

	mu sync.Mutex
	// names holds a lock for each name a request is working on, so that
	// requests for one name run one at a time and others in parallel.
	names map[etf.Atom]*nameLock
	// modules counts, for each module on disk, the manifest entries that
	// run it and the requests that stored it and have not finished.
	modules map[string]int
	// broken are the deployed servers that could not be restored, with
	// the reason.
	broken map[etf.Atom]etf.Term
}

// nameLock is the lock of one name, kept while requests hold or want it.
type nameLock struct {
	sync.Mutex
	users int // under Manager.mu
}

// StartManager starts the creo management server of node n, whose Wasm
// is w: it opens the store in cfg.DataDir, starts again the servers the
// manifest lists, registers creo under the node's root supervisor and
// answers rpc from other nodes (see [Manager]). n must be booted.
func StartManager(ctx context.Context, n *Node, w *Wasm, cfg ManagerConfig) (*Manager, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("host: creo: no data directory")
	}
	if cfg.MaxModuleSize <= 0 {
		cfg.MaxModuleSize = DefaultMaxModuleSize
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	store, err := openModuleStore(osFS{}, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	m := &Manager{
		node:    n,
		wasm:    w,
		store:   store,
		cfg:     cfg,
		log:     log.With("server", string(ManagerName)),
		names:   map[etf.Atom]*nameLock{},
		modules: map[string]int{},
		broken:  map[etf.Atom]etf.Term{},
	}
	m.restore(ctx)
	// Under the root rather than among the system processes: those are
	// the ones Boot was given, and a system supervisor restarted by the
	// root would start them alone. Added last, creo is also the first
	// child the root stops, so no deploy comes while the node shuts down.
	_, err = n.StartChild(ctx, RootSupervisor, ChildSpec{
		ID:      ManagerName,
		Start:   ServerStart(managerServer{m: m}, ManagerName, Options{Name: ManagerName}),
		Modules: []etf.Atom{ManagerName},
	})
	if err != nil {
		return nil, fmt.Errorf("host: creo: start: %w", err)
	}
	n.SetSpawnHandler(n.serveRPC)
	return m, nil
}

// lock takes the lock of name and returns its unlock.
func (m *Manager) lock(name etf.Atom) (unlock func()) {
	_, unlock = m.lockAll([]etf.Atom{name})
	return unlock
}

// lockAll takes the locks of names, in order so that two requests for
// overlapping names cannot wait on each other, and returns the names in
// that order, each once, and their unlock. The names are counted as users
// of their locks under one hold of m.mu, not one each: a reload takes
// thousands.
func (m *Manager) lockAll(names []etf.Atom) (sorted []etf.Atom, unlock func()) {
	sorted = slices.Clone(names)
	slices.SortFunc(sorted, func(a, b etf.Atom) int { return strings.Compare(string(a), string(b)) })
	sorted = slices.Compact(sorted)
	locks := make([]*nameLock, len(sorted))
	m.mu.Lock()
	for i, name := range sorted {
		l := m.names[name]
		if l == nil {
			l = &nameLock{}
			m.names[name] = l
		}
		l.users++
		locks[i] = l
	}
	m.mu.Unlock()
	for _, l := range locks {
		l.Lock()
	}
	return sorted, func() {
		for _, l := range locks {
			l.Unlock()
		}
		m.mu.Lock()
		for i, l := range locks {
			if l.users--; l.users == 0 {
				delete(m.names, sorted[i])
			}
		}
		m.mu.Unlock()
	}
}

// holdModule counts one more user of the module vsn on disk.
func (m *Manager) holdModule(vsn string) {
	m.mu.Lock()
	m.modules[vsn]++
	m.mu.Unlock()
}

// releaseModule counts one user less of the module vsn, and deletes it
// from disk after the last. The count and the deletion happen under one
// lock, so a request that holds the module before it stores it never sees
// it deleted.
func (m *Manager) releaseModule(vsn string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.modules[vsn]--; m.modules[vsn] > 0 {
		return
	}
	delete(m.modules, vsn)
	if err := m.store.remove(vsn); err != nil {
		m.log.Warn("host: creo: a module no server runs could not be deleted", "vsn", vsn, "err", err)
	}
}

// entry returns the manifest entry of name.
func (m *Manager) entry(name etf.Atom) (serverEntry, bool) {
	m.manifest.mu.Lock()
	defer m.manifest.mu.Unlock()
	e, ok := m.manifest.entries[name]
	return e, ok
}
