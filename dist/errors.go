package dist

import (
	"errors"

	"github.com/creo-dev/creo/etf"
)

// Reasons a connection ends or is refused. They arrive wrapped in a
// [*ConnectionError]; test for them with errors.Is.
var (
	// ErrBadCookie means the peer's challenge digest was wrong: the nodes
	// do not share a cookie.
	ErrBadCookie = errors.New("wrong cookie")
	// ErrNotAllowed means the acceptor refused the connection (status
	// not_allowed), or that this side did.
	ErrNotAllowed = errors.New("connection not allowed")
	// ErrSimultaneous means the peer is dialing this node too and its
	// dial won the tie-break (status nok): the node should use that one.
	ErrSimultaneous = errors.New("simultaneous connect: the peer's dial wins")
	// ErrAlreadyConnected means a connection between the two nodes is
	// already up and the initiator chose to keep it (status alive, then
	// false).
	ErrAlreadyConnected = errors.New("already connected")
	// ErrProtocol means the peer sent something the protocol does not
	// allow; the detail follows in the message.
	ErrProtocol = errors.New("protocol violation")
	// ErrTickTimeout means nothing arrived for a whole tick time: the peer
	// or the network is dead (net_tick_timeout).
	ErrTickTimeout = errors.New("net tick timeout")
	// ErrQueueOverflow means more than MaxQueuedBytes waited to be
	// written: the peer does not read.
	ErrQueueOverflow = errors.New("send queue overflow")
	// ErrClosed means Close or Shutdown was called.
	ErrClosed = errors.New("connection closed")
)

// ConnectionError is an error that ends a whole connection: a failed
// handshake, malformed input, a dead peer, Close. Every message queued or
// in flight on it is lost, as on the BEAM at nodedown.
type ConnectionError struct {
	// Peer is the remote node, when it was known.
	Peer etf.Atom
	Err  error
}

func (e *ConnectionError) Error() string {
	if e.Peer == "" {
		return "dist: connection: " + e.Err.Error()
	}
	return "dist: connection with " + string(e.Peer) + ": " + e.Err.Error()
}

func (e *ConnectionError) Unwrap() error { return e.Err }

// MessageError is an error that concerns one message only, such as a
// control message that cannot be encoded; the connection stays up.
type MessageError struct {
	Op  Op
	Err error
}

func (e *MessageError) Error() string {
	return "dist: " + e.Op.String() + ": " + e.Err.Error()
}

func (e *MessageError) Unwrap() error { return e.Err }

// MissingFlagsError means the peer lacks flags this node requires; the
// handshake fails with it (wrapped in a ConnectionError, and matching
// ErrNotAllowed).
type MissingFlagsError struct {
	Missing Flags
}

func (e *MissingFlagsError) Error() string {
	return "peer cannot handle " + e.Missing.String()
}

// Is makes a MissingFlagsError match ErrNotAllowed.
func (e *MissingFlagsError) Is(target error) bool { return target == ErrNotAllowed }
