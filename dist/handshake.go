package dist

import (
	"context"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/creo-dev/creo/etf"
)

// Accept runs the acceptor's side of the handshake on nc, a connection a
// peer opened to this node, and returns the connection running. After the
// peer has named itself, cfg.Admit decides the status to answer.
//
// Accept owns nc: when the handshake fails it closes nc, logs why, and
// returns a [*ConnectionError]. Each step must complete within
// cfg.HandshakeTimeout; cancelling ctx aborts the handshake, not the
// connection it returns.
func Accept(ctx context.Context, nc net.Conn, cfg *Config) (*Conn, error) {
	s, err := cfg.settings()
	if err != nil {
		nc.Close()
		return nil, err
	}
	h := newHandshake(nc, s)
	return h.run(ctx, h.accept)
}

// Initiate runs the initiator's side of the handshake on nc, a connection
// this node opened to peer (name@host, exactly as the peer calls itself),
// and returns the connection running.
//
// Initiate owns nc: when the handshake fails it closes nc, logs why, and
// returns a [*ConnectionError]; a peer that wins a simultaneous connect
// gives [ErrSimultaneous]. A peer that reports a connection from this node
// already alive is told that one is dead: the node dials only when it has
// no connection to peer; once ctx is cancelled, though, it is told to keep
// it. Each step must complete within
// cfg.HandshakeTimeout; cancelling ctx aborts the handshake, not the
// connection it returns.
func Initiate(ctx context.Context, nc net.Conn, peer etf.Atom, cfg *Config) (*Conn, error) {
	s, err := cfg.settings()
	if err != nil {
		nc.Close()
		return nil, err
	}
	h := newHandshake(nc, s)
	h.peer = peer
	return h.run(ctx, h.initiate)
}

// Dial opens a TCP connection to addr, the distribution port of peer, and
// runs [Initiate] on it. Finding addr (EPMD) is the caller's business.
func Dial(ctx context.Context, addr string, peer etf.Atom, cfg *Config) (*Conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, &ConnectionError{Peer: peer, Err: err}
	}
	return Initiate(ctx, nc, peer, cfg)
}

// handshake is one handshake in progress.
type handshake struct {
	ctx   context.Context // its end aborts the handshake
	nc    net.Conn
	s     *settings
	wbuf  []byte
	rbuf  []byte
	peer  etf.Atom
	flags Flags // the peer's, expanded
	// creation is the peer's.
	creation uint32
}

func newHandshake(nc net.Conn, s *settings) *handshake {
	return &handshake{nc: nc, s: s, wbuf: make([]byte, 0, 64), rbuf: make([]byte, 0, 64)}
}

// run runs step under ctx and turns its outcome into a connection or a
// logged, wrapped error.
func (h *handshake) run(ctx context.Context, step func() error) (*Conn, error) {
	h.ctx = ctx
	stop := context.AfterFunc(ctx, func() { h.nc.SetDeadline(time.Unix(1, 0)) })
	err := step()
	if !stop() {
		err = context.Cause(ctx)
	}
	if err == nil {
		err = h.nc.SetDeadline(time.Time{})
	}
	if err != nil {
		h.nc.Close()
		level := slog.LevelWarn
		if errors.Is(err, ErrSimultaneous) || errors.Is(err, ErrAlreadyConnected) {
			level = slog.LevelDebug // the node resolves these itself
		}
		h.s.Logger.Log(context.Background(), level, "dist: handshake failed",
			"peer", string(h.peer), "remote", h.nc.RemoteAddr().String(), "err", err)
		return nil, &ConnectionError{Peer: h.peer, Err: err}
	}
	return newConn(h.nc, h.s, h.peer, h.creation, h.s.flags.expand()&h.flags), nil
}

// accept is the acceptor's side, dist_util:handshake_other_started.
func (h *handshake) accept() error {
	b, err := h.read()
	if err != nil {
		return err
	}
	name, err := parseName(b)
	if err != nil {
		return err
	}
	if err := validNodeName(name.name); err != nil {
		return err
	}
	h.peer, h.flags, h.creation = etf.Atom(name.name), name.flags.expand(), name.creation
	required := Mandatory
	if name.old {
		// The high flags arrive with the complement; check those then.
		required &= 0xffffffff
	}
	if err := h.checkFlags(required); err != nil {
		h.write(appendStatus(h.start(), StatusNotAllowed.String()))
		return err
	}
	if err := h.sendStatus(); err != nil {
		return err
	}
	challenge := genChallenge()
	err = h.write(appendChallenge(h.start(), challengeMsg{
		flags: h.s.flags, challenge: challenge, creation: h.s.Creation, name: string(h.s.Name),
	}))
	if err != nil {
		return err
	}
	if name.old {
		if err := h.readComplement(); err != nil {
			return err
		}
	}
	if b, err = h.read(); err != nil {
		return err
	}
	peerChallenge, digest, err := parseReply(b)
	if err != nil {
		return err
	}
	want := genDigest(challenge, h.s.Cookie)
	if subtle.ConstantTimeCompare(digest, want[:]) != 1 {
		return ErrBadCookie
	}
	return h.write(appendAck(h.start(), genDigest(peerChallenge, h.s.Cookie)))
}

