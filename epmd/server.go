package epmd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"
)

// ServerConfig configures an embedded EPMD server. The zero value is ready
// to use.
type ServerConfig struct {
	// Logger receives registrations, refusals and malformed requests.
	// Nil means slog.Default().
	Logger *slog.Logger
	// RequestTimeout bounds the time a connection has to send its request
	// and read the reply. Zero means 10 seconds, as long as OTP's client
	// waits for a reply.
	RequestTimeout time.Duration
	// MaxConns bounds the connections served at once, registrations
	// included; more are closed as soon as they are accepted. Zero means
	// 1024.
	MaxConns int
}

func (cfg ServerConfig) withDefaults() ServerConfig {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = 1024
	}
	return cfg
}

// Server is an embedded EPMD: it answers real Erlang and Elixir nodes as
// epmd does (ALIVE2, PORT_PLEASE2, NAMES, KILL) and forgets a node the
// moment its registration connection closes. Its methods are safe for
// concurrent use.
type Server struct {
	cfg   ServerConfig
	log   *slog.Logger
	ln    net.Listener
	port  uint32 // reported in NAMES replies, where erl_epmd checks it
	table *table

	mu     sync.Mutex
	conns  map[net.Conn]struct{} // the connections served, at most MaxConns
	closed bool
	wg     sync.WaitGroup
}

// Listen starts an embedded EPMD server listening on addr: "127.0.0.1:4369"
// serves this machine only, ":4369" also lets nodes on other hosts look up
// the nodes registered here, as epmd does. The server runs until Close.
func Listen(addr string, cfg ServerConfig) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("epmd: listen: %w", err)
	}
	cfg = cfg.withDefaults()
	s := &Server{
		cfg:   cfg,
		log:   cfg.Logger.With("epmd", ln.Addr().String()),
		ln:    ln,
		port:  uint32(ln.Addr().(*net.TCPAddr).Port),
		table: newTable(),
		conns: make(map[net.Conn]struct{}),
	}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr returns the address the server listens on.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops the server: it closes the listener and every connection,
// which unregisters every node, and waits until all is done.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.wg.Wait()
		return nil
	}
	s.closed = true
	err := s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

// accept serves connections until the listener closes. It closes the whole
// server when accepting fails for good, so registered nodes learn of it
// from their connections instead of staying registered with a server that
// no longer answers lookups.
func (s *Server) accept() {
	defer s.wg.Done()
	var pause time.Duration
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if isTemporary(err) {
				// Out of file descriptors, for instance: wait and retry,
				// as net/http does.
				pause = min(max(2*pause, 5*time.Millisecond), time.Second)
				s.log.Warn("epmd: accept failed; retrying", "err", err, "in", pause)
				time.Sleep(pause)
				continue
			}
			s.log.Error("epmd: accept failed; stopping", "err", err)
			go s.Close() // not inline: Close waits for this goroutine
			return
		}
		pause = 0
		if err := s.track(c); err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.log.Warn("epmd: "+err.Error()+"; closing a new one", "remote", c.RemoteAddr().String())
			}
			c.Close()
			continue
		}
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			s.serve(c)
		}()
	}
}

// isTemporary reports whether err is a transient condition of the system,
// such as running out of file descriptors.
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// track adds c to the connections served, unless the server is closed or
// serves MaxConns already.
func (s *Server) track(c net.Conn) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return net.ErrClosed
	case len(s.conns) >= s.cfg.MaxConns:
		return fmt.Errorf("too many connections (%d)", len(s.conns))
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return nil
}

func (s *Server) untrack(c net.Conn) {
	c.Close()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// serve answers the one request a connection carries. A malformed request
// is logged and closes the connection, and nothing else.
func (s *Server) serve(c net.Conn) {
	log := s.log.With("remote", c.RemoteAddr().String())
	c.SetDeadline(time.Now().Add(s.cfg.RequestTimeout))
	body, err := readRequest(c)
	if err == nil {
		var req request
		req, err = parseRequest(body)
		if err == nil {
			err = s.answer(c, req, log)
		}
	}
	switch {
	case errors.Is(err, io.EOF):
		// Closed before sending a byte: a probe of whether we listen.
		log.Debug("epmd: connection closed without a request")
	case err != nil:
		log.Warn("epmd: request refused; connection closed", "err", err)
	}
}

// readRequest reads one length-prefixed request body, refusing lengths
// outside what a valid request can have before it reads the body.
func readRequest(r io.Reader) ([]byte, error) {
	var head [2]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("epmd: read request length: %w", err)
	}
	n := int(binary.BigEndian.Uint16(head[:]))
	if n == 0 || n > maxRequest {
		return nil, fmt.Errorf("epmd: request length %d out of range 1..%d", n, maxRequest)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("epmd: read %d-byte request: %w", n, err)
	}
	return body, nil
}

// answer carries out req on c.
func (s *Server) answer(c net.Conn, req request, log *slog.Logger) error {
	switch req.op {
	case opAlive2Req:
		return s.register(c, req.node, log)
	case opPortPlease2Req:
		var reply []byte
		if n, ok := s.table.lookup(req.name); ok {
			reply = appendPort2Resp(nil, &n)
		} else {
			reply = appendPort2Resp(nil, nil)
		}
		_, err := c.Write(reply)
		return err
	case opNamesReq:
		_, err := c.Write(appendNamesResp(nil, s.port, s.table.entries()))
		return err
	case opKillReq:
		// The server belongs to the process that started it; epmd too
		// refuses to die while nodes are registered.
		_, err := c.Write([]byte("NO"))
		return err
	}
	return fmt.Errorf("epmd: %v not supported", req.op)
}

// register answers an ALIVE2_REQ and, when it succeeds, holds the
// registration until the connection ends.
func (s *Server) register(c net.Conn, n Node, log *slog.Logger) error {
	if !isLocal(c.RemoteAddr(), c.LocalAddr()) {
		return fmt.Errorf("epmd: registration of %q from a remote host", n.Name)
	}
	r := s.table.register(n)
	if r == nil {
		c.Write(appendAlive2Resp(nil, n.HighestVersion, resultRefused, refusedMarker))
		return fmt.Errorf("epmd: registration of %q: %w", n.Name, ErrNameInUse)
	}
	defer s.table.unregister(r)
	if _, err := c.Write(appendAlive2Resp(nil, n.HighestVersion, resultOK, r.creation)); err != nil {
		return err
	}
	log = log.With("node", n.Name, "port", n.Port, "creation", r.creation)
	log.Info("epmd: node registered", "type", n.Type, "versions", []uint16{n.LowestVersion, n.HighestVersion})
	// A registered node never writes again: its connection ends by
	// closing, or, as in epmd, by any byte it sends.
	c.SetDeadline(time.Time{})
	var b [1]byte
	if n, _ := c.Read(b[:]); n > 0 {
		log.Warn("epmd: data on a registration connection; node unregistered")
		return nil
	}
	log.Info("epmd: node unregistered")
	return nil
}

// isLocal reports whether a peer at remote may register with a server
// reached at local: as in epmd, a loopback address or this host's own.
func isLocal(remote, local net.Addr) bool {
	r, ok := remote.(*net.TCPAddr)
	if !ok {
		return false
	}
	if r.IP.IsLoopback() {
		return true
	}
	l, ok := local.(*net.TCPAddr)
	return ok && r.IP.Equal(l.IP)
}
