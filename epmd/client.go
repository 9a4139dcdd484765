package epmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultPort is the port EPMD listens on when ERL_EPMD_PORT does not say
// otherwise.
const DefaultPort = 4369

// Errors a caller may want to act on; match them with errors.Is.
var (
	// ErrNameInUse is EPMD's refusal of a registration: another node holds
	// the name. (EPMD gives the same answer to a name it finds invalid, but
	// Register checks names before it sends them.)
	ErrNameInUse = errors.New("epmd: name in use")
	// ErrNotFound is the answer to a lookup of a name nobody registered.
	ErrNotFound = errors.New("epmd: node not registered")
	// ErrClosed is the reason a Registration ended when its own Close ended it.
	ErrClosed = errors.New("epmd: registration closed")
)

// Addr returns the address of EPMD on host as OTP finds it: the port is
// ERL_EPMD_PORT when set, else DefaultPort. A node registers with the EPMD
// of its own machine over loopback, Addr("127.0.0.1"); it looks another node
// up at Addr of that node's host.
func Addr(host string) (string, error) {
	port, err := envPort()
	if err != nil {
		return "", err
	}
	return net.JoinHostPort(host, strconv.Itoa(port)), nil
}

// envPort returns EPMD's port as OTP finds it: ERL_EPMD_PORT when set,
// else DefaultPort.
func envPort() (int, error) {
	s := os.Getenv("ERL_EPMD_PORT")
	if s == "" {
		return DefaultPort, nil
	}
	p, err := strconv.ParseUint(s, 10, 16)
	if err != nil || p == 0 {
		return 0, fmt.Errorf("epmd: ERL_EPMD_PORT=%q is not a port number", s)
	}
	return int(p), nil
}

// Register registers n with the EPMD at addr, which must be on this machine
// (EPMD ignores registrations from other hosts): usually Addr("127.0.0.1").
// A zero n.Type is taken as VisibleNode and zero versions as OTP's
// HighestVersion and LowestVersion.
//
// The registration lasts as long as its connection: it ends with
// [Registration.Close], or when EPMD goes away, which [Registration.Done]
// reports. ctx bounds the registration request only, as it does
// net.Dialer.DialContext; once registered, ctx no longer matters.
func Register(ctx context.Context, addr string, n Node) (*Registration, error) {
	if n.Type == 0 {
		n.Type = VisibleNode
	}
	if n.HighestVersion == 0 && n.LowestVersion == 0 {
		n.HighestVersion, n.LowestVersion = HighestVersion, LowestVersion
	}
	creation, conn, err := register(ctx, addr, n)
	if err != nil {
		return nil, fmt.Errorf("epmd: register %q at %s: %w", n.Name, addr, err)
	}
	r := &Registration{name: n.Name, creation: creation, conn: conn, done: make(chan struct{})}
	go r.watch()
	return r, nil
}

func register(ctx context.Context, addr string, n Node) (uint32, net.Conn, error) {
	if err := checkNode(n); err != nil {
		return 0, nil, err
	}
	var creation uint32
	conn, err := exchange(ctx, addr, appendAlive2Req(nil, n), func(r io.Reader) error {
		// The reply has no length and EPMD keeps the connection open, so
		// its first byte tells how much to read.
		var reply [6]byte
		if _, err := io.ReadFull(r, reply[:1]); err != nil {
			return err
		}
		size, err := alive2RespLen(reply[0])
		if err != nil {
			return err
		}
		if _, err := io.ReadFull(r, reply[1:size]); err != nil {
			return err
		}
		creation, err = parseAlive2Resp(reply[:size])
		return err
	})
	if err != nil {
		return 0, nil, err
	}
	return creation, conn, nil
}

// Registration is a node's registration with EPMD, alive while its
// connection is open. Its methods are safe for concurrent use.
type Registration struct {
	name     string
	creation uint32
	conn     net.Conn

	closed atomic.Bool // set by Close, so watch can tell why the connection ended
	done   chan struct{}
	err    error // set before done is closed
}

// Creation returns the creation EPMD gave the node: the number that tells
// its pids, ports and references apart from those of an earlier node of the
// same name. It is 32 bits for nodes registered with version 6, else 1 to 3.
func (r *Registration) Creation() uint32 { return r.creation }

// Done returns a channel closed when the registration has ended: by Close,
// or because the connection to EPMD was lost and EPMD forgot the name.
func (r *Registration) Done() <-chan struct{} { return r.done }

// Err returns nil while the registration lasts, then why it ended: ErrClosed
// after Close, or the loss of the connection.
func (r *Registration) Err() error {
	select {
	case <-r.done:
		return r.err
	default:
		return nil
	}
}

// unregisterWait bounds how long Close waits for EPMD to confirm that it
// freed the name. Tests shorten it.
var unregisterWait = 5 * time.Second

