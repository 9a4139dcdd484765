package dist

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// gateFiles are the files the readers' poll gate (spin_linux.go) reads,
// found once per process.
//
// In a container the machine may look free while the container's CPU
// quota (cgroup v2's cpu.max) is spent, and a poll spends quota that the
// idle cores of the machine do not give back. So the gate reads, beside
// the machine's pressure, that of the process's own cgroup, where the
// kernel counts a throttled cgroup's runnable tasks as waiting for a CPU
// (Documentation/accounting/psi.rst, "Cgroup2 interface"; since Linux
// 5.7); and readers never poll while a quota smaller than the CPUs the
// process may use is set on its cgroup or an ancestor. Waiting to see
// the cgroup throttled would be too late: cpu.stat's throttled_usec
// grows only when a throttled period ends, after the quota was spent. A
// quota of at least as many CPUs as the process may run on never
// throttles it, so it does not stop the poll. The machine's pressure
// still counts in a cgroup: a peer in another cgroup, such as the Elixir
// node a container serves, waits on the same cores.
//
// Only cgroup v2 is read: under v1 (or a mount point with escaped
// characters in /proc/self/mountinfo) the cgroup is not found, the gate
// reads the machine's pressure alone and sees no quota; Config's
// DisableBusyPoll is then the way to keep a throttled node from polling.
type gateFiles struct {
	// pressure are the CPU pressure files whose "some" totals must grow
	// slowly for readers to poll: the machine's, and the process's
	// cgroup's when it has one.
	pressure []string
	// quotas are the cpu.max files of the process's cgroup and its
	// ancestors, up to the hierarchy's mount point.
	quotas []string
}

// resolveGateFiles finds the gate's files under root: "/", or a fake
// root in tests.
func resolveGateFiles(root string) gateFiles {
	files := gateFiles{pressure: []string{filepath.Join(root, "proc/pressure/cpu")}}
	own, err := os.ReadFile(filepath.Join(root, "proc/self/cgroup"))
	if err != nil {
		return files
	}
	mounts, err := os.ReadFile(filepath.Join(root, "proc/self/mountinfo"))
	if err != nil {
		return files
	}
	path, ok := unifiedCgroup(own)
	if !ok {
		return files
	}
	mount, rel, ok := cgroup2Mount(mounts, path)
	if !ok {
		return files
	}
	mount = filepath.Join(root, mount)
	dir := filepath.Join(mount, rel)
	if _, err := os.Stat(filepath.Join(dir, "cpu.pressure")); err == nil {
		files.pressure = append(files.pressure, filepath.Join(dir, "cpu.pressure"))
	}
	for d := dir; ; d = filepath.Dir(d) {
		files.quotas = append(files.quotas, filepath.Join(d, "cpu.max"))
		if d == mount || len(d) <= len(mount) {
			break
		}
	}
	return files
}

// quotaBinds reports whether a quota of fewer than cpus CPUs is set on
// the cgroup or one of its ancestors. A missing cpu.max sets none (the
// root has none, nor a cgroup whose parent does not enable the cpu
// controller); a file that cannot be read or understood is taken as a
// quota that binds.
func (f *gateFiles) quotaBinds(cpus int) bool {
	for _, path := range f.quotas {
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return true
		}
		if quota, limited := cpuQuota(b); limited && quota < float64(cpus) {
			return true
		}
	}
	return false
}

// unifiedCgroup returns the process's cgroup v2 path from its
// /proc/self/cgroup: the "0::" line's.
func unifiedCgroup(procCgroup []byte) (string, bool) {
	for line := range bytes.Lines(procCgroup) {
		if path, ok := bytes.CutPrefix(bytes.TrimSuffix(line, []byte("\n")), []byte("0::/")); ok {
			return "/" + string(path), true
		}
	}
	return "", false
}

// cgroup2Mount returns where the cgroup v2 hierarchy holding path is
// mounted, from /proc/self/mountinfo, and path relative to that mount
// point. A mount shows the hierarchy from its root field down, which is
// "/" but for a mount of a subtree.
func cgroup2Mount(mountinfo []byte, path string) (mount, rel string, ok bool) {
	for line := range bytes.Lines(mountinfo) {
		mnt, fsys, ok := strings.Cut(strings.TrimSuffix(string(line), "\n"), " - ")
		if !ok || !strings.HasPrefix(fsys, "cgroup2 ") {
			continue
		}
		fields := strings.Fields(mnt)
		if len(fields) < 5 {
			continue
		}
		root, point := fields[3], fields[4]
		switch {
		case root == "/":
			return point, path, true
		case path == root || strings.HasPrefix(path, root+"/"):
			return point, path[len(root):], true
		}
	}
	return "", "", false
}

// cpuQuota returns the CPUs a cpu.max file allows ("$MAX $PERIOD", where
// $MAX is "max" for no limit): quota ÷ period. What it cannot read is a
// limit of zero.
func cpuQuota(cpuMax []byte) (cpus float64, limited bool) {
	fields := strings.Fields(string(cpuMax))
	if len(fields) > 0 && fields[0] == "max" {
		return 0, false
	}
	if len(fields) != 2 {
		return 0, true
	}
	quota, err := strconv.ParseInt(fields[0], 10, 64)
	period, err2 := strconv.ParseInt(fields[1], 10, 64)
	if err != nil || err2 != nil || quota < 0 || period <= 0 {
		return 0, true
	}
	return float64(quota) / float64(period), true
}