// sendStatus asks the node what to answer the peer, answers, and returns
// an error unless the handshake is to continue.
func (h *handshake) sendStatus() error {
	status := StatusOK
	if h.s.Admit != nil {
		status = h.s.Admit(h.peer, h.flags)
	}
	if status > StatusAlive {
		return fmt.Errorf("Admit returned %v", status)
	}
	if err := h.write(appendStatus(h.start(), status.String())); err != nil {
		return err
	}
	switch status {
	case StatusNok:
		return ErrSimultaneous
	case StatusNotAllowed:
		return ErrNotAllowed
	case StatusAlive:
		return h.recvAliveAnswer()
	}
	return nil
}

// recvAliveAnswer reads whether a peer told that it is already connected
// wants to go on: "true" if its old connection is dead.
func (h *handshake) recvAliveAnswer() error {
	b, err := h.read()
	if err != nil {
		return err
	}
	switch reply, err := parseStatusMsg(b); {
	case err != nil:
		return err
	case reply == "true":
		return nil
	case reply == "false":
		return ErrAlreadyConnected
	default:
		return fmt.Errorf("%w: answer %q to status alive", ErrProtocol, reply)
	}
}

// readComplement completes the peer's flags and creation after an old
// send_name, and checks the flags again now that they are whole.
func (h *handshake) readComplement() error {
	b, err := h.read()
	if err != nil {
		return err
	}
	high, creation, err := parseComplement(b)
	if err != nil {
		return err
	}
	h.flags |= Flags(high) << 32
	h.creation = creation
	return h.checkFlags(Mandatory)
}

// initiate is the initiator's side, dist_util:handshake_we_started.
func (h *handshake) initiate() error {
	err := h.write(appendName(h.start(), nameMsg{
		flags: h.s.flags, creation: h.s.Creation, name: string(h.s.Name),
	}))
	if err != nil {
		return err
	}
	if err := h.recvStatus(); err != nil {
		return err
	}
	b, err := h.read()
	if err != nil {
		return err
	}
	ch, err := parseChallenge(b)
	if err != nil {
		return err
	}
	if ch.name != string(h.peer) {
		return fmt.Errorf("%w: dialed %s but the peer is %q", ErrProtocol, h.peer, ch.name)
	}
	h.flags, h.creation = ch.flags.expand(), ch.creation
	if err := h.checkFlags(Mandatory); err != nil {
		return err
	}
	challenge := genChallenge()
	if err := h.write(appendReply(h.start(), challenge, genDigest(ch.challenge, h.s.Cookie))); err != nil {
		return err
	}
	if b, err = h.read(); err != nil {
		return err
	}
	digest, err := parseAck(b)
	if err != nil {
		return err
	}
	want := genDigest(challenge, h.s.Cookie)
	if subtle.ConstantTimeCompare(digest, want[:]) != 1 {
		return ErrBadCookie
	}
	return nil
}

// recvStatus reads the acceptor's status and returns an error unless the
// handshake is to continue.
func (h *handshake) recvStatus() error {
	b, err := h.read()
	if err != nil {
		return err
	}
	text, err := parseStatusMsg(b)
	if err != nil {
		return err
	}
	status, ok := parseStatus(text)
	if !ok {
		return fmt.Errorf("%w: status %q", ErrProtocol, text)
	}
	switch status {
	case StatusNok:
		return ErrSimultaneous
	case StatusNotAllowed:
		return ErrNotAllowed
	case StatusAlive:
		// The peer has a connection from this node. The node dials only
		// when it has none, so that one is dead: continue. Unless this
		// attempt was given up meanwhile, as a node gives up its dial when
		// it takes the peer's own: then the peer's connection is the live
		// one, and it must keep it (OTP's initiator asks net_kernel
		// whether it is still pending).
		if h.ctx.Err() != nil {
			h.write(appendStatus(h.start(), "false"))
			return ErrAlreadyConnected
		}
		return h.write(appendStatus(h.start(), "true"))
	}
	return nil
}

func (h *handshake) checkFlags(required Flags) error {
	if missing := required &^ h.flags; missing != 0 {
		return &MissingFlagsError{Missing: missing}
	}
	return nil
}

// start returns the write buffer with room reserved for a message's
// length, for a message to be appended and passed to write.
func (h *handshake) start() []byte {
	return h.wbuf[:2]
}

// write fills in the length of frame, built on start, and sends it.
func (h *handshake) write(frame []byte) error {
	h.wbuf = frame[:0]
	binary.BigEndian.PutUint16(frame, uint16(len(frame)-2))
	// An error setting a deadline means the socket is closed; the I/O
	// that follows reports it better (net.Pipe fails SetDeadline once the
	// peer has closed, before reads return io.EOF).
	h.nc.SetWriteDeadline(time.Now().Add(h.s.HandshakeTimeout))
	_, err := h.nc.Write(frame)
	return err
}

// read receives one handshake message. The result is valid until the next
// read.
func (h *handshake) read() ([]byte, error) {
	h.nc.SetReadDeadline(time.Now().Add(h.s.HandshakeTimeout)) // errors: see write
	var size [2]byte
	if _, err := io.ReadFull(h.nc, size[:]); err != nil {
		return nil, readError(err)
	}
	n := int(binary.BigEndian.Uint16(size[:]))
	h.rbuf = append(h.rbuf[:0], make([]byte, n)...)
	if _, err := io.ReadFull(h.nc, h.rbuf); err != nil {
		return nil, readError(err)
	}
	return h.rbuf, nil
}

// readError names an EOF in the middle of the handshake for what it is.
func readError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("peer closed the connection during the handshake: %w", io.ErrUnexpectedEOF)
	}
	return err
}
