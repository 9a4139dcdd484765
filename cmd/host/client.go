package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/host"
)

// defaultTimeout bounds a subcommand's call to the node: long enough for a
// deploy to compile a large module.
const defaultTimeout = 30 * time.Second

// nodeError is a call the node answered with an error, or could not
// answer: the command reports it and exits with status 1.
type nodeError struct {
	op     string
	reason etf.Term
}

func (e *nodeError) Error() string { return "host: " + e.op + ": " + etf.Format(e.reason) }

// client talks to a running node over distribution, as erl -remsh does,
// so the node needs no second protocol to secure, only its cookie. It
// connects on its first call, so a subcommand checks its arguments and
// reads its files before it reaches the node.
type client struct {
	target  nodeSettings
	timeout time.Duration
	node    *host.Node // the hidden node that calls, once connected
}

// clientCommand completes cmd, a subcommand that talks to a running node:
// it adds the flags that say which node and how long to wait, reads the
// settings, and runs run with a client of the node.
func clientCommand(cmd *cobra.Command, configFile *string, run func(ctx context.Context, c *client, args []string) error) *cobra.Command {
	s := newSettings()
	f := cmd.Flags()
	f.String("node", defaultName, "the node to talk to")
	f.String("cookie", "", "the node's cookie (default: the content of ~/.erlang.cookie)")
	f.String("epmd", "", "the address of this machine's EPMD (default: 127.0.0.1, port ERL_EPMD_PORT, else 4369)")
	timeout := f.Duration("timeout", defaultTimeout, "how long to wait for the node's answer")
	s.bindFlag(keyName, f, "node")
	s.bindFlag(keyCookie, f, "cookie")
	s.bindFlag(keyEPMD, f, "epmd")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := s.readFile(*configFile); err != nil {
			return err
		}
		target, err := loadNodeSettings(s)
		if err != nil {
			return err
		}
		if *timeout <= 0 {
			return usageError{fmt.Errorf("--timeout %v is not positive", *timeout)}
		}
		c := &client{target: target, timeout: *timeout}
		defer c.close()
		return run(cmd.Context(), c, args)
	}
	return cmd
}

// clients counts the clients of this process, which name their nodes.
var clients atomic.Int64

// connect starts a hidden node named host_cli_<pid>_<n> on the target's
// host, so that it has the target's kind of name (short or long), and
// connects it to the target. The pid keeps the name unique on this
// machine, n in this process.
func (c *client) connect(ctx context.Context) error {
	if c.node != nil {
		return nil
	}
	_, hostname, _ := strings.Cut(string(c.target.name), "@")
	n, err := host.StartNode(ctx, host.NetConfig{
		Name:   etf.Atom(fmt.Sprintf("host_cli_%d_%d@%s", os.Getpid(), clients.Add(1), hostname)),
		Cookie: c.target.cookie,
		EPMD:   c.target.epmd,
		Hidden: true,
		Logger: slog.New(slog.DiscardHandler), // failures come back as errors
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if err := n.Connect(ctx, c.target.name); err != nil {
		n.Close()
		return fmt.Errorf("%w (is the node running, with this cookie?)", err)
	}
	c.node = n
	return nil
}

// close stops the client's node, if it started.
func (c *client) close() {
	if c.node != nil {
		c.node.Close()
	}
}

// call makes a gen_server call to the server registered as name on the
// target node and returns its reply, decoded. op names the call in errors.
func (c *client) call(ctx context.Context, op string, name etf.Atom, req etf.Term) (etf.Term, error) {
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	reply, err := c.node.Call(ctx, etf.Tuple{name, c.target.name}, req, c.timeout)
	if err != nil {
		var exit *host.ExitError
		if errors.As(err, &exit) {
			return nil, &nodeError{op: op, reason: exit.Reason}
		}
		return nil, fmt.Errorf("host: %s: %w", op, err)
	}
	if raw, ok := reply.(etf.Raw); ok {
		t, n, err := etf.DecodeTerm(raw, nil)
		if err != nil || n != len(raw) {
			return nil, fmt.Errorf("host: %s: the reply does not decode: %v", op, err)
		}
		return t, nil
	}
	return reply, nil
}

// manage calls the node's management server, which answers ok, {ok, X} or
// {error, Reason}, and returns X (ok for a bare ok) or the reason as a
// *nodeError.
func (c *client) manage(ctx context.Context, op string, req etf.Term) (etf.Term, error) {
	reply, err := c.call(ctx, op, host.ManagerName, req)
	if err != nil {
		return nil, err
	}
	if t, ok := reply.(etf.Tuple); ok && len(t) == 2 {
		switch t[0] {
		case etf.Atom("ok"):
			return t[1], nil
		case etf.Atom("error"):
			return nil, &nodeError{op: op, reason: t[1]}
		}
	}
	return reply, nil
}
