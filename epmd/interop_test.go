package epmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creo-dev/creo/internal/erltest"
)

// erlProc is an erl node started by a test.
type erlProc struct {
	kill   context.CancelFunc
	exited chan error
	out    bytes.Buffer
}

// erlNode starts erl as the distributed node name@127.0.0.1 using the EPMD
// at epmdPort (it never starts an epmd of its own) and running eval. The
// node is killed, if still running, when the test ends.
func erlNode(t *testing.T, epmdPort, name, eval string) *erlProc {
	t.Helper()
	erl := erltest.Erl(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := exec.CommandContext(ctx, erl, "-name", name+"@127.0.0.1", "-setcookie", "epmdtest",
		"-start_epmd", "false", "-noshell", "-noinput", "-eval", eval)
	cmd.Env = append(os.Environ(), "ERL_EPMD_PORT="+epmdPort)
	p := &erlProc{kill: cancel, exited: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = &p.out, &p.out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start erl: %v", err)
	}
	go func() { p.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cancel()
		p.wait()
	})
	return p
}

// wait waits for the node to exit and returns its output and exit error.
func (p *erlProc) wait() (string, error) {
	err := <-p.exited
	p.exited <- err
	return p.out.String(), err
}

// uniqueName returns a node name no other test run on this machine uses.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s_%d_%d", prefix, os.Getpid(), rand.IntN(1e6))
}

// TestErlNodesUseEmbeddedServer proves real erl nodes work with the
// embedded server alone: they register, see each other in
// net_adm:names/0, find each other to ping, and are forgotten when they die.
func TestErlNodesUseEmbeddedServer(t *testing.T) {
	erltest.Erl(t)
	s := startServer(t, ServerConfig{})
	addr, port := s.Addr().String(), portOf(t, s.Addr().String())
	ctx := context.Background()

	a, b := uniqueName("epmd_a"), uniqueName("epmd_b")
	nodeProc := erlNode(t, port, a, "receive stop -> ok end.")
	var nodeA Node
	waitFor(t, a+" to register", func() bool {
		var err error
		nodeA, err = Lookup(ctx, addr, a)
		if err != nil && !errors.Is(err, ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	})
	if nodeA.Type != VisibleNode || nodeA.HighestVersion != 6 || nodeA.LowestVersion != 5 || nodeA.Port == 0 {
		t.Errorf("%s registered as %+v, want a visible node, versions 6 and 5, a port", a, nodeA)
	}

	ping := erlNode(t, port, b, fmt.Sprintf(`
		Pong = net_adm:ping('%s@127.0.0.1'),
		{ok, Names} = net_adm:names(),
		io:format("ping: ~p~nnames: ~p~n", [Pong, lists:sort(Names)]),
		halt().`, a))
	out, err := ping.wait()
	if err != nil {
		t.Fatalf("erl %s: %v\n%s", b, err, out)
	}
	if !strings.Contains(out, "ping: pong") {
		t.Errorf("%s could not ping %s through the embedded server:\n%s", b, a, out)
	}
	for _, want := range []string{fmt.Sprintf(`{"%s",%d}`, a, nodeA.Port), fmt.Sprintf(`{"%s",`, b)} {
		if !strings.Contains(out, want) {
			t.Errorf("net_adm:names/0 does not list %s:\n%s", want, out)
		}
	}

	// A killed node's registration connection is closed by the kernel,
	// as in a crash: the name must go at once.
	nodeProc.kill()
	nodeProc.wait()
	waitFor(t, a+" to be unregistered", func() bool {
		_, err := Lookup(ctx, addr, a)
		return errors.Is(err, ErrNotFound)
	})
}
