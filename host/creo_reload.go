package host

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/creo-dev/creo/etf"
)

// Reload hot-reloads the server name to the module wasm, keeping its
// state through the module's code_change (see [Manager]). A refusal is a
// *ManagerError; on any, the server goes on with its old module and state.
func (m *Manager) Reload(ctx context.Context, name etf.Atom, wasm []byte) error {
	failed, err := m.reload(ctx, []etf.Atom{name}, wasm)
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		return &ManagerError{Reason: failed[0].reason}
	}
	return nil
}

// ReloadAll hot-reloads each server of names to the module wasm, loading
// it once, the servers in parallel. If the module itself is refused no
// server moves, and the error is that refusal; otherwise the servers that
// could move did, and the error's reason lists the others as
// [{Name, Reason}], sorted by name. A name given twice moves its server
// once.
func (m *Manager) ReloadAll(ctx context.Context, names []etf.Atom, wasm []byte) error {
	failed, err := m.reload(ctx, names, wasm)
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		list := make(etf.List, len(failed))
		for i, f := range failed {
			list[i] = etf.Tuple{f.name, f.reason}
		}
		return &ManagerError{Reason: list}
	}
	return nil
}

// reloadFailure is a server a reload could not move.
type reloadFailure struct {
	name   etf.Atom
	reason etf.Term
}

// reloadJob is one server of a reload.
type reloadJob struct {
	name     etf.Atom
	server   *wasmServer // nil when the Wasm has none of that name
	entry    serverEntry // its manifest entry, when deployed
	deployed bool
	err      error
}

func (m *Manager) reload(ctx context.Context, names []etf.Atom, wasm []byte) ([]reloadFailure, error) {
	for _, name := range names {
		if err := checkName(name); err != nil {
			return nil, err
		}
	}
	if err := m.checkSize(wasm); err != nil {
		return nil, err
	}
	// The names once each, as their locks are taken: a name twice would
	// move its server twice and count its manifest entry twice. Their
	// order, sorted, is also the order of the failures listed.
	names, unlock := m.lockAll(names)
	defer unlock()
	mod, err := m.load(ctx, wasm)
	if err != nil {
		return nil, err
	}
	defer mod.Release()
	vsn := mod.Vsn()
	targets := m.wasm.reloadTargets(names)
	jobs := make([]reloadJob, len(names))
	// The manifest's entries under one hold of its lock, not one each.
	m.manifest.mu.Lock()
	for i, name := range names {
		jobs[i].name = name
		jobs[i].server = targets.servers[i]
		jobs[i].entry, jobs[i].deployed = m.manifest.entries[name]
	}
	m.manifest.mu.Unlock()
	if slices.ContainsFunc(jobs, func(j reloadJob) bool { return j.deployed }) {
		if err := m.storeModule(vsn, wasm); err != nil {
			return nil, err
		}
		defer m.releaseModule(vsn)
	}
	// The idle servers first, each moved on a worker's goroutine; then the
	// few that were busy, each waited for until it is between two messages.
	// Waiting for each busy server as it came held a worker up for as long
	// as that server took to be scheduled, which under load was most of
	// the reload.
	runJobs(jobs,
		func(j *reloadJob) bool {
			done, err := m.reloadOne(ctx, j, mod, targets.vsns, false)
			j.err = err
			return done
		},
		func(j *reloadJob) { _, j.err = m.reloadOne(ctx, j, mod, targets.vsns, true) })

	var failed []reloadFailure
	var moved []serverEntry
	for _, j := range jobs {
		switch {
		case j.err != nil:
			failed = append(failed, reloadFailure{j.name, managerReason(j.err)})
		case j.deployed:
			e := j.entry
			e.Vsn = vsn
			moved = append(moved, e)
		}
	}
	if len(moved) == 0 {
		return failed, nil
	}
	for range moved {
		m.holdModule(vsn)
	}
	err = m.manifest.commit(func(entries map[etf.Atom]serverEntry) {
		for _, e := range moved {
			entries[e.Name] = e
		}
	})
	for _, j := range jobs {
		if j.err == nil && j.deployed {
			m.releaseModule(j.entry.Vsn)
		}
	}
	if err != nil {
		// The servers run the new module; the manifest says so in memory,
		// and its next write that succeeds makes it durable.
		return nil, refuseWith("store_failed", err)
	}
	m.log.Info("host: creo: reloaded", "servers", len(moved), "vsn", vsn)
	return failed, nil
}

// reloadOne moves the server of j to mod, or starts it on mod when it is
// deployed but could not be restored. Unless wait, a server busy with a
// message is left as it is and done is false. vsns are the old modules'
// vsns (see reloadTargets).
func (m *Manager) reloadOne(ctx context.Context, j *reloadJob, mod *WasmModule, vsns map[*WasmModule]etf.Binary, wait bool) (done bool, err error) {
	if j.server == nil {
		return true, m.startBroken(ctx, j, mod)
	}
	done, err = m.wasm.reload(ctx, j.server, mod, reloadExtra, vsns, wait)
	switch {
	case !done, err == nil:
		return done, nil
	case errors.Is(err, ErrNoproc):
		return true, refuse("not_running")
	}
	return true, refuse("code_change_failed", ExitReason(err))
}

// reloadExtra is the Extra the manager's reloads pass to code_change: [],
// boxed once rather than once per server.
var reloadExtra etf.Term = etf.List{}

// startBroken starts the server of j, which the Wasm does not have, on
// mod: a server deployed but not restored. A name never deployed is not
// found.
func (m *Manager) startBroken(ctx context.Context, j *reloadJob, mod *WasmModule) error {
	if !j.deployed {
		return ErrNotFound
	}
	_, err := m.startServer(ctx, j.entry, mod)
	if err == nil {
		m.mu.Lock()
		delete(m.broken, j.name)
		m.mu.Unlock()
	}
	return err
}

// runJobs runs first for each job, in parallel on a few goroutines when
// there are several: a reload waits in each server for its turn between
// two messages, and the servers of a module share its instances. The jobs
// first did not finish are set aside, and each runs later once no job is
// left to start: a worker that has run out of jobs waits for a busy server
// while the others finish theirs, rather than all of them waiting for the
// slowest before any comes back to the busy ones.
func runJobs(jobs []reloadJob, first func(*reloadJob) bool, later func(*reloadJob)) {
	// Each worker takes the next job itself: a feeding goroutine would have
	// to be scheduled for every job, which under load made a reload of
	// thousands of servers wait on it.
	var next atomic.Int64
	var mu sync.Mutex
	var aside []*reloadJob
	work := func() {
		for i := next.Add(1) - 1; i < int64(len(jobs)); i = next.Add(1) - 1 {
			if !first(&jobs[i]) {
				mu.Lock()
				aside = append(aside, &jobs[i])
				mu.Unlock()
			}
		}
		// A worker that sets a job aside comes here after it, so no job
		// set aside is left behind.
		for {
			mu.Lock()
			if len(aside) == 0 {
				mu.Unlock()
				return
			}
			j := aside[len(aside)-1]
			aside = aside[:len(aside)-1]
			mu.Unlock()
			later(j)
		}
	}
	workers := min(len(jobs), 4*runtime.GOMAXPROCS(0))
	if workers <= 1 {
		work()
		return
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(work)
	}
	wg.Wait()
}
