package dist

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/creo-dev/creo/etf"
)

// Defaults of the [Config] fields left zero.
const (
	// DefaultTickTime is net_ticktime's default on the BEAM.
	DefaultTickTime = 60 * time.Second
	// DefaultHandshakeTimeout is net_setuptime's default on the BEAM.
	DefaultHandshakeTimeout = 7 * time.Second
	// DefaultMaxPacketSize bounds one packet after the handshake.
	DefaultMaxPacketSize = 256 << 20
	// DefaultMaxMessageSize bounds the fragments buffered at once.
	DefaultMaxMessageSize = 1 << 30
	// DefaultMaxFragmentedMessages bounds the fragmented messages in
	// progress at once on one connection.
	DefaultMaxFragmentedMessages = 1024
	// DefaultMaxQueuedBytes bounds what a connection holds for writing.
	DefaultMaxQueuedBytes = 1 << 30
)

// Config is what a node tells each of its connections. A Config is not
// modified by this package and may be shared by every connection of a node.
type Config struct {
	// Name is the full local node name, name@host.
	Name etf.Atom
	// Cookie is the shared secret both nodes prove they know.
	Cookie string
	// Creation is the local node's incarnation, as EPMD gave it. It must
	// not be zero.
	Creation uint32
	// Hidden makes this a hidden node: FlagPublished is not advertised, so
	// the peer does not count it in nodes() nor run global with it.
	Hidden bool
	// Flags overrides the flags advertised; zero means DefaultFlags.
	// FlagPublished is set or cleared according to Hidden.
	Flags Flags

	// TickTime is net_ticktime: a connection writes at least every
	// TickTime/4 and is considered dead after TickTime without input. Zero
	// means DefaultTickTime.
	TickTime time.Duration
	// HandshakeTimeout bounds each step of the handshake (net_setuptime).
	// Zero means DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration

	// MaxPacketSize bounds one packet read after the handshake; a larger
	// one closes the connection. Zero means DefaultMaxPacketSize.
	MaxPacketSize int
	// MaxMessageSize bounds the bytes of all fragmented messages buffered
	// at once on one connection. Zero means DefaultMaxMessageSize.
	MaxMessageSize int
	// MaxFragmentedMessages bounds the fragmented messages in progress at
	// once on one connection. Zero means DefaultMaxFragmentedMessages.
	MaxFragmentedMessages int
	// MaxQueuedBytes bounds the encoded messages waiting to be written on
	// one connection: past it the peer is not keeping up and the
	// connection is closed. Zero means DefaultMaxQueuedBytes.
	MaxQueuedBytes int

	// RawPayloads makes the message of Send, RegSend and AliasSend arrive
	// as an etf.Raw, undecoded, for owners that pass messages through.
	// Exit reasons and everything else are always decoded.
	RawPayloads bool

	// DisableBusyPoll keeps each reader from polling its empty socket
	// before it waits for data. By default, on Linux, a reader whose
	// packets come in a stream polls for up to 100 µs, and only while
	// neither the machine nor the process's cgroup has tasks waiting for a
	// CPU and no CPU quota binds the cgroup: it spends CPU that would be
	// idle to spare a local peer the cost of waking it. Disable it where
	// idle CPU is not free and the gate cannot tell, as where CPU time is
	// billed, or a CPU quota is set some way the gate does not read
	// (cgroup_linux.go).
	DisableBusyPoll bool

	// Admit decides the status an accepted connection answers after the
	// peer has named itself; nil admits every peer with StatusOK. Only the
	// node knows whether it already has a connection to the peer, or is
	// dialing it (see [TieBreak]). It runs on the accepting goroutine.
	Admit func(peer etf.Atom, flags Flags) Status
	// Handler receives every control message of a connection, in arrival
	// order, on the connection's reader goroutine. It must not block long:
	// the next packet is not read until it returns, and ticks are not read
	// either. Work that may take long goes to [Conn.RunInline]. Required.
	Handler func(c *Conn, m Control)
	// Logger receives refused connections, malformed input and connection
	// ends. Nil means slog.Default().
	Logger *slog.Logger
}

// settings is a Config with defaults applied, kept by each connection.
type settings struct {
	Config
	flags Flags
}

func (cfg *Config) settings() (*settings, error) {
	if cfg.Name == "" || validNodeName(string(cfg.Name)) != nil {
		return nil, fmt.Errorf("dist: config: invalid node name %q", cfg.Name)
	}
	if cfg.Creation == 0 {
		return nil, fmt.Errorf("dist: config: creation is zero")
	}
	if cfg.Handler == nil {
		return nil, fmt.Errorf("dist: config: no handler")
	}
	s := &settings{Config: *cfg, flags: cfg.Flags}
	if s.flags == 0 {
		s.flags = DefaultFlags
	}
	s.flags &^= FlagPublished | FlagNameMe
	if !cfg.Hidden {
		s.flags |= FlagPublished
	}
	setDefault(&s.TickTime, DefaultTickTime)
	setDefault(&s.HandshakeTimeout, DefaultHandshakeTimeout)
	setDefault(&s.MaxPacketSize, DefaultMaxPacketSize)
	setDefault(&s.MaxMessageSize, DefaultMaxMessageSize)
	setDefault(&s.MaxFragmentedMessages, DefaultMaxFragmentedMessages)
	setDefault(&s.MaxQueuedBytes, DefaultMaxQueuedBytes)
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	return s, nil
}

// newSocket returns how a connection reads and writes nc, its reader
// polling or not as the config says.
func (s *settings) newSocket(nc net.Conn) (io.Reader, io.Writer) {
	r, w := newSocket(nc)
	if s.DisableBusyPoll {
		neverPoll(r)
	}
	return r, w
}

func setDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
