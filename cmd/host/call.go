package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/creo-dev/creo/etf"
)

// newCallCommand returns the call subcommand: a gen_server call from the
// shell.
func newCallCommand(stdout io.Writer, configFile *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "call NAME TERM",
		Short: "Call the server NAME with the request TERM and print its reply",
		Long: `call makes a gen_server call to the server registered as NAME on the node,
as GenServer.call({NAME, Node}, Request) does. TERM and the reply are in
Erlang syntax: host call counter '{add, 2}'.`,
		Example: `  host call example hi
  host call example '{any, [1, 2]}'
  host call counter '{add, 2}' --node creo@127.0.0.1`,
		Args: wantArgs("NAME", "TERM"),
	}
	return clientCommand(cmd, configFile, func(ctx context.Context, c *client, args []string) error {
		name, err := serverNameArg(args[0])
		if err != nil {
			return err
		}
		req, err := termArg("TERM", args[1])
		if err != nil {
			return err
		}
		reply, err := c.call(ctx, fmt.Sprintf("call %s", name), name, req)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, etf.Format(reply))
		return err
	})
}