// Close unregisters the node by ending its side of the connection, the only
// way EPMD offers, and waits for the Registration to end. EPMD frees the name
// before it closes its own side, and Close waits for that, up to 5 seconds,
// so that once it returns the name is free: a lookup finds nothing and the
// node may register again. Close returns nil, also when called again or
// after the registration was lost.
func (r *Registration) Close() error {
	if !r.closed.Swap(true) {
		// A half close lets watch read EPMD's own close, its confirmation;
		// the deadline keeps an EPMD that does not answer from holding
		// Close.
		r.conn.SetReadDeadline(time.Now().Add(unregisterWait))
		if hc, ok := r.conn.(interface{ CloseWrite() error }); !ok || hc.CloseWrite() != nil {
			r.conn.Close()
		}
	}
	<-r.done
	return nil
}

// watch waits for the end of the connection. EPMD never writes on it after
// its reply, so any read that returns ends it.
func (r *Registration) watch() {
	defer close(r.done)
	var b [1]byte
	n, err := r.conn.Read(b[:])
	r.conn.Close()
	switch {
	case r.closed.Load():
		r.err = ErrClosed
	case n > 0:
		r.err = fmt.Errorf("epmd: registration of %q ended: EPMD sent unexpected data", r.name)
	default:
		r.err = fmt.Errorf("epmd: registration of %q lost: %w", r.name, err)
	}
}

// Lookup asks the EPMD at addr for the node registered as name, a short
// name (the part before "@"). It returns ErrNotFound when there is none.
func Lookup(ctx context.Context, addr, name string) (Node, error) {
	var n Node
	err := checkName(name)
	if err == nil {
		var reply []byte
		reply, err = query(ctx, addr, appendPortPlease2Req(nil, name), maxPort2Resp)
		if err == nil {
			n, err = parsePort2Resp(reply)
		}
	}
	if err != nil {
		return Node{}, fmt.Errorf("epmd: look up %q at %s: %w", name, addr, err)
	}
	return n, nil
}

// Resolve finds where the node named name@host listens for distribution,
// as OTP's erl_epmd:port_please/2 does: it looks name up with the EPMD on
// host at port epmdPort, the port of this machine's EPMD in a cluster
// that does not use 4369, and returns host:port, with what EPMD holds
// about the node. An epmdPort of 0 means the port [Addr] finds.
func Resolve(ctx context.Context, node string, epmdPort int) (string, Node, error) {
	name, host, ok := strings.Cut(node, "@")
	if !ok || name == "" || host == "" {
		return "", Node{}, fmt.Errorf("epmd: resolve %q: not a node name of the form name@host", node)
	}
	if epmdPort == 0 {
		var err error
		if epmdPort, err = envPort(); err != nil {
			return "", Node{}, err
		}
	}
	n, err := Lookup(ctx, net.JoinHostPort(host, strconv.Itoa(epmdPort)), name)
	if err != nil {
		return "", Node{}, err
	}
	return net.JoinHostPort(host, strconv.Itoa(int(n.Port))), n, nil
}

// maxNamesResp bounds the NAMES reply a client reads: room for thousands of
// nodes.
const maxNamesResp = 1 << 20

// Names returns the nodes registered with the EPMD at addr.
func Names(ctx context.Context, addr string) ([]Entry, error) {
	reply, err := query(ctx, addr, appendNamesReq(nil), maxNamesResp)
	var entries []Entry
	if err == nil {
		entries, err = parseNamesResp(reply)
	}
	if err != nil {
		return nil, fmt.Errorf("epmd: names at %s: %w", addr, err)
	}
	return entries, nil
}

// query sends req to the EPMD at addr and returns its whole reply, which
// ends when EPMD closes the connection; a reply longer than limit is an
// error.
func query(ctx context.Context, addr string, req []byte, limit int64) ([]byte, error) {
	var reply []byte
	conn, err := exchange(ctx, addr, req, func(r io.Reader) error {
		var err error
		reply, err = io.ReadAll(io.LimitReader(r, limit+1))
		if err == nil && int64(len(reply)) > limit {
			err = fmt.Errorf("reply longer than %d bytes", limit)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	conn.Close()
	return reply, nil
}

// exchange connects to addr, writes req and lets read consume the reply,
// all within ctx. It returns the connection when read succeeded, for the
// caller to keep or close (ALIVE2 keeps it), and closes it otherwise.
func exchange(ctx context.Context, addr string, req []byte, read func(io.Reader) error) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	// The end of ctx, cancelled or past its deadline, interrupts the
	// exchange by moving the connection's deadline to the past; then
	// ctx.Err() says why.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	_, err = conn.Write(req)
	if err == nil {
		err = read(conn)
	}
	// The end of ctx may also have come after the reply and moved the
	// deadline anyway: then the connection is no good either.
	if !stop() {
		err = ctx.Err()
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}
