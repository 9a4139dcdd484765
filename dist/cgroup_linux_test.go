package dist

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestOwnCgroup(t *testing.T) {
	const hybrid = "9:name=systemd:/\n4:memory:/x\n1:cpu,cpuacct:/y\n0::/user.slice\n"
	for _, tc := range []struct {
		name, file string
		v1         bool
		path       string
		ok         bool
	}{
		{name: "cgroup v2 alone", file: "0::/system.slice/creo.service\n", path: "/system.slice/creo.service", ok: true},
		{name: "a container's namespace", file: "0::/\n", path: "/", ok: true},
		{name: "hybrid, v2", file: hybrid, path: "/user.slice", ok: true},
		{name: "hybrid, v1's cpu controller", file: hybrid, v1: true, path: "/y", ok: true},
		{name: "without a newline", file: "0::/a", path: "/a", ok: true},
		{name: "cgroup v1 alone, v2 asked", file: "4:memory:/x\n1:cpu,cpuacct:/y\n"},
		{name: "cgroup v2 alone, v1 asked", file: "0::/a\n", v1: true},
		{name: "v1 without the cpu controller", file: "2:cpuacct:/y\n3:cpuset:/z\n", v1: true},
		{name: "empty", file: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, ok := ownCgroup([]byte(tc.file), tc.v1)
			if path != tc.path || ok != tc.ok {
				t.Fatalf("ownCgroup = %q, %v; want %q, %v", path, ok, tc.path, tc.ok)
			}
		})
	}
}

func TestCgroupMount(t *testing.T) {
	const (
		v1cpu   = "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
		v1other = "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
	)
	for _, tc := range []struct {
		name, mountinfo, path string
		v1                    bool
		mount, rel            string
		ok                    bool
	}{
		{name: "the whole hierarchy", mountinfo: "30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n",
			path: "/a/b", mount: "/sys/fs/cgroup", rel: "/a/b", ok: true},
		{name: "hybrid", mountinfo: v1other + v1cpu + "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
			path: "/user.slice", mount: "/sys/fs/cgroup/unified", rel: "/user.slice", ok: true},
		{name: "hybrid, v1's cpu controller", mountinfo: v1other + v1cpu + "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
			v1: true, path: "/docker/c1", mount: "/sys/fs/cgroup/cpu,cpuacct", rel: "/docker/c1", ok: true},
		{name: "a subtree's mount", mountinfo: "30 23 0:26 /kubepods/pod1 /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n",
			path: "/kubepods/pod1/c1", mount: "/sys/fs/cgroup", rel: "/c1", ok: true},
		{name: "a subtree without the cgroup, then one with it",
			mountinfo: "30 23 0:26 /other /mnt/other rw - cgroup2 cgroup2 rw\n31 23 0:26 /kube /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
			path:      "/kube/c1", mount: "/sys/fs/cgroup", rel: "/c1", ok: true},
		{name: "a subtree whose name starts the path's", mountinfo: "30 23 0:26 /kube /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
			path: "/kubepods/c1"},
		{name: "cgroup v1 alone, v2 asked", mountinfo: v1cpu, path: "/"},
		{name: "v1 without the cpu controller", mountinfo: v1other, v1: true, path: "/"},
		{name: "a short line", mountinfo: "30 23 / - cgroup2 cgroup2 rw\n", path: "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mount, rel, ok := cgroupMount([]byte(tc.mountinfo), tc.path, tc.v1)
			if mount != tc.mount || rel != tc.rel || ok != tc.ok {
				t.Fatalf("cgroupMount = %q, %q, %v; want %q, %q, %v", mount, rel, ok, tc.mount, tc.rel, tc.ok)
			}
		})
	}
}

func TestCPUQuota(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		cpus       float64
		limited    bool
	}{
		{name: "no limit", file: "max 100000\n"},
		{name: "no limit under cgroup v1", file: "-1 100000"},
		{name: "half a CPU", file: "50000 100000\n", cpus: 0.5, limited: true},
		{name: "four CPUs", file: "400000 100000\n", cpus: 4, limited: true},
		{name: "a period of zero", file: "50000 0\n", limited: true},
		{name: "not numbers", file: "lots often\n", limited: true},
		{name: "one field", file: "50000\n", limited: true},
		{name: "empty", file: "", limited: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cpus, limited := cpuQuota(tc.file)
			if cpus != tc.cpus || limited != tc.limited {
				t.Fatalf("cpuQuota = %v, %v; want %v, %v", cpus, limited, tc.cpus, tc.limited)
			}
		})
	}
}

// writeFiles writes each file of files, by path under root, making its
// directories.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for path, content := range files {
		path = filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const (
	fakeMountinfo = "30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
	fakePSI       = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
)

