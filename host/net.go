package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/creo-dev/creo/dist"
	"github.com/creo-dev/creo/epmd"
	"github.com/creo-dev/creo/etf"
)

// NetConfig configures a distributed node: its name, how other nodes reach
// it and how they prove they belong to its cluster.
type NetConfig struct {
	// Name is the node's full name, name@host, exactly as other nodes call
	// it. Required.
	Name etf.Atom
	// Cookie is the secret the node shares with the nodes it talks to.
	// Required.
	Cookie string
	// Listen is the TCP address the node accepts connections on. Empty
	// means "127.0.0.1:0": loopback only, on a port the system picks. Give
	// "0.0.0.0:0" (or a port) to be reachable from other hosts.
	Listen string
	// EPMD is the address of the EPMD the node registers with, which must
	// be on this machine; its port is also where the EPMD of other hosts is
	// asked for their nodes. Empty means epmd.Addr("127.0.0.1"): port
	// ERL_EPMD_PORT, else 4369. When nothing answers there, the node
	// starts an embedded EPMD at this address.
	EPMD string
	// Hidden makes a hidden node: other nodes do not list it in nodes()
	// nor run global with it. By default the node is visible, as the
	// BEAM's own nodes are.
	Hidden bool
	// TickTime is net_ticktime: a connection with nothing to read for that
	// long is dead. Zero means 60 s, the BEAM's default; every node of a
	// cluster should use the same.
	TickTime time.Duration
	// DisableBusyPoll keeps the readers of the node's connections from
	// polling their sockets before they wait: see dist.Config's field of
	// the same name.
	DisableBusyPoll bool
	// Logger receives connection events and crash reports. Nil means
	// slog.Default().
	Logger *slog.Logger
}

// ErrNotDistributed is what the network operations of a node made by
// [NewNode] fail with: it has no connections to other nodes.
var ErrNotDistributed = errors.New("host: the node is not distributed")

