package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// childEnv is the environment variable that makes the program a child of
// a run, which measures in a fresh process and exits: it holds the
// child's request as JSON. A fresh process is what a memory figure needs:
// nothing of earlier measurements in its heap.
const childEnv = "CREO_BENCH_CHILD"

// childRequest is what a child measures.
type childRequest struct {
	// Scale: start Servers idle Wasm servers of the module in the file
	// Wasm, from Spawners goroutines.
	Servers, Spawners int
	Wasm              string
}

// childResult is what a child measured.
type childResult struct {
	Spawn               time.Duration
	RSSBefore, RSSAfter int64
}

// childRequested returns the request of a child process, if the program
// is one.
func childRequested() (childRequest, bool) {
	v, ok := os.LookupEnv(childEnv)
	if !ok {
		return childRequest{}, false
	}
	var req childRequest
	if err := json.Unmarshal([]byte(v), &req); err != nil {
		fmt.Fprintf(os.Stderr, "bench: child request %s: %v\n", v, err)
		os.Exit(2)
	}
	return req, true
}

// runChild measures what req asks and writes the result to stdout as
// JSON.
func runChild(req childRequest, stdout, stderr io.Writer) int {
	res, err := spawnIdle(req)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if err := json.NewEncoder(stdout).Encode(res); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// child runs req in a child process: this program again.
func (b *bench) child(req childRequest) childResult {
	self, err := os.Executable()
	if err != nil {
		b.tb.Fatalf("bench: %v", err)
	}
	js, err := json.Marshal(req)
	if err != nil {
		b.tb.Fatalf("bench: %v", err)
	}
	ctx, cancel := context.WithTimeout(b.tb.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), childEnv+"="+string(js))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		b.tb.Fatalf("bench: child %s: %v\n%s", js, err, stderr.Bytes())
	}
	var res childResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		b.tb.Fatalf("bench: child %s answered %q: %v", js, stdout.Bytes(), err)
	}
	return res
}

// rss returns the resident memory of this process, in bytes.
func rss() (int64, error) {
	kb, err := strconv.ParseInt(strings.TrimSuffix(procField("/proc/self/status", "VmRSS"), " kB"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bench: VmRSS of /proc/self/status: %w", err)
	}
	return kb * 1024, nil
}
