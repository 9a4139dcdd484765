package host

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creo-dev/creo/epmd"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/syncbuf"
)

const testCookie = "netcookie"

var netNodeCount atomic.Int64

// uniqueName returns a node name no other node of the test run uses.
func uniqueName(prefix string) etf.Atom {
	return etf.Atom(fmt.Sprintf("%s%d_%d@127.0.0.1", prefix, os.Getpid(), netNodeCount.Add(1)))
}

// testEPMD starts an embedded EPMD on a free loopback port for the test,
// and returns its address.
func testEPMD(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s, err := epmd.Listen(addr, epmd.ServerConfig{Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return addr
}

// startNet starts a distributed node registered with the EPMD at epmdAddr,
// and closes it when the test ends. modify, if given, changes the config
// first.
func startNet(t testing.TB, epmdAddr string, modify ...func(*NetConfig)) *Node {
	t.Helper()
	cfg := NetConfig{Name: uniqueName("creo"), Cookie: testCookie, EPMD: epmdAddr, Logger: testLogger(t)}
	for _, m := range modify {
		m(&cfg)
	}
	n, err := StartNode(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// testLogger logs to stderr with -v, at debug level when CREO_TEST_DEBUG
// is set, and discards otherwise. (Not t.Log: goroutines of a node may log
// after the test has returned.)
func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	level := slog.LevelInfo
	if ok, _ := strconv.ParseBool(os.Getenv("CREO_TEST_DEBUG")); ok {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).With("test", t.Name())
}

// logRecorder keeps the text of what a logger logs, for tests that check
// a fault was reported.
type logRecorder struct {
	syncbuf.Buffer
}

func (r *logRecorder) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(r, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// await waits until a line containing text is logged.
func (r *logRecorder) await(t testing.TB, text string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		if strings.Contains(r.String(), text) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing logged with %q; the log:\n%s", text, r.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
