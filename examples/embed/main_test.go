package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/creo-dev/creo/internal/erltest"
	"github.com/creo-dev/creo/internal/gobuild"
)

// TestEmbed runs the example as its doc comment says: it serves the
// module of guests/example, calls it from Go, and answers an Elixir node
// until its context ends.
func TestEmbed(t *testing.T) {
	module := buildExampleGuest(t)
	epmd := net.JoinHostPort("127.0.0.1", strconv.Itoa(erltest.FreePort(t))) // the node embeds an EPMD there
	const name = "embed_test@127.0.0.1"

	ctx, cancel := context.WithCancel(context.Background())
	out, stdout := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"-name", name, "-cookie", "secret", "-epmd", epmd, module}, stdout, t.Output())
		stdout.Close()
	}()
	stop := sync.OnceValue(func() error {
		cancel()
		return <-errc
	})
	t.Cleanup(func() { stop() })

	lines := bufio.NewScanner(out)
	var got []string
	for len(got) < 3 && lines.Scan() {
		got = append(got, lines.Text())
	}
	if len(got) < 3 {
		t.Fatalf("output %q, then the program ended: %v", got, stop())
	}
	if !strings.HasPrefix(got[0], "started example <'embed_test@127.0.0.1'.") {
		t.Errorf("first line %q, want the server's pid", got[0])
	}
	if want := `example answered hi with <<"hello">>`; got[1] != want {
		t.Errorf("second line %q, want %q", got[1], want)
	}
	go io.Copy(io.Discard, out)

	t.Run("from Elixir", func(t *testing.T) {
		iex := erltest.StartNode(t, erltest.NodeConfig{Cookie: "secret", Epmd: epmd, Elixir: true})
		for _, tt := range []struct{ name, code, want string }{
			{name: "hi", code: `GenServer.call({:example, :"embed_test@127.0.0.1"}, :hi)`, want: `"hello"`},
			{name: "echo", code: `GenServer.call({:example, :"embed_test@127.0.0.1"}, {:any, [1, 2]})`, want: "{:any, [1, 2]}"},
		} {
			if got := iex.Eval(t, tt.code); got != tt.want {
				t.Errorf("%s: %s = %s, want %s", tt.name, tt.code, got, tt.want)
			}
		}
	})

	if err := stop(); err != nil {
		t.Fatalf("run = %v", err)
	}
}

// buildExampleGuest builds guests/example into a file and returns its
// path.
func buildExampleGuest(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = t.TempDir()
	}
	wasm, _, err := gobuild.Build(context.Background(), filepath.Join("..", "..", "guests", "example"), filepath.Join(cache, "creo", "gobuild"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "example.wasm")
	if err := os.WriteFile(path, wasm, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
