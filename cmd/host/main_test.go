package main

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/creo-dev/creo/epmd"
	"github.com/creo-dev/creo/internal/erltest"
	"github.com/creo-dev/creo/internal/syncbuf"
)

// TestRun runs the command as a user would: it starts the node with a new
// cookie in a fresh home directory, erl pings it, and SIGTERM stops it
// cleanly.
func TestRun(t *testing.T) {
	epmdAddr := erltest.Epmd(t)
	_, port, _ := net.SplitHostPort(epmdAddr)
	home := t.TempDir()
	t.Setenv("ERL_EPMD_PORT", port)
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", "")
	const name = "creo_cli@127.0.0.1"

	var stdout, stderr syncbuf.Buffer
	status := make(chan int, 1)
	go func() { status <- run([]string{"--name", name, "--tick-time", "10s"}, &stdout, &stderr) }()
	awaitRegistered(t, epmdAddr, "creo_cli", status, &stderr)

	cookie, err := os.ReadFile(filepath.Join(home, cookieFile))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^[A-Z]{20}$`).Match(cookie) {
		t.Errorf("cookie %q is not 20 capital letters", cookie)
	}
	erl := erltest.StartNode(t, erltest.NodeConfig{Cookie: string(cookie), Epmd: epmdAddr})
	if got := erl.Eval(t, "net_adm:ping('"+name+"')."); got != "pong" {
		t.Fatalf("ping = %s\n%s", got, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(home, ".local", "share", "creo", name)); err != nil {
		t.Errorf("data directory: %v", err)
	}

	terminate(t, status, &stderr)
	if _, err := epmd.Lookup(context.Background(), epmdAddr, "creo_cli"); !errors.Is(err, epmd.ErrNotFound) {
		t.Errorf("EPMD lookup after the stop: %v", err)
	}
	if got := erl.Eval(t, "net_adm:ping('"+name+"')."); got != "pang" {
		t.Errorf("ping after the stop = %s", got)
	}
}

// awaitRegistered waits until the node short is registered with EPMD, and
// fails if the command exits first.
func awaitRegistered(t testing.TB, epmdAddr, short string, status <-chan int, stderr *syncbuf.Buffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := epmd.Lookup(context.Background(), epmdAddr, short); err == nil {
			return
		}
		select {
		case code := <-status:
			t.Fatalf("exited with status %d\n%s", code, stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the node did not register\n%s", stderr.String())
		}
	}
}

func TestRunUsage(t *testing.T) {
	t.Setenv("HOME", t.TempDir()) // the cookie file, when one is read
	for _, tt := range []struct {
		name   string
		args   []string
		status int
		stderr string
	}{
		{name: "unknown flag", args: []string{"--bogus"}, status: 2, stderr: "host: unknown flag: --bogus (see host --help)\n"},
		{name: "unknown command", args: []string{"extra"}, status: 2, stderr: "host: unknown command \"extra\" (see host --help)\n"},
		{name: "bad config", args: []string{"--name", "creo", "--cookie", "c", "--data-dir", t.TempDir()}, status: 2,
			stderr: "config: node.name: \"creo\" is not of the form name@host\n"},
		{name: "no config file", args: []string{"--config", "/nonexistent/creo.yaml"}, status: 2,
			stderr: "config: /nonexistent/creo.yaml: no such file or directory\n"},
		{name: "subcommand arguments", args: []string{"stop"}, status: 2, stderr: "host: stop takes NAME, not [] (see host --help)\n"},
		{name: "subcommand flag", args: []string{"ps", "--bogus"}, status: 2, stderr: "host: unknown flag: --bogus (see host --help)\n"},
		{name: "bad term", args: []string{"call", "example", "{a,"}, status: 2,
			stderr: "host: TERM: etf: 1:4: expected a term, found end of text (see host --help)\n"},
		{name: "bad timeout", args: []string{"ps", "--timeout", "0s"}, status: 2, stderr: "host: --timeout 0s is not positive (see host --help)\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr syncbuf.Buffer
			if got := run(tt.args, &stdout, &stderr); got != tt.status || stderr.String() != tt.stderr {
				t.Fatalf("run(%q) = %d, stderr %q; want %d, %q", tt.args, got, stderr.String(), tt.status, tt.stderr)
			}
		})
	}
}

func TestHomeCookie(t *testing.T) {
	for _, tt := range []struct {
		name    string
		content string // "" for no file
		mode    os.FileMode
		want    string
		err     string
	}{
		{name: "erl's", content: "ABCDEFGHIJKLMNOPQRST", mode: 0o400, want: "ABCDEFGHIJKLMNOPQRST"},
		{name: "first line, trimmed", content: " secret \nignored\n", mode: 0o600, want: "secret"},
		{name: "readable by others", content: "secret", mode: 0o644, err: "must be accessible by its owner only"},
		{name: "empty", content: "\n", mode: 0o600, err: "is empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			if err := os.WriteFile(filepath.Join(home, cookieFile), []byte(tt.content), tt.mode); err != nil {
				t.Fatal(err)
			}
			got, err := homeCookie(home)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("homeCookie = %q, %v; want an error with %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("homeCookie = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	t.Run("created when absent", func(t *testing.T) {
		home := t.TempDir()
		made, err := homeCookie(home)
		if err != nil {
			t.Fatal(err)
		}
		info, err := os.Stat(filepath.Join(home, cookieFile))
		if err != nil || info.Mode().Perm() != 0o400 {
			t.Fatalf("cookie file: %v, %v; want mode 0400", info, err)
		}
		if again, err := homeCookie(home); err != nil || again != made {
			t.Fatalf("read back %q, %v; want %q", again, err, made)
		}
	})
}

func TestDefaultDataDir(t *testing.T) {
	for _, tt := range []struct {
		name, xdg, want string
	}{
		{name: "XDG_DATA_HOME", xdg: "/data", want: "/data/creo/n@h"},
		{name: "unset", xdg: "", want: "/home/u/.local/share/creo/n@h"},
		{name: "relative, ignored", xdg: "data", want: "/home/u/.local/share/creo/n@h"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("XDG_DATA_HOME", tt.xdg)
			if got := defaultDataDir("/home/u", "n@h"); got != tt.want {
				t.Fatalf("defaultDataDir = %s, want %s", got, tt.want)
			}
		})
	}
}
