package dist

import (
	"strconv"

	"github.com/creo-dev/creo/etf"
)

// Status is the accepting node's answer to a peer that has sent its name,
// step 3 of the handshake in erl_dist_protocol.md.
type Status uint8

const (
	// StatusOK continues the handshake.
	StatusOK Status = iota
	// StatusOKSimultaneous continues the handshake; the acceptor gives up
	// its own pending dial to the peer.
	StatusOKSimultaneous
	// StatusNok ends the handshake: the acceptor's own dial to the peer
	// wins the tie-break.
	StatusNok
	// StatusNotAllowed refuses the peer.
	StatusNotAllowed
	// StatusAlive tells the peer a connection to it is already up; the
	// peer says whether to continue (its old connection is dead, and the
	// node must drop it) or to stop.
	StatusAlive
)

var statusNames = [...]string{
	StatusOK:             "ok",
	StatusOKSimultaneous: "ok_simultaneous",
	StatusNok:            "nok",
	StatusNotAllowed:     "not_allowed",
	StatusAlive:          "alive",
}

// String returns the status as it is spelled on the wire.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

func parseStatus(s string) (Status, bool) {
	for i, name := range statusNames {
		if name == s {
			return Status(i), true
		}
	}
	return 0, false
}

// TieBreak is the status an acceptor answers when it is itself dialing
// the peer: the dial of the node with the greater name survives, as in
// net_kernel's accept_pending. Names compare as Erlang compares atoms.
func TieBreak(local, peer etf.Atom) Status {
	if local > peer {
		return StatusNok
	}
	return StatusOKSimultaneous
}
