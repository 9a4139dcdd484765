// Package wattest checks, in tests, that a WebAssembly module kept in
// testdata is what its WAT text assembles to, so that the text a reader
// trusts and the binary a test loads cannot drift apart.
package wattest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// CheckBuilt assembles base+".wat" with wat2wasm (wabt) and fails t unless
// the result is base+".wasm", byte for byte. Without wat2wasm it skips t on
// a developer machine and fails it when the CI environment variable is set,
// where .ci/run installs wabt.
func CheckBuilt(t testing.TB, base string) {
	t.Helper()
	wat2wasm, err := exec.LookPath("wat2wasm")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("wattest: wat2wasm not found, and CI is set: install wabt")
		}
		t.Skip("wattest: wat2wasm not found; install wabt to check " + base + ".wasm")
	}
	out := filepath.Join(t.TempDir(), filepath.Base(base)+".wasm")
	if b, err := exec.Command(wat2wasm, base+".wat", "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("wattest: wat2wasm %s.wat: %v\n%s", base, err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(Read(t, base), want) {
		t.Errorf("wattest: %s.wasm is not what %s.wat assembles to: run the command in %s.wat", base, base, base)
	}
}

// Read returns the module base+".wasm", failing t when it cannot.
func Read(t testing.TB, base string) []byte {
	t.Helper()
	wasm, err := os.ReadFile(base + ".wasm")
	if err != nil {
		t.Fatal(err)
	}
	return wasm
}
