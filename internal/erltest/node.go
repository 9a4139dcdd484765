package erltest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// NodeConfig describes a distributed erl or elixir node for a test.
type NodeConfig struct {
	// Name is the node's short name; the node is Name@127.0.0.1. Empty
	// means a name unique to this test process.
	Name string
	// Cookie is the node's cookie. Required.
	Cookie string
	// Epmd is the address of the EPMD the node registers with, as [Epmd]
	// returns it. Required: tests never use the machine's port 4369.
	Epmd string
	// Elixir starts elixir instead of erl; Eval then takes Elixir code.
	Elixir bool
	// Args are extra erl flags, such as "-kernel", "net_ticktime", "4".
	Args []string
}

// Node is a running erl or elixir node that evaluates code sent to it.
type Node struct {
	// Name is the node's full name, name@127.0.0.1.
	Name   string
	elixir bool
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	// results receives the reply to each Eval; closed when the node's
	// output ends.
	results chan string
	stopped chan struct{} // closed when the test ends

	mu     sync.Mutex
	output []string // the node's last lines of other output, for failures
}

// evalTimeout bounds one Eval, start-up of the node included: the machine
// is small and shared.
const evalTimeout = 90 * time.Second

// resultMark starts the line that carries an Eval's reply, so that it stands
// apart from logs and reports the node prints.
const resultMark = "\x02erltest:"

// erlRepl reads one expression sequence per line, evaluates it with the
// bindings of the earlier lines, and prints "ok Value" or "error Reason".
const erlRepl = `Loop = fun Loop(Bs) ->
    case io:get_line('') of
        eof -> halt(0);
        {error, _} -> halt(0);
        Line ->
            {R, Bs2} = try
                {ok, Toks, _} = erl_scan:string(Line),
                {ok, Exprs} = erl_parse:parse_exprs(Toks),
                {value, V, B} = erl_eval:exprs(Exprs, Bs),
                {["ok " | io_lib:print(V, 1, 16#ffffff, -1)], B}
            catch C:E:St ->
                {["error " | io_lib:print({C, E, St}, 1, 16#ffffff, -1)], Bs}
            end,
            io:put_chars([<<"` + resultMark + `">>, R, $\n]),
            Loop(Bs2)
    end
end,
Loop(erl_eval:new_bindings()).`

// elixirRepl is erlRepl for Elixir code; values print with inspect.
const elixirRepl = `defmodule ErltestRepl do
  def loop(bs) do
    case IO.gets("") do
      line when is_binary(line) ->
        {r, bs} =
          try do
            {v, bs} = Code.eval_string(line, bs)
            {"ok " <> inspect(v, limit: :infinity, printable_limit: :infinity), bs}
          catch
            k, e -> {"error " <> inspect({k, e, __STACKTRACE__}, limit: :infinity), bs}
          end
        IO.write(["` + resultMark + `", r, "\n"])
        loop(bs)
      _ ->
        System.halt(0)
    end
  end
end
ErltestRepl.loop([])`

var nodeCount atomic.Int64