// StartNode starts a distributed node: it listens for connections,
// registers with EPMD, boots the node's supervision tree ([Node.Boot])
// with the system processes every Erlang node has (net_kernel, rex,
// logger_proxy, and global_name_server on a visible node) and returns the
// node ready to start servers. Other nodes can reach it as soon as it
// returns; it connects to another node on the first signal one of its
// processes sends there, as the BEAM does. ctx bounds the start only.
// [Node.Close] stops it.
//
// # On the wire
//
// The node follows the rules of OTP's net_kernel:
//
//   - One connection per peer node. A peer that connects while this node
//     is dialling it is settled by [dist.TieBreak]; one that connects
//     again while its old connection still looks up is asked (status
//     alive) and, if it says the old one is dead, replaces it. A new
//     connection to a node carries signals only once the links and
//     monitors of its previous one have fired with noconnection.
//   - A connection is opened on the first signal to a node. Signals sent
//     meanwhile wait, in order, and go first on it; when it cannot be made
//     (the EPMD lookup and the TCP connection get net_setuptime each, the
//     handshake's steps too) they are dropped and the node is reported
//     down, so links and monitors fire noconnection and calls fail with
//     {nodedown, Node}, as on the BEAM.
//   - Each connection's reader hands its control messages to the Peer
//     methods in arrival order; mailboxes are unbounded, so it never
//     waits on a process. Messages reach processes still encoded
//     (dist.Config.RawPayloads).
//   - A call or cast that came in fragments lies in a buffer its
//     connection lends (dist.Buffer), and waits in the mailbox with it.
//     The buffer goes back for the next large message as soon as the
//     callback handed its request returns, when the server's behaviour
//     copies what it is given and keeps nothing of it (a Wasm module);
//     anything else, a Go server that may keep or forward the request, a
//     message the process never handles, leaves it to the collector. The
//     buffer goes back before the reply is sent, so that the caller's
//     next request finds it.
//   - A Wasm server's large reply to an alias on another node is lent
//     from the memory of the instance that wrote it (abi.WithLentReply),
//     or, when its pool cannot spare the instance, copied out into a
//     pooled buffer; nothing else refers to either once the state is
//     copied. It is written with dist.Conn.SendReleasing, which gives the
//     instance or the buffer back (abi.Result.Release) once written. A
//     caller on this node keeps its reply, which is copied; a reply queued
//     for a connection still to come is left to the collector, with the
//     instance it lies in. With both, a 100 KB call to guests/echo from
//     Elixir allocates 2.5 to 6 KB on creo's node instead of 248 KB
//     (BenchmarkCallFromElixir).
//   - A peer that names a process of another node as the sender of a
//     link, exit or monitor breaks the protocol: its connection is closed
//     and the reason logged, as erts does with an invalid message.
//     Signals to pids of another node find no process.
//   - The creation EPMD gives at the start stays the node's for its whole
//     life, since every pid and reference carries it: should the EPMD
//     registration be lost and made again under a new creation, the node
//     keeps announcing its first one. Peers find it by its port, which
//     does not change.
//   - SPAWN_REQUEST, what rpc:call and erpc:call send, goes to the spawn
//     handler ([Node.SetSpawnHandler]); without one it is refused with
//     notsup, and rpc:call returns {badrpc, notsup}; [StartManager]
//     installs one that serves rpc. net_kernel answers pings; rex answers
//     features requests, and block_call as spawn requests are answered;
//     the log events sent to logger_proxy are dropped; system processes
//     leave other requests unanswered rather than crash.
//   - [Node.MonitorNodes], [Node.Nodes], [Node.Connect] and
//     [Node.Disconnect] are net_kernel's monitor_nodes, nodes(),
//     connect_node and disconnect_node, for global and for Go code.
//   - [Node.Close] stops accepting and leaves EPMD, shuts the tree down,
//     then shuts the connections down ([dist.Conn.Shutdown]): what they
//     have queued, the tree's last exit signals among it, is written
//     before they close, within 5 seconds, so peers see the reasons the
//     node's servers ended with; processes outside the tree live until
//     the connections go, and peers see noconnection for them.
func StartNode(ctx context.Context, cfg NetConfig) (*Node, error) {
	short, _, ok := strings.Cut(string(cfg.Name), "@")
	if !ok || short == "" || strings.HasSuffix(string(cfg.Name), "@") {
		return nil, fmt.Errorf("host: node name %q is not of the form name@host", cfg.Name)
	}
	if cfg.Cookie == "" {
		return nil, fmt.Errorf("host: node %s: no cookie", cfg.Name)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.EPMD == "" {
		addr, err := epmd.Addr("127.0.0.1")
		if err != nil {
			return nil, err
		}
		cfg.EPMD = addr
	}
	epmdPort, err := portOf(cfg.EPMD)
	if err != nil {
		return nil, fmt.Errorf("host: EPMD address %q: %w", cfg.EPMD, err)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("host: node %s: %w", cfg.Name, err)
	}
	nodeType := epmd.VisibleNode
	if cfg.Hidden {
		nodeType = epmd.HiddenNode
	}
	log := cfg.Logger.With("node", string(cfg.Name))
	keeper, err := epmd.Keep(ctx, cfg.EPMD, epmd.Node{
		Name: short, Port: uint16(ln.Addr().(*net.TCPAddr).Port), Type: nodeType,
	}, epmd.KeepConfig{
		EmbedAddr: cfg.EPMD,
		OnCreation: func(creation uint32) {
			log.Warn("host: registered again with EPMD under a new creation; the node keeps its own",
				"epmd_creation", creation)
		},
		Logger: cfg.Logger, // it names the node itself
	})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("host: node %s: %w", cfg.Name, err)
	}
	nw := newNetwork(cfg, ln, keeper, epmdPort, log)
	n := NewNode(Config{Name: cfg.Name, Creation: keeper.Creation(), Cluster: nw, Logger: cfg.Logger})
	nw.node = n
	if !cfg.Hidden {
		nw.global = newGlobal(n, n)
	}
	nw.dist = dist.Config{
		Name:            cfg.Name,
		Cookie:          cfg.Cookie,
		Creation:        n.Creation(),
		Hidden:          cfg.Hidden,
		TickTime:        cfg.TickTime,
		DisableBusyPoll: cfg.DisableBusyPoll,
		RawPayloads:     true,
		Logger:          cfg.Logger,
	}
	if err := nw.startSystem(); err != nil {
		// Nothing was accepted yet: leaving EPMD is all there is to undo.
		ln.Close()
		keeper.Close()
		nw.cancel()
		return nil, err
	}
	nw.wg.Add(1)
	go nw.acceptLoop()
	log.Info("host: node started", "listen", ln.Addr().String(), "creation", n.Creation(), "hidden", cfg.Hidden)
	return n, nil
}

// network returns the node's network, or nil when the node is not
// distributed: a distributed node's Cluster is its network.
func (n *Node) network() *network {
	nw, _ := n.cluster.(*network)
	return nw
}

// portOf returns the port of addr, host:port.
func portOf(addr string) (int, error) {
	_, s, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, err
	}
	port, err := strconv.ParseUint(s, 10, 16)
	if err != nil || port == 0 {
		return 0, fmt.Errorf("%q is not a port number", s)
	}
	return int(port), nil
}

