package dist

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// gateFiles are the files the readers' poll gate (spin_linux.go) reads,
// found once per process.
//
// In a container the machine may look free while the container's CPU
// quota is spent, and a poll spends quota that the idle cores of the
// machine do not give back. So the gate reads, beside the machine's
// pressure, that of the process's own cgroup v2, where the kernel counts a
// throttled cgroup's runnable tasks as waiting for a CPU
// (Documentation/accounting/psi.rst, "Cgroup2 interface"; since Linux
// 5.7); and readers never poll while a quota smaller than the CPUs the
// process may use is set on its cgroup or an ancestor: cgroup v2's
// cpu.max, or under cgroup v1 the cpu controller's cpu.cfs_quota_us.
// Waiting to see the cgroup throttled would be too late: cpu.stat's
// throttled_usec grows only when a throttled period ends, after the quota
// was spent. A quota of at least as many CPUs as the process may run on
// never throttles it, so it does not stop the poll. The machine's pressure
// still counts in a cgroup: a peer in another cgroup, such as the Elixir
// node a container serves, waits on the same cores.
//
// A cgroup whose mount point /proc/self/mountinfo writes with escaped
// characters is not found: the gate then reads the machine's pressure
// alone and sees no quota, and Config's DisableBusyPoll is the way to keep
// a throttled node from polling.
type gateFiles struct {
	// pressure are the CPU pressure files whose "some" totals must grow
	// slowly for readers to poll: the machine's, and the process's cgroup
	// v2's when it has one.
	pressure []string
	// quotas are the quota files of the process's cgroup and its
	// ancestors, up to the hierarchy's mount point.
	quotas []quotaFile
}

// quotaFile is where a cgroup's CPU quota is: cgroup v2's cpu.max, or
// cgroup v1's cpu.cfs_quota_us and cpu.cfs_period_us.
type quotaFile struct {
	dir string
	v1  bool
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
	// The cpu controller is in one hierarchy: v1's, when the kernel has it
	// bound there, else v2's.
	for _, v1 := range []bool{true, false} {
		mount, dir, ok := cgroupDir(own, mounts, v1)
		if !ok {
			continue
		}
		mount, dir = filepath.Join(root, mount), filepath.Join(root, dir)
		if pressure := filepath.Join(dir, "cpu.pressure"); !v1 && exists(pressure) {
			files.pressure = append(files.pressure, pressure)
		}
		for d := dir; ; d = filepath.Dir(d) {
			files.quotas = append(files.quotas, quotaFile{dir: d, v1: v1})
			if d == mount || len(d) <= len(mount) {
				break
			}
		}
	}
	return files
}

// exists reports whether there is a file at path.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// quotaBinds reports whether a quota of fewer than cpus CPUs is set on
// the cgroup or one of its ancestors. A missing quota file sets none (the
// root has none, nor a cgroup v2 whose parent does not enable the cpu
// controller); a file that cannot be read or understood is taken as a
// quota that binds.
func (f *gateFiles) quotaBinds(cpus int) bool {
	for _, q := range f.quotas {
		cpuMax, err := q.read()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return true
		}
		if quota, limited := cpuQuota(cpuMax); limited && quota < float64(cpus) {
			return true
		}
	}
	return false
}

// read returns the quota as cpu.max writes it: "$MAX $PERIOD", where $MAX
// is "max" for no limit, and cgroup v1 writes -1.
func (q quotaFile) read() (string, error) {
	if !q.v1 {
		b, err := os.ReadFile(filepath.Join(q.dir, "cpu.max"))
		return string(b), err
	}
	quota, err := os.ReadFile(filepath.Join(q.dir, "cpu.cfs_quota_us"))
	if err != nil {
		return "", err
	}
	period, err := os.ReadFile(filepath.Join(q.dir, "cpu.cfs_period_us"))
	if err != nil {
		return "", err
	}
	return string(bytes.TrimSpace(quota)) + " " + string(bytes.TrimSpace(period)), nil
}

// cgroupDir returns the directory of the process's cgroup that has the
// cpu controller under v1, or its cgroup v2, and the mount point of the
// hierarchy that holds it, from /proc/self/cgroup and
// /proc/self/mountinfo.
func cgroupDir(procCgroup, mountinfo []byte, v1 bool) (mount, dir string, ok bool) {
	path, ok := ownCgroup(procCgroup, v1)
	if !ok {
		return "", "", false
	}
	mount, rel, ok := cgroupMount(mountinfo, path, v1)
	if !ok {
		return "", "", false
	}
	return mount, filepath.Join(mount, rel), true
}

// ownCgroup returns the process's cgroup path from its /proc/self/cgroup,
// whose lines are "hierarchy:controllers:path": under cgroup v1, that of
// the hierarchy with the cpu controller; under v2, the "0::" line's.
func ownCgroup(procCgroup []byte, v1 bool) (string, bool) {
	for line := range bytes.Lines(procCgroup) {
		fields := strings.SplitN(strings.TrimSuffix(string(line), "\n"), ":", 3)
		if len(fields) != 3 || !strings.HasPrefix(fields[2], "/") {
			continue
		}
		v2 := fields[0] == "0" && fields[1] == ""
		if v1 && !v2 && slices.Contains(strings.Split(fields[1], ","), "cpu") || !v1 && v2 {
			return fields[2], true
		}
	}
	return "", false
}

// cgroupMount returns where the hierarchy holding path is mounted, from
// /proc/self/mountinfo, and path relative to that mount point: under
// cgroup v1 the hierarchy with the cpu controller, under v2 the one
// hierarchy. A mount shows the hierarchy from its root field down, which
// is "/" but for a mount of a subtree.
func cgroupMount(mountinfo []byte, path string, v1 bool) (mount, rel string, ok bool) {
	for line := range bytes.Lines(mountinfo) {
		mnt, fsys, ok := strings.Cut(strings.TrimSuffix(string(line), "\n"), " - ")
		fields, fsFields := strings.Fields(mnt), strings.Fields(fsys)
		if !ok || len(fields) < 5 || len(fsFields) < 3 {
			continue
		}
		if v1 {
			if fsFields[0] != "cgroup" || !slices.Contains(strings.Split(fsFields[2], ","), "cpu") {
				continue
			}
		} else if fsFields[0] != "cgroup2" {
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

// cpuQuota returns the CPUs a quota in cpu.max's form allows: quota ÷
// period. What it cannot read is a limit of zero.
func cpuQuota(cpuMax string) (cpus float64, limited bool) {
	fields := strings.Fields(cpuMax)
	if len(fields) > 0 && (fields[0] == "max" || fields[0] == "-1") {
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
