package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/host"
)

// loadTestConfig loads the bare command's configuration from the flags in
// args and the config file at path with the given content (none if
// empty), in a fresh home directory, as the command does.
func loadTestConfig(t *testing.T, args []string, path, file string) (config, error) {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_DATA_HOME", "")
	f := pflag.NewFlagSet("host", pflag.ContinueOnError)
	s := addNodeFlags(f)
	if err := f.Parse(args); err != nil {
		t.Fatalf("flags %q: %v", args, err)
	}
	if file == "" {
		path = ""
	} else if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := s.readFile(path); err != nil {
		return config{}, err
	}
	return loadConfig(s)
}

// TestConfigPrecedence checks, for a key of each kind, that a flag
// overrides the environment, which overrides the config file, which
// overrides the default.
func TestConfigPrecedence(t *testing.T) {
	type source struct {
		file, env, flag string // the key's setting in each; "" for none
	}
	for _, tt := range []struct {
		name    string
		fileKey string // as the file nests it: "section: {key: %s}", or "key: %s"
		env     string
		flag    string
		values  source
		dflt    string
		got     func(config) string
	}{
		{
			name: "string", fileKey: "node: {name: %s}", env: "CREO_NODE_NAME", flag: "--name",
			values: source{"file@h", "env@h", "flag@h"}, dflt: "creo@127.0.0.1",
			got: func(c config) string { return string(c.net.Name) },
		},
		{
			name: "cookie", fileKey: "node: {cookie: %s}", env: "CREO_NODE_COOKIE", flag: "--cookie",
			values: source{"filecookie", "envcookie", "flagcookie"}, dflt: "<home>",
			got: func(c config) string {
				if home, _ := os.UserHomeDir(); c.net.Cookie != "" && fileHasCookie(home, c.net.Cookie) {
					return "<home>"
				}
				return c.net.Cookie
			},
		},
		{
			name: "address", fileKey: "node: {listen: \"%s\"}", env: "CREO_NODE_LISTEN", flag: "--listen",
			values: source{"127.0.0.1:1001", "127.0.0.1:1002", "127.0.0.1:1003"}, dflt: "127.0.0.1:0",
			got: func(c config) string { return c.net.Listen },
		},
		{
			name: "epmd", fileKey: "node: {epmd: \"%s\"}", env: "CREO_NODE_EPMD", flag: "--epmd",
			values: source{"127.0.0.1:1001", "127.0.0.1:1002", "127.0.0.1:1003"}, dflt: "",
			got: func(c config) string { return c.net.EPMD },
		},
		{
			name: "bool", fileKey: "node: {hidden: %s}", env: "CREO_NODE_HIDDEN", flag: "--hidden",
			values: source{"true", "false", "true"}, dflt: "false",
			got: func(c config) string { return fmt.Sprint(c.net.Hidden) },
		},
		{
			name: "duration", fileKey: "node: {tick_time: %s}", env: "CREO_NODE_TICK_TIME", flag: "--tick-time",
			values: source{"10s", "20s", "30s"}, dflt: "1m0s",
			got: func(c config) string { return c.net.TickTime.String() },
		},
		{
			name: "word", fileKey: "node: {busy_poll: %s}", env: "CREO_NODE_BUSY_POLL", flag: "--busy-poll",
			values: source{"off", "auto", "off"}, dflt: "auto",
			got: func(c config) string {
				if c.net.DisableBusyPoll {
					return "off"
				}
				return "auto"
			},
		},
		{
			name: "path", fileKey: "data_dir: %s", env: "CREO_DATA_DIR", flag: "--data-dir",
			values: source{"/file", "/env", "/flag"}, dflt: "<home>/.local/share/creo/creo@127.0.0.1",
			got: func(c config) string {
				home, _ := os.UserHomeDir()
				if rel, err := filepath.Rel(home, c.dataDir); err == nil && filepath.IsLocal(rel) {
					return "<home>/" + rel
				}
				return c.dataDir
			},
		},
		{
			name: "int", fileKey: "limits: {memory_pages: %s}", env: "CREO_LIMITS_MEMORY_PAGES", flag: "--memory-pages",
			values: source{"100", "200", "300"}, dflt: "256",
			got: func(c config) string { return fmt.Sprint(c.limits.memoryPages) },
		},
		{
			name: "limit duration", fileKey: "limits: {deadline: %s}", env: "CREO_LIMITS_DEADLINE", flag: "--deadline",
			values: source{"1s", "2s", "3s"}, dflt: "5s",
			got: func(c config) string { return c.limits.deadline.String() },
		},
		{
			name: "module size", fileKey: "limits: {module_size: %s}", env: "CREO_LIMITS_MODULE_SIZE", flag: "--module-size",
			values: source{"1000", "2000", "3000"}, dflt: "33554432",
			got: func(c config) string { return fmt.Sprint(c.maxModuleSize) },
		},
		{
			name: "pool size", fileKey: "limits: {pool_size: %s}", env: "CREO_LIMITS_POOL_SIZE", flag: "--pool-size",
			values: source{"1", "2", "3"}, dflt: "32",
			got: func(c config) string { return fmt.Sprint(c.limits.poolSize) },
		},
	} {
		for _, set := range []struct {
			name string
			use  source
			want func(source) string
		}{
			{name: "default", want: func(source) string { return tt.dflt }},
			{name: "file", use: source{file: "y"}, want: func(v source) string { return v.file }},
			{name: "env over file", use: source{file: "y", env: "y"}, want: func(v source) string { return v.env }},
			{name: "flag over env", use: source{file: "y", env: "y", flag: "y"}, want: func(v source) string { return v.flag }},
		} {
			t.Run(tt.name+"/"+set.name, func(t *testing.T) {
				var file string
				var args []string
				if set.use.file != "" {
					file = fmt.Sprintf(tt.fileKey, tt.values.file) + "\n"
				}
				if set.use.env != "" {
					t.Setenv(tt.env, tt.values.env)
				}
				if set.use.flag != "" {
					args = append(args, tt.flag+"="+tt.values.flag)
				}
				cfg, err := loadTestConfig(t, args, filepath.Join(t.TempDir(), "creo.yaml"), file)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := tt.got(cfg), set.want(tt.values); got != want {
					t.Errorf("%s = %s, want %s", tt.name, got, want)
				}
			})
		}
	}
}

