package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/creo-dev/creo/etf"
)

// opServers asks the management server to describe its servers.
const opServers etf.Atom = "servers"

// vsnDigits is how many hex digits of a module's hash ps prints, as git
// shortens commit hashes.
const vsnDigits = 12

// serverInfo is how the management server describes a server, one map per
// server in its reply to servers.
type serverInfo struct {
	Name            etf.Term `etf:"name"`
	Pid             etf.Term `etf:"pid"` // undefined while the server is down
	Vsn             string   `etf:"vsn"` // the SHA-256 of its module, in hex
	Status          etf.Term `etf:"status"`
	Restarts        int      `etf:"restarts"`
	MessageQueueLen int      `etf:"message_queue_len"`
}

// newPsCommand returns the ps subcommand: it lists the servers of a node.
func newPsCommand(stdout io.Writer, configFile *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ps",
		Short: "List the servers of a running node",
		Long: `ps lists the servers of a running node, one a line: its name, pid (- while
it is down), vsn (the start of its module's SHA-256), status (waiting,
running, suspended, exiting, down, or why it could not be restored), how
many times its supervisor restarted it, and how many messages wait in its
mailbox.`,
		Args: wantArgs(),
	}
	return clientCommand(cmd, configFile, func(ctx context.Context, c *client, _ []string) error {
		reply, err := c.manage(ctx, "ps", opServers)
		if err != nil {
			return err
		}
		var servers []serverInfo
		if err := etf.FromTerm(reply, &servers); err != nil {
			return fmt.Errorf("host: ps: the node answered %s: %w", etf.Format(reply), err)
		}
		w := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
		fmt.Fprintln(w, "NAME\tPID\tVSN\tSTATUS\tRESTARTS\tMAILBOX")
		for _, s := range servers {
			pid := etf.Format(s.Pid)
			if s.Pid == etf.Undefined {
				pid = "-"
			}
			vsn := s.Vsn
			if len(vsn) > vsnDigits {
				vsn = vsn[:vsnDigits]
			}
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%d\n", unquoted(s.Name), pid, vsn, unquoted(s.Status), s.Restarts, s.MessageQueueLen)
		}
		return w.Flush()
	})
}

// unquoted prints a term in Erlang syntax, but an atom without quotes.
func unquoted(t etf.Term) string {
	if a, ok := t.(etf.Atom); ok {
		return string(a)
	}
	return etf.Format(t)
}
