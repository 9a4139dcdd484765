// Command bench measures creo beside the BEAM and writes BENCHMARKS.md, with
// PNG charts in bench/charts:
//
//	go run ./bench                 # everything, about ten minutes
//	go run ./bench -quick          # tiny counts: checks the harness, measures nothing
//	go run ./bench -only calls,etf # some comparisons
//
// The comparisons, each creo beside a baseline:
//
//  1. calls: GenServer.call from an Elixir node to creo's Wasm echo server
//     (guests/echo) and to the same echo GenServer on a second BEAM node:
//     throughput with 1, 8, 64 and 256 callers and latency of sequential
//     calls, for four request shapes; at 64 callers, also the CPU time per
//     call of the driver node and of the server's node, which shows what
//     bounds throughput on cores they share.
//  2. callbacks: callbacks per second into Wasm servers on one node, beside
//     the same echo as a native Go behaviour.
//  3. scale: spawn rate and resident memory of 10k, 100k and 1M idle Wasm
//     servers, beside as many idle GenServers on a BEAM node.
//  4. reload: moving 1k and 10k running servers to a new module version
//     under load, beside a release-style upgrade of GenServers.
//  5. etf: decoding and encoding a corpus of terms, beside binary_to_term
//     and term_to_binary.
//
// # Decisions
//
// Both sides of a comparison run in the same run, in rounds that alternate
// (forwards, then backwards), because the machine is shared and its load
// comes and goes; every figure is the median of the rounds, with their range.
// The harness reports what it measured and never fails on a figure: a
// missed target is a row marked "no" in the report, and the reason is in
// bench/notes, written from profiles.
//
// Everything runs on loopback, with a private EPMD on a free port; the BEAM
// nodes are started through internal/erltest (an erltest.Session stands in
// for a test) and creo's node runs in this process. Measurements of memory
// run in a fresh child process, this program again (see childEnv), so that
// earlier measurements leave nothing in the heap. Everything the run
// starts is stopped when it ends, also on Ctrl-C.
//
// Guests are built with internal/gobuild and compiled modules kept, both in
// the user's cache directory (creo/bench), so a second run builds nothing;
// only the reload comparison compiles for real, since compile time is part
// of its target.
//
// TestQuick runs the whole harness in quick mode under go test, so that CI
// keeps it working.
package main
