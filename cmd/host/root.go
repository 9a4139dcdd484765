package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/host"
)

// Defaults of the flags.
const (
	defaultName   = "creo@127.0.0.1"
	defaultListen = "127.0.0.1:0"
)

// usageError is a command line the command cannot run.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// newRootCommand returns the host command: it runs a node until SIGINT or
// SIGTERM, and its subcommands build modules and manage a running node.
// Settings go through viper (flags, then CREO_* environment variables, then
// the config file); the node gets plain host and abi configurations.
func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	var configFile string
	var s *settings     // the node's settings, bound to its flags below
	var served []string // --serve NAME=PATH (serve.go)
	cmd := &cobra.Command{
		Use:   "host",
		Short: "Run a creo node: an Erlang distribution node whose servers are WebAssembly modules",
		Long: `host runs a creo node that Erlang and Elixir nodes connect to as to any
other node: Node.connect(:"creo@127.0.0.1") from iex, with the same cookie.

Each setting is a flag, else the environment variable CREO_<KEY> (such as
CREO_NODE_COOKIE), else the key in the config file (--config, else creo.yaml
in the working directory when there is one), else its default. The README
lists the keys.

The cookie is --cookie, else the content of ~/.erlang.cookie, which is
created as erl creates it (20 random capital letters, readable by its owner
only) when it does not exist. The node registers with the EPMD on this
machine (--epmd, else port ERL_EPMD_PORT, else 4369), or starts an embedded
one when none runs. Its data directory is --data-dir, else
$XDG_DATA_HOME/creo/<name>, else ~/.local/share/creo/<name>.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unknown command %q", args[0])}
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := s.readFile(configFile); err != nil {
				return err
			}
			cfg, err := loadConfig(s)
			if err != nil {
				return err
			}
			if cfg.servers, err = addServed(cfg.servers, served, cfg.limits); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serve(ctx, cfg, slog.New(slog.NewTextHandler(stderr, nil)))
		},
	}
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.CompletionOptions.DisableDefaultCmd = true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	cmd.PersistentFlags().StringVar(&configFile, "config", "", "the config file (default: "+defaultConfigFile+" in the working directory, if any)")
	s = addNodeFlags(cmd.Flags())
	cmd.Flags().StringArrayVar(&served, "serve", nil, serveFlagUsage)
	cmd.AddCommand(
		newBuildCommand(),
		newDeployCommand(stdout, &configFile),
		newReloadCommand(stdout, &configFile),
		newStopCommand(stdout, &configFile),
		newPsCommand(stdout, &configFile),
		newCallCommand(stdout, &configFile),
		newVersionCommand(stdout),
	)
	return cmd
}

// addNodeFlags adds the flags of the node the bare command runs to f and
// returns the settings they set.
func addNodeFlags(f *pflag.FlagSet) *settings {
	f.String("name", defaultName, "the node's full name, name@host, as other nodes call it")
	f.String("cookie", "", "the cookie shared with the cluster (default: the content of ~/.erlang.cookie)")
	f.String("epmd", "", "the address of this machine's EPMD (default: 127.0.0.1, port ERL_EPMD_PORT, else 4369)")
	f.String("listen", defaultListen, "the address to accept distribution connections on; 0.0.0.0:0 to accept other hosts")
	f.Bool("hidden", false, "run as a hidden node, which other nodes do not list in Node.list()")
	f.Duration("tick-time", 60*time.Second, "net_ticktime: a connection silent for that long is dead; the same on every node")
	f.String("busy-poll", busyPollAuto, "whether a connection's reader polls its socket a while before it waits: "+busyPollAuto+" (while the CPUs are free and no CPU quota binds) or "+busyPollOff)
	f.String("data-dir", "", "where the node keeps its data (default: $XDG_DATA_HOME/creo/<name>)")
	f.Int("memory-pages", abi.DefaultMemoryPages, "the most 64 KiB pages of memory a module's instance may have")
	f.Duration("deadline", abi.DefaultDeadline, "the longest a module's callback may run")
	f.Int("pool-size", abi.DefaultMaxInstances, "the most instances of a module at once")
	f.Int("module-size", host.DefaultMaxModuleSize, "the most bytes of a module deploy and reload accept")
	s := newSettings()
	for key, flag := range map[string]string{
		keyName: "name", keyCookie: "cookie", keyEPMD: "epmd", keyListen: "listen",
		keyHidden: "hidden", keyTickTime: "tick-time", keyBusyPoll: "busy-poll", keyDataDir: "data-dir",
		keyMemoryPages: "memory-pages", keyDeadline: "deadline", keyPoolSize: "pool-size",
		keyModuleSize: "module-size",
	} {
		s.bindFlag(key, f, flag)
	}
	return s
}

// serve runs the node until ctx ends or its supervision tree dies, then
// closes it.
func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	if err := os.MkdirAll(cfg.dataDir, 0o700); err != nil {
		return fmt.Errorf("host: data directory: %w", err)
	}
	cfg.net.Logger = log
	n, err := host.StartNode(ctx, cfg.net)
	if err != nil {
		return err
	}
	log.Info("host: serving", "node", string(n.Name()), "listen", n.Addr().String(), "data_dir", cfg.dataDir)
	w, err := serveWasm(ctx, n, cfg, log)
	if err != nil {
		n.Close()
		return err
	}
	defer w.Close(context.Background()) // after n.Close: terminate runs in its modules
	// After the configured servers: a deployed server of the same name as
	// one of them is not restored, and ps says why.
	_, err = host.StartManager(ctx, n, w, host.ManagerConfig{
		DataDir: cfg.dataDir, MaxModuleSize: cfg.maxModuleSize, Module: cfg.limits.moduleConfig(), Logger: log,
	})
	if err != nil && ctx.Err() == nil { // else the node is stopping anyway
		n.Close()
		return err
	}
	var failed error
	select {
	case <-ctx.Done():
		log.Info("host: stopping", "cause", context.Cause(ctx))
	case <-n.Done():
		failed = errors.New("host: the node's supervision tree ended")
	}
	n.Close()
	log.Info("host: stopped")
	return failed
}
