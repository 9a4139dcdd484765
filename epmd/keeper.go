package epmd

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// KeepConfig configures [Keep]. The zero value keeps a node registered with
// an EPMD that is already running and never starts one.
type KeepConfig struct {
	// EmbedAddr, when set, is where to start an embedded [Server] each time
	// nothing answers at the registration address: ":4369" serves lookups
	// from other hosts as epmd does, "127.0.0.1:4369" this host only. It
	// must have the registration address's port.
	EmbedAddr string
	// Server configures the embedded servers. A nil Server.Logger means
	// Logger.
	Server ServerConfig
	// OnCreation, when set, is called with the new creation each time the
	// registration was lost and made again. It runs on the Keeper's
	// goroutine: it must not block for long, nor call Close.
	OnCreation func(creation uint32)
	// Logger receives losses, retries and servers started. Nil means
	// slog.Default().
	Logger *slog.Logger
}

// Retry timing of a Keeper: the first attempt after a loss is immediate,
// later ones back off up to maxRetryWait, and a registration that lasted
// stableAfter resets the backoff. A registration that keeps dropping thus
// cannot make the Keeper churn connections.
const (
	minRetryWait = 100 * time.Millisecond
	maxRetryWait = 5 * time.Second
	stableAfter  = 30 * time.Second
	attemptLimit = 10 * time.Second
)

// Keeper keeps a node registered with EPMD for as long as it runs. When the
// registration is lost (epmd was restarted, or the process holding the
// embedded server the node used has exited) it registers again, starting an
// embedded server first if so configured and nothing answers, and reports
// the new creation. Its methods are safe for concurrent use.
type Keeper struct {
	addr string
	node Node
	cfg  KeepConfig
	log  *slog.Logger

	creation atomic.Uint32
	stop     context.CancelFunc // ends run
	done     chan struct{}      // closed when run has returned

	// Owned by Keep, then by run.
	reg    *Registration
	server *Server // the embedded server this Keeper started, if any
}

// Keep registers node with the EPMD at addr, as [Register] does, and keeps
// it registered until [Keeper.Close]. With cfg.EmbedAddr set, it first
// starts an embedded server when nothing answers (see [Ensure]). ctx bounds
// this first registration only.
func Keep(ctx context.Context, addr string, node Node, cfg KeepConfig) (*Keeper, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Server.Logger == nil {
		cfg.Server.Logger = cfg.Logger
	}
	k := &Keeper{addr: addr, node: node, cfg: cfg, log: cfg.Logger.With("node", node.Name), done: make(chan struct{})}
	if err := k.register(ctx); err != nil {
		k.closeServer()
		return nil, err
	}
	runCtx, stop := context.WithCancel(context.Background())
	k.stop = stop
	go k.run(runCtx)
	return k, nil
}

// Creation returns the creation of the current registration, the one the
// node's new pids, ports and references carry.
func (k *Keeper) Creation() uint32 { return k.creation.Load() }

// Close unregisters the node, stops any embedded server the Keeper started
// (nodes registered there lose their registration) and waits until done.
func (k *Keeper) Close() error {
	k.stop()
	<-k.done
	return nil
}

// run registers again each time the registration is lost, until ctx ends.
func (k *Keeper) run(ctx context.Context) {
	defer close(k.done)
	defer k.closeServer()
	var wait time.Duration
	for {
		since := time.Now()
		select {
		case <-k.reg.Done():
		case <-ctx.Done():
			k.reg.Close()
			return
		}
		k.log.Warn("epmd: registration lost; registering again", "err", k.reg.Err())
		if time.Since(since) >= stableAfter {
			wait = 0
		}
		for {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return
			}
			wait = min(max(2*wait, minRetryWait), maxRetryWait)
			attempt, cancel := context.WithTimeout(ctx, attemptLimit)
			err := k.register(attempt)
			cancel()
			if err == nil {
				break
			}
			if ctx.Err() != nil {
				return
			}
			k.log.Warn("epmd: registration failed; retrying", "err", err, "in", wait)
		}
		k.log.Info("epmd: registered again", "creation", k.reg.Creation())
		if k.cfg.OnCreation != nil {
			k.cfg.OnCreation(k.reg.Creation())
		}
	}
}

// register makes one registration, starting an embedded server first when
// nothing answers and that is configured.
func (k *Keeper) register(ctx context.Context) error {
	reg, err := Register(ctx, k.addr, k.node)
	if err != nil && k.cfg.EmbedAddr != "" && isRefused(err) {
		var s *Server
		if s, err = Ensure(ctx, k.cfg.EmbedAddr, k.cfg.Server); err != nil {
			return err
		}
		if s != nil {
			// Nothing answered, so a server this Keeper started before
			// has died: release it for the new one.
			k.closeServer()
			k.server = s
			k.log.Info("epmd: nothing answered; started an embedded EPMD", "addr", s.Addr().String())
		}
		reg, err = Register(ctx, k.addr, k.node)
	}
	if err != nil {
		return err
	}
	k.reg = reg
	k.creation.Store(reg.Creation())
	return nil
}

func (k *Keeper) closeServer() {
	if k.server != nil {
		k.server.Close()
		k.server = nil
	}
}
