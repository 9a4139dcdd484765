package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/creo-dev/creo/etf"
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
// SIGTERM. Its flags go through viper, which later adds the environment
// and a config file; the node gets a plain host.NetConfig.
func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	v := viper.New()
	cmd := &cobra.Command{
		Use:   "host",
		Short: "Run a creo node: an Erlang distribution node whose servers are WebAssembly modules",
		Long: `host runs a creo node that Erlang and Elixir nodes connect to as to any
other node: Node.connect(:"creo@127.0.0.1") from iex, with the same cookie.

The cookie is --cookie, else the content of ~/.erlang.cookie, which is
created as erl creates it (20 random capital letters, readable by its owner
only) when it does not exist. The node registers with the EPMD on this
machine (port ERL_EPMD_PORT, else 4369), or starts an embedded one when none
runs. Its data directory is --data-dir, else $XDG_DATA_HOME/creo/<name>,
else ~/.local/share/creo/<name>.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unexpected arguments %q", args)}
			}
			return nil
		},
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(v)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return serve(ctx, cfg, slog.New(slog.NewTextHandler(stderr, nil)))
		},
	}
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	f := cmd.Flags()
	f.String("name", defaultName, "the node's full name, name@host, as other nodes call it")
	f.String("cookie", "", "the cookie shared with the cluster (default: the content of ~/.erlang.cookie)")
	f.String("data-dir", "", "where the node keeps its data (default: $XDG_DATA_HOME/creo/<name>)")
	f.String("listen", defaultListen, "the address to accept distribution connections on; 0.0.0.0:0 to accept other hosts")
	f.Bool("hidden", false, "run as a hidden node, which other nodes do not list in Node.list()")
	f.Duration("tick-time", 60*time.Second, "net_ticktime: a connection silent for that long is dead; the same on every node")
	if err := v.BindPFlags(f); err != nil {
		panic(err) // the flags above are valid
	}
	return cmd
}

// config is what the command runs: the node's configuration and its data
// directory.
type config struct {
	net     host.NetConfig
	dataDir string
}

// loadConfig reads the settings, reading or creating the cookie file and
// choosing the data directory when they are not given.
func loadConfig(v *viper.Viper) (config, error) {
	name := v.GetString("name")
	cfg := config{
		net: host.NetConfig{
			Name:     etf.Atom(name),
			Cookie:   v.GetString("cookie"),
			Listen:   v.GetString("listen"),
			Hidden:   v.GetBool("hidden"),
			TickTime: v.GetDuration("tick-time"),
		},
		dataDir: v.GetString("data-dir"),
	}
	if cfg.net.Cookie == "" || cfg.dataDir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return config{}, fmt.Errorf("host: %w", err)
		}
		if cfg.net.Cookie == "" {
			if cfg.net.Cookie, err = homeCookie(home); err != nil {
				return config{}, err
			}
		}
		if cfg.dataDir == "" {
			cfg.dataDir = defaultDataDir(home, name)
		}
	}
	return cfg, nil
}

// defaultDataDir is $XDG_DATA_HOME/creo/<name>, as the XDG base directory
// specification places an application's data, else
// ~/.local/share/creo/<name>, its default. One directory per node name
// lets several nodes share a machine.
func defaultDataDir(home, name string) string {
	base := os.Getenv("XDG_DATA_HOME")
	if !filepath.IsAbs(base) { // the specification says to ignore relative paths
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "creo", name)
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
