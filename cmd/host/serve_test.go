package main

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/erltest"
	"github.com/creo-dev/creo/internal/syncbuf"
)

func TestAddServed(t *testing.T) {
	l := limits{memoryPages: 64, deadline: time.Second, poolSize: 2}
	fromFile := defaultServer("file", "f.wasm", l)
	for _, tt := range []struct {
		name   string
		values []string
		want   []serverConfig
		err    string
	}{
		{name: "none", want: []serverConfig{fromFile}},
		{name: "two", values: []string{"echo=guests/echo", "c=./counter.wasm"},
			want: []serverConfig{fromFile, defaultServer("echo", "guests/echo", l), defaultServer("c", "./counter.wasm", l)}},
		{name: "= in the path", values: []string{"x=a=b.wasm"}, want: []serverConfig{fromFile, defaultServer("x", "a=b.wasm", l)}},
		{name: "no =", values: []string{"echo"}, err: `--serve "echo" is not NAME=PATH`},
		{name: "no name", values: []string{"=guests/echo"}, err: `--serve "=guests/echo" is not NAME=PATH`},
		{name: "no path", values: []string{"echo="}, err: `--serve "echo=" is not NAME=PATH`},
		{name: "twice", values: []string{"e=a", "e=b"}, err: `--serve "e=b": e is served twice`},
		{name: "in the config file too", values: []string{"file=g"}, err: `--serve "file=g": file is served twice`},
		{name: "long name", values: []string{strings.Repeat("n", 256) + "=p"}, err: `--serve "nnn`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := addServed([]serverConfig{fromFile}, tt.values, l)
			if tt.err != "" {
				if _, usage := err.(usageError); !usage || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("addServed = %v, %v; want a usage error with %q", got, err, tt.err)
				}
				return
			}
			if err != nil || len(got) != len(tt.want) {
				t.Fatalf("addServed = %v, %v; want %v", got, err, tt.want)
			}
			for i := range got {
				if g, w := got[i], tt.want[i]; g.name != w.name || g.module != w.module || g.restart != w.restart || g.limits != w.limits || !etf.Equal(g.initArgs, etf.List{}) {
					t.Errorf("server %d = %+v, want %+v", i, g, w)
				}
			}
		})
	}
}