// fileHasCookie reports whether cookie is the one in home's cookie file.
func fileHasCookie(home, cookie string) bool {
	b, err := os.ReadFile(filepath.Join(home, cookieFile))
	return err == nil && string(b) == cookie
}

func TestConfigServers(t *testing.T) {
	dir := t.TempDir()
	wasm := filepath.Join(dir, "counter.wasm")
	if err := os.WriteFile(wasm, []byte("\x00asm"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := `
limits:
  deadline: 2s
servers:
  - name: plain
    module: ` + wasm + `
  - name: counter
    module: ` + wasm + `
    init_args: "{count, 5}"
    restart: transient
    limits: {memory_pages: 64, pool_size: 4}
`
	cfg, err := loadTestConfig(t, nil, filepath.Join(dir, "creo.yaml"), file)
	if err != nil {
		t.Fatal(err)
	}
	defaults := limits{memoryPages: 256, deadline: 2 * time.Second, poolSize: 32}
	want := []serverConfig{
		{name: "plain", module: wasm, initArgs: etf.List{}, restart: host.Permanent, limits: defaults},
		{name: "counter", module: wasm, initArgs: etf.Tuple{etf.Atom("count"), etf.Int(5)}, restart: host.Transient,
			limits: limits{memoryPages: 64, deadline: 2 * time.Second, poolSize: 4}},
	}
	if len(cfg.servers) != len(want) {
		t.Fatalf("servers = %+v, want %+v", cfg.servers, want)
	}
	for i, got := range cfg.servers {
		w := want[i]
		if got.name != w.name || got.module != w.module || !etf.Equal(got.initArgs, w.initArgs) ||
			got.restart != w.restart || got.limits != w.limits {
			t.Errorf("servers[%d] = %+v, want %+v", i, got, w)
		}
	}
}

// TestConfigRelativeModule checks that a module path in the config file is
// relative to the file's directory, not the working directory.
func TestConfigRelativeModule(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "m.wasm"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir())
	cfg, err := loadTestConfig(t, nil, filepath.Join(dir, "creo.yaml"), "servers: [{name: m, module: m.wasm}]\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.servers) != 1 || cfg.servers[0].module != filepath.Join(dir, "m.wasm") {
		t.Fatalf("servers = %+v, want m at %s", cfg.servers, filepath.Join(dir, "m.wasm"))
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	wasm := filepath.Join(dir, "m.wasm")
	if err := os.WriteFile(wasm, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	server := "{name: m, module: " + wasm + "}"
	for _, tt := range []struct {
		name string
		file string
		env  map[string]string
		args []string
		err  string
	}{
		{name: "restart", file: "servers: [" + server + ", {name: n, module: " + wasm + ", restart: sometimes}]",
			err: `config: servers[1].restart: "sometimes" is not one of permanent, transient, temporary`},
		{name: "unknown key", file: "node: {nmae: x}", err: "config: node.nmae: unknown key"},
		{name: "unknown section", file: "limit: {deadline: 1s}", err: "config: limit.deadline: unknown key"},
		{name: "scalar section", file: "node: 5", err: "config: node: 5 is not a map of keys"},
		{name: "not yaml", file: "node: {name: [", err: "config: $FILE: yaml: line 1: did not find expected node content"},
		{name: "name", file: "node: {name: creo}", err: `config: node.name: "creo" is not of the form name@host`},
		{name: "name with two @", args: []string{"--name", "a@b@c"}, err: `config: node.name: "a@b@c" is not of the form name@host`},
		{name: "cookie not a string", file: "node: {cookie: 12345}", err: "config: node.cookie: 12345 is not a string (quote it)"},
		{name: "listen", file: "node: {listen: localhost}", err: `config: node.listen: "localhost" is not an address host:port`},
		{name: "epmd", env: map[string]string{"CREO_NODE_EPMD": "127.0.0.1:epmd"},
			err: `config: node.epmd: "127.0.0.1:epmd" is not an address host:port`},
		{name: "port range", args: []string{"--listen", "127.0.0.1:65536"},
			err: `config: node.listen: "127.0.0.1:65536" is not an address host:port`},
		{name: "bool from env", env: map[string]string{"CREO_NODE_HIDDEN": "yes"}, err: `config: node.hidden: "yes" is not true or false`},
		{name: "bool in file", file: "node: {hidden: 1}", err: "config: node.hidden: 1 is not true or false"},
		{name: "busy poll", file: "node: {busy_poll: sometimes}", err: `config: node.busy_poll: "sometimes" is not one of auto, off`},
		{name: "busy poll as a bool", file: "node: {busy_poll: false}", err: "config: node.busy_poll: false is not one of auto, off"},
		{name: "busy poll from env", env: map[string]string{"CREO_NODE_BUSY_POLL": "on"},
			err: `config: node.busy_poll: "on" is not one of auto, off`},
		{name: "busy poll flag", args: []string{"--busy-poll", "always"}, err: `config: node.busy_poll: "always" is not one of auto, off`},
		{name: "duration without unit", file: "node: {tick_time: 60}",
			err: "config: node.tick_time: 60 is not a duration: give its unit, as in 5s or 1m30s"},
		{name: "duration from env", env: map[string]string{"CREO_NODE_TICK_TIME": "soon"},
			err: `config: node.tick_time: "soon" is not a duration, such as 5s or 1m30s`},
		{name: "duration zero", file: "limits: {deadline: 0s}", err: "config: limits.deadline: 0s is not positive"},
		{name: "negative duration flag", args: []string{"--deadline", "-1s"}, err: "config: limits.deadline: -1s is not positive"},
		{name: "int range", file: "limits: {memory_pages: 0}", err: "config: limits.memory_pages: 0 is not between 1 and 65536"},
		{name: "int from env", env: map[string]string{"CREO_LIMITS_POOL_SIZE": "many"}, err: `config: limits.pool_size: "many" is not an integer`},
		{name: "module size", file: "limits: {module_size: 0}", err: "config: limits.module_size: 0 is not between 1 and 1073741824"},
		{name: "module size per server", file: "servers: [{name: m, module: " + wasm + ", limits: {module_size: 1}}]",
			err: "config: servers[0].limits.module_size: unknown key"},
		{name: "int float", file: "limits: {pool_size: 1.5}", err: "config: limits.pool_size: 1.5 is not an integer"},
		{name: "data dir", file: "data_dir: [a]", err: "config: data_dir: [a] is not a string (quote it)"},
		{name: "servers not a list", file: "servers: x", err: `config: servers: "x" is not a list of servers`},
		{name: "server not a map", file: "servers: [x]", err: `config: servers[0]: "x" is not a map of keys`},
		{name: "server key", file: "servers: [{name: m, modul: x}]", err: "config: servers[0].modul: unknown key"},
		{name: "server name missing", file: "servers: [{module: " + wasm + "}]", err: "config: servers[0].name: missing"},
		{name: "server name not text", file: "servers: [{name: 5, module: " + wasm + "}]",
			err: "config: servers[0].name: 5 is not a string (quote it)"},
		{name: "server name too long", file: fmt.Sprintf("servers: [{name: a%0255d, module: %s}]", 0, wasm),
			err: fmt.Sprintf("config: servers[0].name: \"a%0255d\" is longer than 255 characters", 0)},
		{name: "server names twice", file: "servers: [" + server + ", " + server + "]",
			err: `config: servers[1].name: "m" is also the name of servers[0]`},
		{name: "module missing", file: "servers: [{name: m}]",
			err: "config: servers[0].module: missing: give a .wasm file or a Go guest package directory"},
		{name: "module not found", file: "servers: [{name: m, module: " + dir + "/nosuch.wasm}]",
			err: "config: servers[0].module: stat " + dir + "/nosuch.wasm: no such file or directory"},
		{name: "init args", file: "servers: [{name: m, module: " + wasm + ", init_args: \"{a,\"}]",
			err: "config: servers[0].init_args: etf: 1:4: expected a term, found end of text"},
		{name: "init args not text", file: "servers: [{name: m, module: " + wasm + ", init_args: [1, 2]}]",
			err: "config: servers[0].init_args: [1 2] is not a string (quote it)"},
		{name: "server limits", file: "servers: [{name: m, module: " + wasm + ", limits: {deadline: x}}]",
			err: `config: servers[0].limits.deadline: "x" is not a duration, such as 5s or 1m30s`},
		{name: "server limits key", file: "servers: [{name: m, module: " + wasm + ", limits: {pages: 1}}]",
			err: "config: servers[0].limits.pages: unknown key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			path := filepath.Join(t.TempDir(), "creo.yaml")
			_, err := loadTestConfig(t, tt.args, path, tt.file+"\n")
			want := strings.ReplaceAll(tt.err, "$FILE", path)
			if err == nil {
				t.Fatalf("no error, want %s", want)
			}
			if got := err.Error(); got != want {
				t.Errorf("error:\n got %s\nwant %s", got, want)
			}
		})
	}
}
