// Command host runs a creo node: a Go node in an Erlang cluster whose
// GenServers are WebAssembly modules.
//
// Run without arguments, it starts the node creo@127.0.0.1 with the cookie
// in ~/.erlang.cookie (created as erl creates it when absent), registers
// it with the EPMD on this machine (or an embedded one when none runs) and
// serves until SIGINT or SIGTERM. See host --help for the flags.
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
