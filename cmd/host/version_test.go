package main

import (
	"strings"
	"testing"

	"github.com/creo-dev/creo/internal/syncbuf"
)

// TestVersionLdflags checks that a release build's version, set with
// -ldflags "-X main.version=...", is the one printed.
func TestVersionLdflags(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "v1.2.3"
	var stdout, stderr syncbuf.Buffer
	if got := run([]string{"version"}, &stdout, &stderr); got != 0 || !strings.HasPrefix(stdout.String(), "creo   v1.2.3\n") {
		t.Fatalf("version: status %d, stdout %q, stderr %q; want creo v1.2.3 first", got, stdout.String(), stderr.String())
	}
}
