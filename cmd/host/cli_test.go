package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creo-dev/creo/internal/erltest"
	"github.com/creo-dev/creo/internal/syncbuf"
)

// TestSubcommands runs each subcommand as a user would, against a node
// the test runs with the bare command.
func TestSubcommands(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	epmdAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(erltest.FreePort(t))) // the node embeds an EPMD there
	const cookie, target = "clicookie", "creo_cli_target@127.0.0.1"
	var nodeOut, nodeErr syncbuf.Buffer
	status := make(chan int, 1)
	go func() {
		status <- run([]string{"--name", target, "--cookie", cookie, "--epmd", epmdAddr, "--data-dir", t.TempDir(),
			"--serve", "echo=" + filepath.Join("..", "..", "guests", "echo")}, &nodeOut, &nodeErr)
	}()
	awaitLogged(t, `msg="host: serving a wasm module" name=echo`, status, &nodeErr)
	t.Cleanup(func() { terminate(t, status, &nodeErr) })

	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.wasm")
	if err := os.WriteFile(garbage, []byte("not wasm"), 0o600); err != nil {
		t.Fatal(err)
	}
	configFile := filepath.Join(dir, "creo.yaml")
	if err := os.WriteFile(configFile, []byte("node: {name: "+target+", cookie: "+cookie+", epmd: \""+epmdAddr+"\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	guest := func(name string) string { return filepath.Join("..", "..", "guests", name) }
	// A first deploy compiles the module, which takes long on a loaded
	// machine or with the race detector.
	to := []string{"--node", target, "--cookie", cookie, "--epmd", epmdAddr, "--timeout", "10m"}
	pid := `<'` + regexp.QuoteMeta(target) + `'\.\d+\.\d+\.\d+>`
	// The steps run in order, on one node: a deploy is seen by the calls
	// and lists that follow it.
	for _, tt := range []struct {
		name     string
		args     []string
		status   int
		stdout   string // exactly, unless stdoutRE is given
		stdoutRE string // a regular expression of all of it
		stderr   string // the start of it
		env      map[string]string
		// eventually retries the step until it passes: the state it shows
		// settles after the step before returns.
		eventually bool
	}{
		{name: "call", args: append([]string{"call", "echo", `{hello, [1, 2], <<"x">>, #{a => 1.5}}`}, to...),
			stdout: `{hello,[1,2],<<"x">>,#{a => 1.5}}` + "\n"},
		{name: "call a charlist", args: append([]string{"call", "echo", `"hi"`}, to...), stdout: "[104,105]\n"},
		{name: "call the node of the config file", args: []string{"call", "echo", "hi", "--config", configFile}, stdout: "hi\n"},
		{name: "call the node of the environment", args: []string{"call", "echo", "hi"}, stdout: "hi\n",
			env: map[string]string{"CREO_NODE_NAME": target, "CREO_NODE_COOKIE": cookie, "CREO_NODE_EPMD": epmdAddr}},
		{name: "call no server", args: append([]string{"call", "nosuch", "hi"}, to...), status: 1,
			stderr: "host: call nosuch: noproc\n"},
		{name: "call no node", args: []string{"call", "echo", "hi", "--node", "nobody@127.0.0.1", "--cookie", cookie, "--epmd", epmdAddr},
			status: 1, stderr: "host: connect to 'nobody@127.0.0.1': "},
		{name: "call with a wrong cookie", args: []string{"call", "echo", "hi", "--node", target, "--cookie", "wrong", "--epmd", epmdAddr},
			status: 1, stderr: "host: connect to '" + target + "': "},
		{name: "version", args: []string{"version"},
			stdout: "creo   (devel)\ngo     " + runtime.Version() + "\nwazero v1.12.0\nabi    2\n"},
		{name: "build", args: []string{"build", guest("counter_v2"), "-o", filepath.Join(dir, "counter_v2.wasm")}},
		{name: "build no package", args: []string{"build", dir}, status: 1, stderr: "host: build " + dir + ": gobuild: go list in " + dir},
		{name: "deploy a package", args: append([]string{"deploy", "counter", guest("counter"), "--init-args", "5"}, to...),
			stdoutRE: pid + "\n"},
		{name: "call the deployed server", args: append([]string{"call", "counter", "inc"}, to...), stdout: "6\n"},
		// A server is running, not waiting, until it has returned from the
		// callback that sent its reply.
		{name: "ps", args: append([]string{"ps"}, to...), stdoutRE: `NAME +PID +VSN +STATUS +RESTARTS +MAILBOX\n` +
			`counter +` + pid + ` +[0-9a-f]{12} +waiting +0 +0\n` +
			`echo +` + pid + ` +[0-9a-f]{12} +waiting +0 +0\n`, eventually: true},
		{name: "reload a .wasm", args: append([]string{"reload", "counter", filepath.Join(dir, "counter_v2.wasm")}, to...), stdout: "ok\n"},
		{name: "state kept", args: append([]string{"call", "counter", "get"}, to...), stdout: "{v2,6}\n"},
		{name: "reload a name not deployed", args: append([]string{"reload", "nosuch", guest("counter")}, to...), status: 1,
			stderr: "host: reload nosuch: not_found\n"},
		{name: "reload not wasm", args: append([]string{"reload", "counter", garbage}, to...), status: 1,
			stderr: "host: reload counter: {invalid_module,"},
		{name: "deploy a name taken", args: append([]string{"deploy", "counter", filepath.Join(dir, "counter_v2.wasm")}, to...), status: 1,
			stderr: "host: deploy counter: {already_started,<'" + target + "'."},
		{name: "deploy a missing file", args: append([]string{"deploy", "other", filepath.Join(dir, "nosuch.wasm")}, to...), status: 1,
			stderr: "host: stat " + filepath.Join(dir, "nosuch.wasm") + ": no such file or directory\n"},
		{name: "call that crashes the server", args: append([]string{"call", "counter", "bad"}, to...), status: 1,
			stderr: "host: call counter: {bad_call,bad}\n"},
		// The supervisor restarts the server once the call's crash reaches
		// it, which may be after the call returns.
		{name: "ps after a restart", args: append([]string{"ps"}, to...), stdoutRE: `NAME .*\n` +
			`counter +` + pid + ` +[0-9a-f]{12} +waiting +1 +0\n` + `echo .*\n`, eventually: true},
		{name: "stop", args: append([]string{"stop", "counter"}, to...), stdout: "ok\n"},
		{name: "stop again", args: append([]string{"stop", "counter"}, to...), status: 1, stderr: "host: stop counter: not_found\n"},
		{name: "ps after the stop", args: append([]string{"ps"}, to...), stdoutRE: `NAME .*\n` + `echo .*\n`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			for try := 1; ; try++ {
				var stdout, stderr syncbuf.Buffer
				got := run(tt.args, &stdout, &stderr)
				outOK := stdout.String() == tt.stdout
				if tt.stdoutRE != "" {
					outOK = regexp.MustCompile(`^` + tt.stdoutRE + `$`).MatchString(stdout.String())
				}
				if got == tt.status && outOK && strings.HasPrefix(stderr.String(), tt.stderr) && (tt.status != 0 || stderr.String() == "") {
					return
				}
				if tt.eventually && try < 1000 {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				t.Fatalf("host %q: status %d\nstdout: %s\nstderr: %s\nwant status %d\nstdout: %s%s\nstderr: %s...",
					tt.args, got, stdout.String(), stderr.String(), tt.status, tt.stdout, tt.stdoutRE, tt.stderr)
			}
		})
	}
	t.Run("built module", func(t *testing.T) {
		wasm, err := os.ReadFile(filepath.Join(dir, "counter_v2.wasm"))
		if err != nil || !bytes.HasPrefix(wasm, []byte("\x00asm")) {
			t.Fatalf("counter_v2.wasm: %d bytes, %v; want a WebAssembly module", len(wasm), err)
		}
	})
}

// TestRestart runs a node again on the data directory of a node that was
// deployed to: it brings the deployed server back, unless a configured
// server has its name, and ps says why.
func TestRestart(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	epmdAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(erltest.FreePort(t)))
	const cookie, target = "restartcookie", "creo_cli_restart@127.0.0.1"
	dataDir := t.TempDir()
	echo := filepath.Join("..", "..", "guests", "echo")
	to := []string{"--node", target, "--cookie", cookie, "--epmd", epmdAddr, "--timeout", "10m"}
	host := func(t *testing.T, want string, args ...string) {
		t.Helper()
		var stdout, stderr syncbuf.Buffer
		if got := run(append(args, to...), &stdout, &stderr); got != 0 || !regexp.MustCompile(`^`+want+`$`).MatchString(stdout.String()) {
			t.Fatalf("host %q: status %d\nstdout: %s\nstderr: %s\nwant stdout %s", args, got, stdout.String(), stderr.String(), want)
		}
	}
	const served, restored = `msg="host: serving a wasm module"`, `msg="host: creo: restored the deployed servers"`
	for _, tt := range []struct {
		name  string
		serve string // the --serve of the run
		ready string // what the node logs once it is ready for steps
		steps func(t *testing.T)
	}{
		{name: "deploy", serve: "echo=" + echo, ready: served, steps: func(t *testing.T) {
			host(t, `<.*>\n`, "deploy", "counter", filepath.Join("..", "..", "guests", "counter"), "--init-args", "5")
			host(t, "6\n", "call", "counter", "inc")
		}},
		{name: "restored", serve: "echo=" + echo, ready: restored, steps: func(t *testing.T) {
			host(t, "5\n", "call", "counter", "get") // init runs again, with the deployed init args
		}},
		{name: "configured in its place", serve: "counter=" + echo, ready: restored, steps: func(t *testing.T) {
			host(t, "get\n", "call", "counter", "get")
			host(t, `NAME .*\ncounter +<.*> +[0-9a-f]{12} +\{restore_failed,\{already_started,<.*>\}\} +0 +0\n`, "ps")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var nodeOut, nodeErr syncbuf.Buffer
			status := make(chan int, 1)
			go func() {
				status <- run([]string{"--name", target, "--cookie", cookie, "--epmd", epmdAddr, "--data-dir", dataDir,
					"--serve", tt.serve}, &nodeOut, &nodeErr)
			}()
			t.Cleanup(func() { terminate(t, status, &nodeErr) })
			awaitLogged(t, tt.ready, status, &nodeErr)
			tt.steps(t)
		})
	}
}