// StartNode starts an erl (or elixir) node named cfg.Name@127.0.0.1 that
// registers with the EPMD at cfg.Epmd, and stops it when the test ends. Like
// [Erl], it skips or fails the test when erl (or elixir) is missing. The
// node has started once its first [Node.Eval] (or [Node.WaitUp]) returns.
func StartNode(t testing.TB, cfg NodeConfig) *Node {
	t.Helper()
	if cfg.Cookie == "" || cfg.Epmd == "" {
		t.Fatalf("erltest: StartNode needs a cookie and an EPMD address")
	}
	_, epmdPort, err := net.SplitHostPort(cfg.Epmd)
	if err != nil {
		t.Fatalf("erltest: EPMD address %q: %v", cfg.Epmd, err)
	}
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("erltest%d_%d", os.Getpid(), nodeCount.Add(1))
	}
	n := &Node{
		Name:    cfg.Name + "@127.0.0.1",
		elixir:  cfg.Elixir,
		results: make(chan string),
		stopped: make(chan struct{}),
	}
	// -start_epmd false: should the test's EPMD be gone, erl must fail
	// rather than start a daemon epmd that outlives the test.
	erlArgs := append([]string{"-start_epmd", "false"}, cfg.Args...)
	if cfg.Elixir {
		n.cmd = exec.Command(Elixir(t), "--name", n.Name, "--cookie", cfg.Cookie,
			"--erl", strings.Join(erlArgs, " "), "-e", elixirRepl)
	} else {
		args := append([]string{"-noshell", "-name", n.Name, "-setcookie", cfg.Cookie}, erlArgs...)
		n.cmd = exec.Command(Erl(t), append(args, "-eval", erlRepl)...)
	}
	n.cmd.Env = erlEnv("ERL_EPMD_PORT=" + epmdPort)
	if n.stdin, err = n.cmd.StdinPipe(); err != nil {
		t.Fatalf("erltest: %v", err)
	}
	stdout, err := n.cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("erltest: %v", err)
	}
	n.cmd.Stderr = n.cmd.Stdout
	if err := n.cmd.Start(); err != nil {
		t.Fatalf("erltest: start %s: %v", n.Name, err)
	}
	go n.readOutput(stdout)
	t.Cleanup(n.stop)
	return n
}

// readOutput sorts the node's output into Eval replies and other lines.
func (n *Node) readOutput(stdout io.Reader) {
	defer close(n.results)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, resultMark); i >= 0 {
			select {
			case n.results <- line[i+len(resultMark):]:
			case <-n.stopped:
			}
			continue
		}
		n.mu.Lock()
		if len(n.output) == 200 {
			n.output = n.output[1:]
		}
		n.output = append(n.output, line)
		n.mu.Unlock()
	}
}

// Eval evaluates code on the node, one line of Erlang expressions ending
// with a period (or of Elixir code), and returns the value it printed: with
// ~p for erl, inspect for elixir. Bindings carry over to later calls. The
// test fails if the code raises, or the node does not answer in time.
func (n *Node) Eval(t testing.TB, code string) string {
	t.Helper()
	if strings.ContainsAny(code, "\r\n") {
		t.Fatalf("erltest: Eval code must be one line: %q", code)
	}
	if _, err := io.WriteString(n.stdin, code+"\n"); err != nil {
		t.Fatalf("erltest: %s: send %q: %v\n%s", n.Name, code, err, n.Output())
	}
	select {
	case r, ok := <-n.results:
		if !ok {
			t.Fatalf("erltest: %s exited during %q\n%s", n.Name, code, n.Output())
		}
		if v, ok := strings.CutPrefix(r, "ok "); ok {
			return v
		}
		t.Fatalf("erltest: %s: %q raised %s\n%s", n.Name, code, strings.TrimPrefix(r, "error "), n.Output())
	case <-time.After(evalTimeout):
		t.Fatalf("erltest: %s: no answer to %q after %v\n%s", n.Name, code, evalTimeout, n.Output())
	}
	return ""
}

// WaitUp returns once the node runs and evaluates code; the test fails if
// it does not start in time.
func (n *Node) WaitUp(t testing.TB) {
	t.Helper()
	if n.elixir {
		n.Eval(t, ":ok")
	} else {
		n.Eval(t, "ok.")
	}
}

// Output returns the node's recent output other than Eval replies: logs,
// crash reports, start-up errors.
func (n *Node) Output() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return strings.Join(n.output, "\n")
}

// Kill ends the node at once with SIGKILL, as a crash would: its
// connections drop without a goodbye.
func (n *Node) Kill() {
	n.cmd.Process.Kill()
}

// stop lets the node halt by closing its input, and kills it if it has not
// halted soon.
func (n *Node) stop() {
	close(n.stopped)
	n.stdin.Close()
	exited := make(chan struct{})
	go func() {
		n.cmd.Wait()
		close(exited)
	}()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		n.cmd.Process.Kill()
		<-exited
	}
}
