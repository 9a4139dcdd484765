// Package erltest runs real Erlang and Elixir programs for interop tests.
//
// An interop test calls [Erl] or [Elixir] first. When the program is missing
// the test is skipped on a developer machine, and fails when the CI
// environment variable is set, so CI can never go green by skipping.
package erltest

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Erl returns the path of erl, or ends the test when it is missing.
func Erl(t testing.TB) string { return require(t, "erl") }

// Elixir returns the path of elixir, or ends the test when it is missing.
func Elixir(t testing.TB) string { return require(t, "elixir") }

func require(t testing.TB, program string) string {
	t.Helper()
	path, err := exec.LookPath(program)
	if err == nil {
		return path
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is required in CI: %v", program, err)
	}
	t.Skipf("%s not found; install erlang-base and elixir to run interop tests", program)
	return ""
}

// Eval runs the Erlang expressions src in a fresh erl (no distribution) and
// returns what they print. src must end by calling halt(). The test fails if
// erl exits non-zero or runs longer than timeout.
func Eval(t testing.TB, src string, timeout time.Duration) []byte {
	t.Helper()
	erl := Erl(t)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// +fnu: read src as UTF-8, whatever the locale (with none, erl takes
	// its arguments as Latin-1).
	cmd := exec.CommandContext(ctx, erl, "+fnu", "-noshell", "-noinput", "-eval", src)
	cmd.Env = erlEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("erl: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

// erlEnv is the environment of the erl programs a test starts: this
// process's, with extra, and no crash dump, which a failing test's erl
// would otherwise leave in the package's source directory.
func erlEnv(extra ...string) []string {
	return append(append(os.Environ(), "ERL_CRASH_DUMP_SECONDS=0"), extra...)
}