func TestResolveGateFiles(t *testing.T) {
	const hybridMounts = "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n" +
		"41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
	v2 := func(dir string) quotaFile { return quotaFile{dir: dir} }
	v1 := func(dir string) quotaFile { return quotaFile{dir: dir, v1: true} }
	for _, tc := range []struct {
		name     string
		files    map[string]string
		pressure []string // under the root
		quotas   []quotaFile
	}{
		{
			name: "a service's cgroup",
			files: map[string]string{
				"proc/self/cgroup": "0::/system.slice/creo.service\n", "proc/self/mountinfo": fakeMountinfo,
				"sys/fs/cgroup/system.slice/creo.service/cpu.pressure": fakePSI,
			},
			pressure: []string{"proc/pressure/cpu", "sys/fs/cgroup/system.slice/creo.service/cpu.pressure"},
			quotas: []quotaFile{
				v2("sys/fs/cgroup/system.slice/creo.service"), v2("sys/fs/cgroup/system.slice"), v2("sys/fs/cgroup"),
			},
		},
		{
			name: "a container in its own cgroup namespace",
			files: map[string]string{
				"proc/self/cgroup": "0::/\n", "proc/self/mountinfo": fakeMountinfo, "sys/fs/cgroup/cpu.pressure": fakePSI,
			},
			pressure: []string{"proc/pressure/cpu", "sys/fs/cgroup/cpu.pressure"},
			quotas:   []quotaFile{v2("sys/fs/cgroup")},
		},
		{
			name: "a cgroup without pressure files",
			files: map[string]string{
				"proc/self/cgroup": "0::/a\n", "proc/self/mountinfo": fakeMountinfo, "sys/fs/cgroup/a/cgroup.procs": "",
			},
			pressure: []string{"proc/pressure/cpu"},
			quotas:   []quotaFile{v2("sys/fs/cgroup/a"), v2("sys/fs/cgroup")},
		},
		{
			name: "hybrid: the cpu controller under v1, pressure under v2",
			files: map[string]string{
				"proc/self/cgroup": "1:cpu:/docker/c1\n0::/docker/c1\n", "proc/self/mountinfo": hybridMounts,
				"sys/fs/cgroup/unified/docker/c1/cpu.pressure": fakePSI,
			},
			pressure: []string{"proc/pressure/cpu", "sys/fs/cgroup/unified/docker/c1/cpu.pressure"},
			quotas: []quotaFile{
				v1("sys/fs/cgroup/cpu/docker/c1"), v1("sys/fs/cgroup/cpu/docker"), v1("sys/fs/cgroup/cpu"),
				v2("sys/fs/cgroup/unified/docker/c1"), v2("sys/fs/cgroup/unified/docker"), v2("sys/fs/cgroup/unified"),
			},
		},
		{
			name: "cgroup v1 alone",
			files: map[string]string{
				"proc/self/cgroup":    "1:cpu:/a\n",
				"proc/self/mountinfo": "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n",
			},
			pressure: []string{"proc/pressure/cpu"},
			quotas:   []quotaFile{v1("sys/fs/cgroup/cpu/a"), v1("sys/fs/cgroup/cpu")},
		},
		{
			name:     "no /proc/self",
			pressure: []string{"proc/pressure/cpu"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, tc.files)
			got := resolveGateFiles(root)
			var pressure []string
			for _, p := range tc.pressure {
				pressure = append(pressure, filepath.Join(root, p))
			}
			if !slices.Equal(got.pressure, pressure) {
				t.Errorf("pressure files %q; want %q", got.pressure, pressure)
			}
			var quotas []quotaFile
			for _, q := range tc.quotas {
				quotas = append(quotas, quotaFile{dir: filepath.Join(root, q.dir), v1: q.v1})
			}
			if !slices.Equal(got.quotas, quotas) {
				t.Errorf("quota files %v; want %v", got.quotas, quotas)
			}
		})
	}
}

func TestQuotaBinds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string // under sys/fs/cgroup: v2's a/b and its ancestors, v1's cpu/a/b and its
		binds bool
	}{
		{name: "no quota file anywhere"},
		{name: "no limit", files: map[string]string{"a/b/cpu.max": "max 100000\n", "a/cpu.max": "max 100000\n"}},
		{name: "the cgroup's own quota", files: map[string]string{"a/b/cpu.max": "50000 100000\n"}, binds: true},
		{name: "an ancestor's quota", files: map[string]string{"a/b/cpu.max": "max 100000\n", "a/cpu.max": "150000 100000\n"}, binds: true},
		{name: "a quota of more CPUs than the process has", files: map[string]string{"a/cpu.max": "400000 100000\n"}},
		{name: "a file that says nothing", files: map[string]string{"a/b/cpu.max": "\n"}, binds: true},
		{name: "no limit under v1", files: map[string]string{"cpu/a/b/cpu.cfs_quota_us": "-1\n", "cpu/a/b/cpu.cfs_period_us": "100000\n"}},
		{name: "a quota under v1", binds: true, files: map[string]string{
			"cpu/a/b/cpu.cfs_quota_us": "-1\n", "cpu/a/b/cpu.cfs_period_us": "100000\n",
			"cpu/a/cpu.cfs_quota_us": "50000\n", "cpu/a/cpu.cfs_period_us": "100000\n",
		}},
		{name: "a v1 quota without its period", files: map[string]string{"cpu/a/b/cpu.cfs_quota_us": "-1\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			files := map[string]string{
				"proc/self/cgroup": "1:cpu:/a/b\n0::/a/b\n", "proc/self/mountinfo": fakeMountinfo +
					"32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n",
				"sys/fs/cgroup/a/b/cgroup.procs": "",
			}
			for path, content := range tc.files {
				files["sys/fs/cgroup/"+path] = content
			}
			writeFiles(t, root, files)
			gf := resolveGateFiles(root)
			if got := gf.quotaBinds(2); got != tc.binds {
				t.Fatalf("quotaBinds(2) = %v; want %v", got, tc.binds)
			}
		})
	}
}
