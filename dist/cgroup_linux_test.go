package dist

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestUnifiedCgroup(t *testing.T) {
	for _, tc := range []struct {
		name, file, path string
		ok               bool
	}{
		{name: "cgroup v2 alone", file: "0::/system.slice/creo.service\n", path: "/system.slice/creo.service", ok: true},
		{name: "a container's namespace", file: "0::/\n", path: "/", ok: true},
		{name: "hybrid, after the v1 lines", file: "4:memory:/x\n1:cpu:/\n0::/user.slice\n", path: "/user.slice", ok: true},
		{name: "without a newline", file: "0::/a", path: "/a", ok: true},
		{name: "cgroup v1 alone", file: "4:memory:/x\n1:cpu,cpuacct:/y\n"},
		{name: "empty", file: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, ok := unifiedCgroup([]byte(tc.file))
			if path != tc.path || ok != tc.ok {
				t.Fatalf("unifiedCgroup = %q, %v; want %q, %v", path, ok, tc.path, tc.ok)
			}
		})
	}
}

func TestCgroup2Mount(t *testing.T) {
	const v1 = "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
	for _, tc := range []struct {
		name, mountinfo, path string
		mount, rel            string
		ok                    bool
	}{
		{name: "the whole hierarchy", mountinfo: "30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n",
			path: "/a/b", mount: "/sys/fs/cgroup", rel: "/a/b", ok: true},
		{name: "hybrid", mountinfo: v1 + "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
			path: "/user.slice", mount: "/sys/fs/cgroup/unified", rel: "/user.slice", ok: true},
		{name: "a subtree's mount", mountinfo: "30 23 0:26 /kubepods/pod1 /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n",
			path: "/kubepods/pod1/c1", mount: "/sys/fs/cgroup", rel: "/c1", ok: true},
		{name: "a subtree without the cgroup, then one with it",
			mountinfo: "30 23 0:26 /other /mnt/other rw - cgroup2 cgroup2 rw\n31 23 0:26 /kube /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
			path:      "/kube/c1", mount: "/sys/fs/cgroup", rel: "/c1", ok: true},
		{name: "a subtree whose name starts the path's", mountinfo: "30 23 0:26 /kube /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
			path: "/kubepods/c1"},
		{name: "cgroup v1 alone", mountinfo: v1, path: "/"},
		{name: "a short line", mountinfo: "30 23 / - cgroup2 cgroup2 rw\n", path: "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mount, rel, ok := cgroup2Mount([]byte(tc.mountinfo), tc.path)
			if mount != tc.mount || rel != tc.rel || ok != tc.ok {
				t.Fatalf("cgroup2Mount = %q, %q, %v; want %q, %q, %v", mount, rel, ok, tc.mount, tc.rel, tc.ok)
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
		{name: "half a CPU", file: "50000 100000\n", cpus: 0.5, limited: true},
		{name: "four CPUs", file: "400000 100000\n", cpus: 4, limited: true},
		{name: "a period of zero", file: "50000 0\n", limited: true},
		{name: "not numbers", file: "lots often\n", limited: true},
		{name: "one field", file: "50000\n", limited: true},
		{name: "empty", file: "", limited: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cpus, limited := cpuQuota([]byte(tc.file))
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
	for _, tc := range []struct {
		name     string
		files    map[string]string
		pressure []string // under the root
		quotas   []string
	}{
		{
			name: "a service's cgroup",
			files: map[string]string{
				"proc/self/cgroup": "0::/system.slice/creo.service\n", "proc/self/mountinfo": fakeMountinfo,
				"sys/fs/cgroup/system.slice/creo.service/cpu.pressure": fakePSI,
			},
			pressure: []string{"proc/pressure/cpu", "sys/fs/cgroup/system.slice/creo.service/cpu.pressure"},
			quotas: []string{
				"sys/fs/cgroup/system.slice/creo.service/cpu.max", "sys/fs/cgroup/system.slice/cpu.max", "sys/fs/cgroup/cpu.max",
			},
		},
		{
			name: "a container in its own cgroup namespace",
			files: map[string]string{
				"proc/self/cgroup": "0::/\n", "proc/self/mountinfo": fakeMountinfo, "sys/fs/cgroup/cpu.pressure": fakePSI,
			},
			pressure: []string{"proc/pressure/cpu", "sys/fs/cgroup/cpu.pressure"},
			quotas:   []string{"sys/fs/cgroup/cpu.max"},
		},
		{
			name: "a cgroup without pressure files",
			files: map[string]string{
				"proc/self/cgroup": "0::/a\n", "proc/self/mountinfo": fakeMountinfo, "sys/fs/cgroup/a/cgroup.procs": "",
			},
			pressure: []string{"proc/pressure/cpu"},
			quotas:   []string{"sys/fs/cgroup/a/cpu.max", "sys/fs/cgroup/cpu.max"},
		},
		{
			name: "cgroup v1",
			files: map[string]string{
				"proc/self/cgroup":    "1:cpu:/a\n",
				"proc/self/mountinfo": "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n",
			},
			pressure: []string{"proc/pressure/cpu"},
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
			under := func(paths []string) []string {
				var full []string
				for _, p := range paths {
					full = append(full, filepath.Join(root, p))
				}
				return full
			}
			if want := under(tc.pressure); !slices.Equal(got.pressure, want) {
				t.Errorf("pressure files %q; want %q", got.pressure, want)
			}
			if want := under(tc.quotas); !slices.Equal(got.quotas, want) {
				t.Errorf("quota files %q; want %q", got.quotas, want)
			}
		})
	}
}

func TestQuotaBinds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string // cpu.max of sys/fs/cgroup/a/b and its ancestors
		binds bool
	}{
		{name: "no cpu.max anywhere"},
		{name: "no limit", files: map[string]string{"a/b/cpu.max": "max 100000\n", "a/cpu.max": "max 100000\n"}},
		{name: "the cgroup's own quota", files: map[string]string{"a/b/cpu.max": "50000 100000\n"}, binds: true},
		{name: "an ancestor's quota", files: map[string]string{"a/b/cpu.max": "max 100000\n", "a/cpu.max": "150000 100000\n"}, binds: true},
		{name: "a quota of more CPUs than the process has", files: map[string]string{"a/cpu.max": "400000 100000\n"}},
		{name: "a file that says nothing", files: map[string]string{"a/b/cpu.max": "\n"}, binds: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			files := map[string]string{
				"proc/self/cgroup": "0::/a/b\n", "proc/self/mountinfo": fakeMountinfo, "sys/fs/cgroup/a/b/cgroup.procs": "",
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
