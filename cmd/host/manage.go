package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/creo-dev/creo/etf"
)

// The requests of the management server.
const (
	opDeploy etf.Atom = "deploy"
	opReload etf.Atom = "reload"
	opStop   etf.Atom = "stop"
)

// newDeployCommand returns the deploy subcommand: it uploads a module to
// the node, which starts it as a supervised server, and prints its pid.
func newDeployCommand(stdout io.Writer, configFile *string) *cobra.Command {
	var initArgs, restart string
	cmd := &cobra.Command{
		Use:   "deploy NAME FILE",
		Short: "Start a server of the module FILE on a running node, registered as NAME",
		Long: `deploy uploads the module FILE, a .wasm file or a Go guest package
directory (built first, as host build does), to a running node, which stores
it and starts a supervised server of it registered as NAME. It prints the
server's pid. The node keeps what it deployed across its restarts, until
host stop NAME.`,
		Example: `  host deploy counter ./guests/counter --init-args 5
  host deploy counter counter.wasm --restart transient`,
		Args: wantArgs("NAME", "FILE"),
	}
	cmd.Flags().StringVar(&initArgs, "init-args", defaultInitArgs, "init's argument, in Erlang syntax")
	cmd.Flags().StringVar(&restart, "restart", "permanent", "when the server is restarted: permanent, transient or temporary")
	return manageCommand(cmd, stdout, configFile, func(ctx context.Context, name etf.Atom, args []string) (etf.Term, error) {
		init, err := termArg("--init-args", initArgs)
		if err != nil {
			return nil, err
		}
		r, err := parseRestart(restart)
		if err != nil {
			return nil, usageError{fmt.Errorf("--restart: %w", err)}
		}
		wasm, err := readModule(ctx, args[1])
		if err != nil {
			return nil, err
		}
		opts := etf.List{etf.Tuple{etf.Atom("restart"), etf.Atom(r.String())}}
		return etf.Tuple{opDeploy, name, wasm, init, opts}, nil
	})
}

// newReloadCommand returns the reload subcommand: it swaps the module of a
// running server, keeping its state.
func newReloadCommand(stdout io.Writer, configFile *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reload NAME FILE",
		Short: "Hot-swap the module of the server NAME for FILE, keeping its state",
		Long: `reload uploads the module FILE, a .wasm file or a Go guest package
directory, and has the server NAME run it from its next message on: the new
module's code_change turns the old state into the new. If the module is
invalid or code_change fails, the server keeps its old module and reload
fails.`,
		Args: wantArgs("NAME", "FILE"),
	}
	return manageCommand(cmd, stdout, configFile, func(ctx context.Context, name etf.Atom, args []string) (etf.Term, error) {
		wasm, err := readModule(ctx, args[1])
		return etf.Tuple{opReload, name, wasm}, err
	})
}

// newStopCommand returns the stop subcommand: it stops a server for good.
func newStopCommand(stdout io.Writer, configFile *string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stop NAME",
		Short: "Stop the server NAME and forget it, so that a restart does not bring it back",
		Args:  wantArgs("NAME"),
	}
	return manageCommand(cmd, stdout, configFile, func(_ context.Context, name etf.Atom, _ []string) (etf.Term, error) {
		return etf.Tuple{opStop, name}, nil
	})
}

// manageCommand completes cmd, whose first argument names a server, as a
// request to the management server that request makes from the arguments;
// it prints what the node answers, without ok.
func manageCommand(cmd *cobra.Command, stdout io.Writer, configFile *string,
	request func(ctx context.Context, name etf.Atom, args []string) (etf.Term, error)) *cobra.Command {
	return clientCommand(cmd, configFile, func(ctx context.Context, c *client, args []string) error {
		name, err := serverNameArg(args[0])
		if err != nil {
			return err
		}
		req, err := request(ctx, name, args)
		if err != nil {
			return err
		}
		result, err := c.manage(ctx, fmt.Sprintf("%s %s", cmd.Name(), name), req)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, etf.Format(result))
		return err
	})
}

// readModule returns the module at path: the bytes of a .wasm file, or a Go
// guest package directory built.
func readModule(ctx context.Context, path string) (etf.Binary, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("host: %w", err)
	}
	if info.IsDir() {
		return buildGuest(ctx, path)
	}
	wasm, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("host: %w", err)
	}
	return wasm, nil
}
