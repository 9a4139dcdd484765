package main

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/creo-dev/creo/etf"
)

// wantArgs checks that a subcommand got exactly the arguments names
// describes, in its usage's words.
func wantArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != len(names) {
			return usageError{fmt.Errorf("%s takes %s, not %q", cmd.Name(), strings.Join(names, " "), args)}
		}
		return nil
	}
}

// serverNameArg returns the argument that names a server as an atom.
func serverNameArg(arg string) (etf.Atom, error) {
	if err := checkAtom(arg); err != nil {
		return "", usageError{fmt.Errorf("server name: %w", err)}
	}
	return etf.Atom(arg), nil
}

// checkAtom checks that name can be an atom: not empty, and at most 255
// characters, Erlang's limit.
func checkAtom(name string) error {
	switch {
	case name == "":
		return errors.New("missing")
	case utf8.RuneCountInString(name) > 255:
		return fmt.Errorf("%q is longer than 255 characters", name)
	}
	return nil
}

// termArg parses the argument what, Erlang term text, as in iex or erl.
func termArg(what, arg string) (etf.Term, error) {
	t, err := etf.Parse(arg)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s: %w", what, err)}
	}
	return t, nil
}
