package examples

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creo-dev/creo/internal/erltest"
)

// repoRoot is the root of the repository, where the walkthroughs run their
// commands, relative to this package.
var repoRoot = ".."

// TestSeedDemo runs the walkthrough of seed-demo/README.md.
func TestSeedDemo(t *testing.T) {
	runWalkthrough(t, filepath.Join("seed-demo", "README.md"))
}

// TestElixir runs the walkthrough of elixir/README.md, which runs
// elixir/deploy_reload.exs.
func TestElixir(t *testing.T) {
	runWalkthrough(t, filepath.Join("elixir", "README.md"))
}

// TestQuickStart runs the quick start of the repository's README.md.
func TestQuickStart(t *testing.T) {
	runWalkthrough(t, filepath.Join(repoRoot, "README.md"))
}

// runWalkthrough runs the walkthrough of the Markdown file at path: each
// command and iex line of its console and iex blocks, in order, checking
// that each prints what the page says. The commands run in a copy of the
// repository made of links, so that the files they write stay out of it.
func runWalkthrough(t *testing.T, path string) {
	steps := readSteps(t, path)
	epmdAddr := erltest.Epmd(t)
	_, epmdPort, _ := net.SplitHostPort(epmdAddr)
	host := buildHost(t)
	env := commandEnv(t, epmdPort)

	var node *hostNode
	var iex *erltest.Node
	for _, s := range steps {
		switch {
		case s.iex:
			if iex == nil {
				t.Fatalf("%s: iex line %q before iex starts", path, s.code)
			}
			if got, want := normalize(iex.Eval(t, retryCall(s.code))), normalize(strings.Join(s.want, "\n")); got != want {
				t.Fatalf("iex> %s\n got %s\nwant %s\n%s", s.code, got, want, node.log())
			}
		case s.code == "go run ./cmd/host":
			node = startHost(t, host, env)
		case s.code == "iex --name a@127.0.0.1":
			if node == nil {
				t.Fatalf("%s: iex starts before the node", path)
			}
			cookie, err := os.ReadFile(filepath.Join(env.home, ".erlang.cookie"))
			if err != nil {
				t.Fatal(err)
			}
			iex = erltest.StartNode(t, erltest.NodeConfig{Name: "a", Cookie: string(cookie), Epmd: epmdAddr, Elixir: true})
		case strings.HasPrefix(s.code, "go run ./cmd/host "):
			runCommand(t, env, s, host, shellWords(t, path, strings.TrimPrefix(s.code, "go run ./cmd/host "))...)
		case strings.HasPrefix(s.code, "elixir "):
			runCommand(t, env, s, erltest.Elixir(t), shellWords(t, path, strings.TrimPrefix(s.code, "elixir "))...)
		default:
			t.Fatalf("%s: the test does not know how to run %q", path, s.code)
		}
	}
	if node == nil {
		t.Fatalf("%s starts no node", path)
	}
}

// runCommand runs the command of step s, the program at path with args,
// and checks that it prints what s says. It runs ps again until then: ps
// shows a moment, and a server is running, not waiting, until it has
// returned from the callback that answered the step before.
func runCommand(t *testing.T, e env, s step, path string, args ...string) {
	t.Helper()
	want := strings.Join(s.want, "\n")
	if want != "" {
		want += "\n"
	}
	for try := 1; ; try++ {
		cmd := exec.Command(path, args...)
		cmd.Dir, cmd.Env = e.dir, e.vars
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err == nil && normalize(string(out)) == normalize(want) {
			return
		}
		if err == nil && args[0] == "ps" && try < 100 {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		t.Fatalf("$ %s\n%s%s%v\nwant\n%s", s.code, out, stderr.Bytes(), err, want)
	}
}

// step is a command of README.md and the lines it prints.
type step struct {
	iex  bool // an iex line; else a console command
	code string
	want []string
}

var iexPrompt = regexp.MustCompile(`^iex\([^)]*\)\d+> (.*)$`)

// readSteps reads the console and iex blocks of the Markdown file at path:
// in them, a line "$ command" is a command and a line after an iex prompt
// is Elixir code; the lines after either are what it prints.
func readSteps(t *testing.T, path string) []step {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var steps []step
	inBlock, run := false, false // in a fenced block; one of console or iex
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text()) // blocks may be indented in lists
		if lang, ok := strings.CutPrefix(line, "```"); ok {
			inBlock = !inBlock
			run = inBlock && (lang == "console" || lang == "iex")
			continue
		}
		if !run {
			continue
		}
		if code, ok := strings.CutPrefix(line, "$ "); ok {
			steps = append(steps, step{code: code})
			continue
		}
		if m := iexPrompt.FindStringSubmatch(line); m != nil {
			steps = append(steps, step{iex: true, code: m[1]})
			continue
		}
		if len(steps) == 0 {
			t.Fatalf("%s: output %q before any command", path, line)
		}
		steps[len(steps)-1].want = append(steps[len(steps)-1].want, line)
	}
	return steps
}