func TestModuleRoot(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := moduleRoot(wd)
	if err != nil || root != filepath.Dir(filepath.Dir(wd)) {
		t.Errorf("moduleRoot(%s) = %s, %v; want the repository's root", wd, root, err)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if root, err := moduleRoot(other); err == nil {
		t.Errorf("moduleRoot(%s) = %s, want an error: its go.mod is not creo's", other, root)
	}
}

// TestSeedSession is the iex session of the blog post that started creo,
// line by line: `go run ./cmd/host` with no --serve serves example from
// guests/example, and Elixir calls it.
func TestSeedSession(t *testing.T) {
	epmdAddr := erltest.Epmd(t)
	_, port, _ := net.SplitHostPort(epmdAddr)
	t.Setenv("ERL_EPMD_PORT", port)
	const cookie = "seedcookie"
	var stdout, stderr syncbuf.Buffer
	status := make(chan int, 1)
	go func() {
		status <- run([]string{"--name", "creo@127.0.0.1", "--cookie", cookie, "--data-dir", t.TempDir()}, &stdout, &stderr)
	}()
	awaitRegistered(t, epmdAddr, "creo", status, &stderr)
	awaitLogged(t, `msg="host: serving a wasm module" name=example`, status, &stderr)

	iex := erltest.StartNode(t, erltest.NodeConfig{Cookie: cookie, Epmd: epmdAddr, Elixir: true})
	const example = `{:example, :"creo@127.0.0.1"}`
	for _, step := range []struct{ code, want string }{
		{`Node.connect(:"creo@127.0.0.1")`, "true"},
		{`GenServer.call(` + example + `, :hi)`, `"hello"`},
		{`GenServer.call(` + example + `, {:any, [1, 2]})`, "{:any, [1, 2]}"},
		{`GenServer.cast(` + example + `, :whatever)`, ":ok"},
		// A monitor sees the reason the server stops with.
		{`ref = Process.monitor(` + example + `)`, "#Reference<"},
		{`GenServer.cast(` + example + `, :stop)`, ":ok"},
		{`receive do {:DOWN, ^ref, :process, _, reason} -> reason after 30_000 -> :no_down end`, `"stop they said"`},
		// Its supervisor restarts it at once, but the call may arrive
		// before the restart has registered the name again.
		{`Enum.find_value(1..1000, fn _ -> try do GenServer.call(` + example + `, :hi) catch :exit, {:noproc, _} -> Process.sleep(10); nil end end)`, `"hello"`},
	} {
		got := iex.Eval(t, step.code)
		if !strings.HasPrefix(got, step.want) {
			t.Fatalf("iex> %s\n got %s\nwant %s\n%s", step.code, got, step.want, stderr.String())
		}
	}
	terminate(t, status, &stderr)
	if !strings.Contains(stderr.String(), `msg="ignoring cast whatever"`) {
		t.Errorf("the cast of whatever was not logged\n%s", stderr.String())
	}
}

// awaitLogged waits until the command logs text, and fails if it exits
// first. Building and compiling the guest takes seconds on a cold cache.
func awaitLogged(t testing.TB, text string, status <-chan int, stderr *syncbuf.Buffer) {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for !strings.Contains(stderr.String(), text) {
		select {
		case code := <-status:
			t.Fatalf("exited with status %d\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing logged %q\n%s", text, stderr.String())
		}
	}
}

// terminate stops the command as SIGTERM does, and fails unless it exits
// cleanly.
func terminate(t testing.TB, status <-chan int, stderr *syncbuf.Buffer) {
	t.Helper()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-status:
		if code != 0 {
			t.Fatalf("exit status %d\n%s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("still running after SIGTERM\n%s", stderr.String())
	}
}

// TestServe serves a Go guest package and a .wasm file, and erl calls
// both.
func TestServe(t *testing.T) {
	epmdAddr := erltest.Epmd(t)
	wasm, err := readModule(t.Context(), filepath.Join("..", "..", "guests", "counter"))
	if err != nil {
		t.Fatal(err)
	}
	counter := filepath.Join(t.TempDir(), "counter.wasm")
	if err := os.WriteFile(counter, wasm, 0o644); err != nil {
		t.Fatal(err)
	}
	const cookie, name = "servecookie", "creo_serve@127.0.0.1"
	var stdout, stderr syncbuf.Buffer
	status := make(chan int, 1)
	go func() {
		status <- run([]string{"--name", name, "--cookie", cookie, "--epmd", epmdAddr, "--data-dir", t.TempDir(),
			"--serve", "echo=" + filepath.Join("..", "..", "guests", "echo"), "--serve", "counter=" + counter}, &stdout, &stderr)
	}()
	awaitLogged(t, `msg="host: serving a wasm module" name=counter`, status, &stderr)
	if strings.Contains(stderr.String(), "name=example") {
		t.Errorf("example served besides --serve\n%s", stderr.String())
	}
	erl := erltest.StartNode(t, erltest.NodeConfig{Cookie: cookie, Epmd: epmdAddr})
	for _, step := range []struct{ code, want string }{
		{`gen_server:call({echo, '` + name + `'}, {any, "term", <<1,2>>}).`, `{any,"term",<<1,2>>}`},
		{`gen_server:call({counter, '` + name + `'}, {add, 5}).`, "5"},
		{`gen_server:call({counter, '` + name + `'}, inc).`, "6"},
	} {
		if got := erl.Eval(t, step.code); got != step.want {
			t.Fatalf("%s\n got %s\nwant %s\n%s", step.code, got, step.want, stderr.String())
		}
	}
	terminate(t, status, &stderr)
}

// TestServeFails runs the command with a --serve that cannot start: it
// exits at once with status 1, naming the server.
func TestServeFails(t *testing.T) {
	epmdAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(erltest.FreePort(t)))
	var stdout, stderr syncbuf.Buffer
	missing := filepath.Join(t.TempDir(), "missing.wasm")
	got := run([]string{"--name", "creo_fail@127.0.0.1", "--cookie", "c", "--epmd", epmdAddr, "--data-dir", t.TempDir(),
		"--serve", "nope=" + missing}, &stdout, &stderr)
	if want := "host: stat " + missing + ": no such file or directory (server nope)\n"; got != 1 || !strings.HasSuffix(stderr.String(), want) {
		t.Fatalf("status %d, stderr:\n%s\nwant status 1 and %q", got, stderr.String(), want)
	}
}

// TestServeNoExample runs the command outside creo's module: it cannot
// find example to serve, says so, and runs anyway.
func TestServeNoExample(t *testing.T) {
	epmdAddr := net.JoinHostPort("127.0.0.1", strconv.Itoa(erltest.FreePort(t)))
	t.Chdir(t.TempDir())
	var stdout, stderr syncbuf.Buffer
	status := make(chan int, 1)
	go func() {
		status <- run([]string{"--name", "creo_noex@127.0.0.1", "--cookie", "c", "--epmd", epmdAddr, "--data-dir", t.TempDir()}, &stdout, &stderr)
	}()
	awaitLogged(t, `msg="host: not serving example" why="no go.mod of github.com/creo-dev/creo in `, status, &stderr)
	awaitRegistered(t, epmdAddr, "creo_noex", status, &stderr)
	terminate(t, status, &stderr)
}
