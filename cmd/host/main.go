// Command host runs a creo node: a Go node in an Erlang cluster whose
// GenServers are WebAssembly modules. Its subcommands build guest modules
// and manage a running node.
//
// Run without arguments, it starts the node creo@127.0.0.1 with the cookie
// in ~/.erlang.cookie (created as erl creates it when absent), registers
// it with the EPMD on this machine (or an embedded one when none runs),
// starts its configured servers and creo's management server, and serves
// until SIGINT or SIGTERM. See host --help for the flags, and the README
// for the configuration's keys.
//
// # Decisions
//
// Configuration: viper, kept in this package; the node gets plain
// host.NetConfig and abi.ModuleConfig values. Each key is a flag, else
// CREO_<KEY> in the environment, else the config file (--config, else
// creo.yaml in the working directory), else the flag's default. Values are
// checked strictly, and an error names the key: YAML's 12345 is not a
// cookie, 60 is not a duration (no unit is guessed), and a key the command
// does not know is an error rather than a silent typo. Module paths in the
// file are relative to the file, since it moves with the modules it names.
//
// Servers: those of the config file, then those of --serve, start at boot;
// a name in both is an error, since two modules for one name is a mistake
// either way. A server's limits key overrides the node's limits for its
// module. The management server starts after them and restores what was
// deployed before; a deployed server named as a configured one is not
// restored.
//
// Subcommands: those that talk to a node (deploy, reload, stop, ps, call)
// start a hidden node in-process, host_cli_<pid>_<n> on the target's host
// (so it has the target's kind of name, short or long), and use the
// distribution protocol, as erl -remsh does: the node's cookie is the only
// secret, and there is no second protocol to secure. They connect only once
// their arguments are checked and their module read or built. They read the
// node's name, cookie and EPMD from the same flags, environment and config
// file as the bare command (with --node for the name), so that a config
// file serves both. Terms in and out are in Erlang syntax (etf.Parse and
// etf.Format). deploy and reload take a .wasm file or a Go guest package
// directory, built as build builds it, through a cache in the user's cache
// directory.
//
// Exit status: 0 when the command did its work (after a clean shutdown,
// for the bare command), 1 when it failed or the node answered an error,
// which is printed, and 2 for a bad command line or configuration.
//
// # Measured
//
// BenchmarkCall, medians of 5 runs on the team's shared 2-core machine: a
// subcommand run in-process (start a hidden node, register it with EPMD,
// connect, call a Wasm echo server, close) takes 1.12 ms, 23 times the
// 48 µs of the same call over a connection already made. A shell pays the
// process's start besides.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit status: 0 when the
// command did its work (after a clean shutdown, for the bare command), 1
// when it failed or the node it talks to answered with an error, 2 for a
// bad command line or configuration.
func run(args []string, stdout, stderr io.Writer) int {
	cmd := newRootCommand(stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err == nil {
		return 0
	}
	var usage usageError
	if errors.As(err, &usage) {
		fmt.Fprintf(stderr, "host: %v (see host --help)\n", err)
		return 2
	}
	var config *configError
	if errors.As(err, &config) {
		fmt.Fprintln(stderr, err)
		return 2
	}
	// The errors of the host package, the usual ones, start with "host:".
	fmt.Fprintln(stderr, err)
	return 1
}
