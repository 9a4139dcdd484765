package erltest

import (
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// Epmd starts a private epmd in the foreground on a free loopback port and
// returns its address, "127.0.0.1:port"; give erl that port as
// ERL_EPMD_PORT. The epmd is killed when the test ends. Like [Erl], it skips
// or fails the test when epmd is missing.
func Epmd(t testing.TB) string {
	t.Helper()
	path := require(t, "epmd")
	port := FreePort(t)
	cmd := exec.Command(path, "-port", strconv.Itoa(port), "-address", "127.0.0.1")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start epmd: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	waitListening(t, addr, exited)
	return addr
}

// FreePort returns a TCP port free on 127.0.0.1 at the time of the call.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitListening waits until something accepts connections at addr, failing
// the test if exited yields first (the program that was to listen there
// ended) or after a generous start-up time.
func waitListening(t testing.TB, addr string, exited <-chan error) {
	t.Helper()
	const startup = 30 * time.Second
	deadline := time.Now().Add(startup)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case err := <-exited:
			t.Fatalf("nothing listens at %s: the program exited (%v)", addr, err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens at %s after %v: %v", addr, startup, err)
		}
	}
}
