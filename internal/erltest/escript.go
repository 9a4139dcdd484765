package erltest

import (
	"bytes"
	"context"
	"os/exec"
	"testing"
	"time"
)

// Escript runs the escript at path with args, without distribution, and
// returns what it prints. The test fails if it exits non-zero or runs longer
// than timeout. Like [Erl], it skips or fails the test when escript is
// missing.
func Escript(t testing.TB, timeout time.Duration, path string, args ...string) []byte {
	t.Helper()
	escript := require(t, "escript")
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, escript, append([]string{path}, args...)...)
	cmd.Env = erlEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("escript %s %q: %v\nstdout:\n%s\nstderr:\n%s", path, args, err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}