// TestConfigFileServers runs a node whose servers are in its config file:
// each starts at boot with its init args.
func TestConfigFileServers(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	epmdAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(erltest.FreePort(t)))
	guests, err := filepath.Abs(filepath.Join("..", "..", "guests"))
	if err != nil {
		t.Fatal(err)
	}
	const cookie, target = "configcookie", "creo_cli_config@127.0.0.1"
	config := filepath.Join(t.TempDir(), "creo.yaml")
	if err := os.WriteFile(config, []byte(`
node: {name: `+target+`, cookie: `+cookie+`, epmd: "`+epmdAddr+`"}
data_dir: `+t.TempDir()+`
limits: {deadline: 2s}
servers:
  - {name: seven, module: `+guests+`/counter, init_args: "7", restart: transient}
  - {name: echo, module: `+guests+`/echo, limits: {memory_pages: 128, pool_size: 2}}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	var nodeOut, nodeErr syncbuf.Buffer
	status := make(chan int, 1)
	go func() { status <- run([]string{"--config", config}, &nodeOut, &nodeErr) }()
	t.Cleanup(func() { terminate(t, status, &nodeErr) })
	awaitLogged(t, `msg="host: serving a wasm module" name=echo`, status, &nodeErr)
	for _, tt := range []struct{ name, server, req, want string }{
		{name: "init args", server: "seven", req: "get", want: "7\n"},
		{name: "defaults", server: "echo", req: "{x, 1}", want: "{x,1}\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr syncbuf.Buffer
			if got := run([]string{"call", tt.server, tt.req, "--config", config}, &stdout, &stderr); got != 0 || stdout.String() != tt.want {
				t.Fatalf("call %s %s: status %d, stdout %q, stderr %q; want %q", tt.server, tt.req, got, stdout.String(), stderr.String(), tt.want)
			}
		})
	}
}

// TestBuildOutput checks where build writes a module without -o: the
// package directory's name with .wasm, in the working directory.
func TestBuildOutput(t *testing.T) {
	pkg, err := filepath.Abs(filepath.Join("..", "..", "guests", "echo"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	var stdout, stderr syncbuf.Buffer
	if got := run([]string{"build", pkg}, &stdout, &stderr); got != 0 || stdout.String() != "" {
		t.Fatalf("build: status %d, stdout %q, stderr %q", got, stdout.String(), stderr.String())
	}
	if wasm, err := os.ReadFile(filepath.Join(dir, "echo.wasm")); err != nil || !bytes.HasPrefix(wasm, []byte("\x00asm")) {
		t.Fatalf("echo.wasm: %d bytes, %v; want a WebAssembly module", len(wasm), err)
	}
}
