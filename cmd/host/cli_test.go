package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/creo-dev/creo/internal/erltest"
)

// TestSubcommands runs each subcommand as a user would, against a node
// the test runs with the bare command.
func TestSubcommands(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	epmdAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(erltest.FreePort(t))) // the node embeds an EPMD there
	const cookie, target = "clicookie", "creo_cli_target@127.0.0.1"
	var nodeOut, nodeErr syncBuffer
	status := make(chan int, 1)
	go func() {
		status <- run([]string{"--name", target, "--cookie", cookie, "--epmd", epmdAddr, "--data-dir", t.TempDir(),
			"--serve", "echo=" + filepath.Join("..", "..", "guests", "echo")}, &nodeOut, &nodeErr)
	}()
	awaitLogged(t, `msg="host: serving a wasm module" name=echo`, status, &nodeErr)
	t.Cleanup(func() { terminate(t, status, &nodeErr) })

	dir := t.TempDir()
	to := []string{"--node", target, "--cookie", cookie, "--epmd", epmdAddr}
	for _, tt := range []struct {
		name   string
		args   []string
		status int
		stdout string
		stderr string // a prefix of it
	}{
		{name: "call", args: append([]string{"call", "echo", `{hello, [1, 2], <<"x">>, #{a => 1.5}}`}, to...),
			stdout: `{hello,[1,2],<<"x">>,#{a => 1.5}}` + "\n"},
		{name: "call a charlist", args: append([]string{"call", "echo", `"hi"`}, to...), stdout: "[104,105]\n"},
		{name: "call no server", args: append([]string{"call", "nosuch", "hi"}, to...), status: 1,
			stderr: "host: call nosuch: noproc\n"},
		{name: "call no node", args: []string{"call", "echo", "hi", "--node", "nobody@127.0.0.1", "--cookie", cookie, "--epmd", epmdAddr},
			status: 1, stderr: "host: connect to 'nobody@127.0.0.1': "},
		{name: "call with a wrong cookie", args: []string{"call", "echo", "hi", "--node", target, "--cookie", "wrong", "--epmd", epmdAddr},
			status: 1, stderr: "host: connect to '" + target + "': "},
		{name: "version", args: []string{"version"},
			stdout: "creo   (devel)\ngo     " + runtime.Version() + "\nwazero v1.12.0\nabi    1\n"},
		{name: "build", args: []string{"build", filepath.Join("..", "..", "guests", "echo"), "-o", filepath.Join(dir, "echo.wasm")}},
		{name: "build no package", args: []string{"build", dir}, status: 1, stderr: "host: build " + dir + ": gobuild: go list in " + dir},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr syncBuffer
			got := run(tt.args, &stdout, &stderr)
			if got != tt.status || stdout.String() != tt.stdout && tt.stdout != "" || !strings.HasPrefix(stderr.String(), tt.stderr) ||
				tt.status == 0 && stderr.String() != "" {
				t.Fatalf("host %q: status %d\nstdout: %s\nstderr: %s\nwant status %d\nstdout: %s\nstderr: %s...",
					tt.args, got, stdout.String(), stderr.String(), tt.status, tt.stdout, tt.stderr)
			}
		})
	}
	t.Run("built module", func(t *testing.T) {
		wasm, err := os.ReadFile(filepath.Join(dir, "echo.wasm"))
		if err != nil || !bytes.HasPrefix(wasm, []byte("\x00asm")) {
			t.Fatalf("echo.wasm: %d bytes, %v; want a WebAssembly module", len(wasm), err)
		}
	})
}