// retryCall makes a GenServer.call try again while the server is not
// registered: a user types the call after the supervisor has restarted
// the server, but the test may be faster than the restart.
func retryCall(code string) string {
	if !strings.HasPrefix(code, "GenServer.call(") {
		return code
	}
	return `Enum.find_value(1..1000, fn _ -> try do {:ok, ` + code + `} catch :exit, {:noproc, _} -> Process.sleep(10); nil end end) |> elem(1)`
}

// varying matches what differs from one run to the next: references, pids
// and module hashes (full, or shortened as ps shows them).
var varying = regexp.MustCompile(`#Reference<[0-9.]+>|#PID<[0-9.]+>|<'[^']+'\.[0-9.]+>|\b[0-9a-f]{12,64}\b`)

// normalize replaces what differs from one run to the next with a
// placeholder, and runs of spaces, which align columns, with one.
func normalize(s string) string {
	s = varying.ReplaceAllStringFunc(s, func(m string) string {
		switch {
		case strings.HasPrefix(m, "#"):
			return m[:strings.IndexByte(m, '<')] + "<...>"
		case strings.HasPrefix(m, "<"):
			return "<pid>"
		}
		return "<vsn>"
	})
	return regexp.MustCompile(` +`).ReplaceAllString(s, " ")
}

// shellWords splits a command line as the shell does, for words that are
// plain or in single quotes.
func shellWords(t *testing.T, path, line string) []string {
	t.Helper()
	var words []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		if rest, ok := strings.CutPrefix(line, "'"); ok {
			word, after, ok := strings.Cut(rest, "'")
			if !ok {
				t.Fatalf("%s: unbalanced quote in %q", path, line)
			}
			words, line = append(words, word), after
			continue
		}
		word, after, _ := strings.Cut(line, " ")
		words, line = append(words, word), after
	}
	return words
}

// buildHost builds the host command, as go run does, and returns its path.
func buildHost(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "host")
	cmd := exec.Command("go", "build", "-o", path, "./cmd/host")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/host: %v\n%s", err, out)
	}
	return path
}

// env is where the page's commands run: a copy of the repository made of
// links, and a home directory of their own, for the cookie and the node's
// data, with the test's EPMD.
type env struct {
	dir  string
	home string
	vars []string
}

// commandEnv returns a fresh env. Go's caches stay where they are, so that
// building guests does not start from nothing.
func commandEnv(t *testing.T, epmdPort string) env {
	t.Helper()
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatal(err)
	}
	goEnv := strings.Fields(string(out))
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	e := env{dir: t.TempDir(), home: t.TempDir()}
	entries, err := os.ReadDir(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, entry := range entries {
		if entry.Name() == ".git" {
			continue
		}
		if err := os.Symlink(filepath.Join(root, entry.Name()), filepath.Join(e.dir, entry.Name())); err != nil {
			t.Fatal(err)
		}
	}
	e.vars = append(os.Environ(),
		"HOME="+e.home, "XDG_DATA_HOME=", "XDG_CACHE_HOME="+cache,
		"GOCACHE="+goEnv[0], "GOMODCACHE="+goEnv[1], "GOPATH="+goEnv[2],
		// Erlang finds the test's EPMD, and never starts one that outlives
		// the test.
		"ERL_EPMD_PORT="+epmdPort, "ERL_FLAGS=-start_epmd false")
	return e
}

// hostNode is the node of step 1, running until the test ends.
type hostNode struct {
	logFile string // where it logs
}

// log returns what the node has logged so far.
func (n *hostNode) log() string {
	b, _ := os.ReadFile(n.logFile)
	return string(b)
}

// startHost starts the node as step 1 does and waits until it serves
// example.
func startHost(t *testing.T, host string, e env) *hostNode {
	t.Helper()
	n := &hostNode{logFile: filepath.Join(t.TempDir(), "host.log")}
	log, err := os.Create(n.logFile)
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close() // the node has its own descriptor
	cmd := exec.Command(host)
	cmd.Dir, cmd.Env = e.dir, e.vars
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // a cold build of the guest
	defer cancel()
	for !strings.Contains(n.log(), `msg="host: serving a wasm module" name=example`) {
		select {
		case err := <-exited:
			t.Fatalf("the node exited: %v\n%s", err, n.log())
		case <-ctx.Done():
			t.Fatalf("the node does not serve example\n%s", n.log())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return n
}
