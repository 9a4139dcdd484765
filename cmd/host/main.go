// Command host runs a creo node: a Go node in an Erlang cluster whose
// GenServers are WebAssembly modules.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "host: the node is not built yet; see README.md")
	return 1
}