// Addr returns the address the node accepts connections on, or nil when
// it is not distributed.
func (n *Node) Addr() net.Addr {
	if nw := n.network(); nw != nil {
		return nw.ln.Addr()
	}
	return nil
}

// Close stops a distributed node: it stops accepting connections and
// leaves EPMD, shuts its supervision tree down ([Node.Shutdown]), then
// shuts its connections down, each once what it has queued is written (5
// s at the most), which other nodes see as the node going down. It
// returns once all of that is done. Closing a node that is not
// distributed, or closed already, does nothing.
func (n *Node) Close() error {
	if nw := n.network(); nw != nil {
		nw.close()
	}
	return nil
}

// network is a distributed node's side of the cluster: it listens, dials,
// keeps the connection table and carries the node's signals over its
// connections. It is the node's [Cluster].
type network struct {
	node     *Node
	name     etf.Atom
	dist     dist.Config // copied by every handshake, which adds its own Admit and Handler
	hidden   bool
	global   *Global // global's part on a visible node; nil on a hidden one
	epmdPort int     // where the EPMD of other hosts is asked for their nodes
	ln       net.Listener
	keeper   *epmd.Keeper
	log      *slog.Logger

	// ctx is cancelled by close, which aborts handshakes in progress.
	ctx    context.Context
	cancel context.CancelFunc
	// wg counts the goroutines of the network: the accept loop,
	// handshakes and connection watchers.
	wg sync.WaitGroup

	mu     sync.RWMutex
	closed bool
	peers  map[etf.Atom]*peer
	// last is the entry of peers that signal last found up, stored under
	// a read hold of mu and cleared under the write hold that takes the
	// entry out or replaces it (newPeerLocked, detachLocked): a node's
	// calls and their replies go to one peer after another, and the read
	// lock, whose counter both cores write, and the name's hash were 2%
	// of the node's CPU serving them.
	last    atomic.Pointer[peer]
	closing map[etf.Atom]<-chan struct{} // a node's entry being torn down
	// subscribers get {nodeup, Node} and {nodedown, Node}.
	subscribers map[etf.Pid]struct{}
}

var _ Cluster = (*network)(nil)

func newNetwork(cfg NetConfig, ln net.Listener, keeper *epmd.Keeper, epmdPort int, log *slog.Logger) *network {
	ctx, cancel := context.WithCancel(context.Background())
	return &network{
		name:        cfg.Name,
		hidden:      cfg.Hidden,
		epmdPort:    epmdPort,
		ln:          ln,
		keeper:      keeper,
		log:         log,
		ctx:         ctx,
		cancel:      cancel,
		peers:       make(map[etf.Atom]*peer),
		closing:     make(map[etf.Atom]<-chan struct{}),
		subscribers: make(map[etf.Pid]struct{}),
	}
}

// acceptLoop accepts connections until the listener is closed, each
// handshake on a goroutine of its own.
func (nw *network) acceptLoop() {
	defer nw.wg.Done()
	var pause time.Duration
	for {
		nc, err := nw.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors, most likely: back off as
			// net/http's server does rather than spin.
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			nw.log.Warn("host: accept failed; retrying", "err", err, "in", pause)
			select {
			case <-time.After(pause):
			case <-nw.ctx.Done():
				return
			}
			continue
		}
		pause = 0
		nw.wg.Add(1)
		go nw.accept(nc)
	}
}

// close shuts the network down in the order a BEAM node stops: no new
// connections, then the processes end (their exit signals still reach
// other nodes), then the connections close.
func (nw *network) close() {
	nw.mu.Lock()
	if nw.closed {
		nw.mu.Unlock()
		return
	}
	nw.closed = true
	nw.mu.Unlock()
	nw.ln.Close()
	nw.keeper.Close()
	if err := nw.node.Shutdown(context.Background()); err != nil {
		nw.log.Warn("host: shutdown", "err", err)
	}
	nw.cancel()
	nw.mu.Lock()
	var conns []*dist.Conn
	for _, p := range nw.peers {
		if c := p.conn.Load(); c != nil {
			conns = append(conns, c)
		}
	}
	nw.mu.Unlock()
	// The tree's last exit signals are queued: they leave before the
	// connections end, as far as closeFlush allows.
	ctx, cancel := context.WithTimeout(context.Background(), closeFlush)
	defer cancel()
	var shut sync.WaitGroup
	for _, c := range conns {
		shut.Go(func() { c.Shutdown(ctx) })
	}
	shut.Wait()
	nw.wg.Wait()
}

// closeFlush bounds how long Close waits for its connections to write
// what they have queued and for the peers to close in answer.
const closeFlush = 5 * time.Second
