package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/creo-dev/creo/etf"
)

// opWhichServers lists the servers the management server runs.
const opWhichServers etf.Atom = "which_servers"

// vsnDigits is how many hex digits of a module's hash ps prints, as git
// shortens commit hashes.
const vsnDigits = 12

// newPsCommand returns the ps subcommand: it lists the servers of a node.
func newPsCommand(stdout io.Writer, configFile *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ps",
		Short: "List the servers of a running node",
		Long: `ps lists the servers deployed on a running node: name, pid and vsn (the
start of the SHA-256 of its module).`,
		Args: wantArgs(),
	}
	return clientCommand(cmd, configFile, func(ctx context.Context, c *client, _ []string) error {
		reply, err := c.manage(ctx, "ps", opWhichServers)
		if err != nil {
			return err
		}
		list, ok := reply.(etf.List)
		if !ok {
			return fmt.Errorf("host: ps: the node answered %s, not a list", etf.Format(reply))
		}
		w := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
		fmt.Fprintln(w, "NAME\tPID\tVSN")
		for _, entry := range list {
			t, ok := entry.(etf.Tuple)
			if !ok || len(t) != 3 {
				return fmt.Errorf("host: ps: the node answered %s, not {Name, Pid, Vsn}", etf.Format(entry))
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", formatName(t[0]), etf.Format(t[1]), formatVsn(t[2]))
		}
		return w.Flush()
	})
}

// formatName prints a server's name, an atom, without quotes.
func formatName(t etf.Term) string {
	if a, ok := t.(etf.Atom); ok {
		return string(a)
	}
	return etf.Format(t)
}

// formatVsn prints the start of a module's hash in hex, whether it comes
// as its 32 bytes or already in hex.
func formatVsn(t etf.Term) string {
	b, ok := t.(etf.Binary)
	if !ok {
		return etf.Format(t)
	}
	s := string(b)
	if len(b) == 32 {
		s = hex.EncodeToString(b)
	}
	if len(s) > vsnDigits {
		s = s[:vsnDigits]
	}
	return s
}
