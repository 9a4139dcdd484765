package dist

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/bufpool"
)

// Packet formats after the handshake (erl_ext_dist.md, "Distribution
// Header"; erl_dist_protocol.md, "Protocol between Connected Nodes").
const (
	passThrough     = 'p' // 'p' | 131 Control | [131 Message]
	versionMagic    = 131
	tagDistHeader   = 68 // 131 68 | atom cache refs | Control | [Message]
	tagFragmentHead = 69 // 131 69 | seq | count | atom cache refs | Control | start of Message
	tagFragmentCont = 70 // 131 70 | seq | fragment id | more of Message
)

// decoder turns the packets of one connection into control messages: it
// keeps the connection's atom cache and the fragmented messages in progress.
// It belongs to the reader goroutine.
type decoder struct {
	// passThrough is set when neither FlagDistHdrAtomCache nor
	// FlagFragments was negotiated: the peer then sends 'p' packets, and
	// nothing else.
	passThrough bool
	fragments   bool // FlagFragments was negotiated
	raw         bool // RawPayloads
	cache       atomCache
	atoms       []etf.Atom // the current header's references, reused
	encoded     [][]byte   // their atoms encoded, reused
	res         resolver
	name        etf.Term // for readCallControl's (de)monitors; see callControl.control

	partial      map[uint64]*partialMessage // by sequence id
	partialBytes int
	maxPartial   int
	maxBytes     int
}

// partialMessage is a fragmented message whose last fragment has not
// arrived.
type partialMessage struct {
	atoms   []etf.Atom // resolved when the first fragment arrived
	encoded [][]byte   // and their encodings
	next    uint64     // the fragment id expected next
	// data is the control and message bytes so far, in a buffer sized at
	// the first fragment for all the fragments announced, so that each is
	// copied once; see newPartialData.
	data []byte
}

func newDecoder(s *settings, flags Flags) *decoder {
	return &decoder{
		passThrough: flags&(FlagDistHdrAtomCache|FlagFragments) == 0,
		fragments:   flags&FlagFragments != 0,
		raw:         s.RawPayloads,
		partial:     make(map[uint64]*partialMessage),
		maxPartial:  s.MaxFragmentedMessages,
		maxBytes:    s.MaxMessageSize,
	}
}

// form says how the encoded terms of one message are to be read.
type form struct {
	atoms     []etf.Atom // what the header's atom cache references stand for
	encoded   [][]byte   // those atoms encoded
	versioned bool       // pass-through: each term starts with 131
	// owned is set when the bytes are not reused once decoded, so that
	// decoded binaries and raw payloads may share them instead of copying,
	// and a raw payload's atoms may be written over what precedes it.
	owned bool
	// front is where the control message starts in the bytes: what comes
	// before is room, for a payload's atoms to take.
	front int
}

// packet decodes one packet body. It returns nil without error for a
// fragment that does not complete its message. owned says b is not reused
// after the call; otherwise nothing returned refers to b.
func (d *decoder) packet(b []byte, owned bool) (Control, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty packet", ErrProtocol)
	}
	if d.passThrough {
		if b[0] != passThrough {
			return nil, fmt.Errorf("%w: packet type %d, want pass-through", ErrProtocol, b[0])
		}
		return d.message(b[1:], form{versioned: true, owned: owned})
	}
	if len(b) < 2 || b[0] != versionMagic {
		return nil, fmt.Errorf("%w: packet starts % x, want a distribution header", ErrProtocol, b[:min(len(b), 2)])
	}
	switch b[1] {
	case tagDistHeader:
		rest, err := d.header(b[2:])
		if err != nil {
			return nil, err
		}
		return d.message(rest, form{atoms: d.atoms, encoded: d.encoded, owned: owned})
	case tagFragmentHead:
		if d.fragments {
			return d.firstFragment(b[2:], owned)
		}
	case tagFragmentCont:
		if d.fragments {
			return d.nextFragment(b[2:])
		}
	}
	return nil, fmt.Errorf("%w: distribution header tag %d", ErrProtocol, b[1])
}

// message decodes a control message, at b[f.front:], and its payload.
func (d *decoder) message(b []byte, f form) (Control, error) {
	if len(f.atoms) > 0 {
		if c, n, ok := readCallControl(b[f.front:], f.atoms); ok && (len(b) > f.front+n) == carriesMessage(c.op) {
			payload, err := d.payload(b, f.front+n, c.op, f)
			if err != nil {
				return nil, err
			}
			return c.control(payload, &d.name), nil
		}
	}
	// The control message's bytes never stay shared: a raw payload's
	// atoms may be written over them.
	ctl, n, err := form{atoms: f.atoms, versioned: f.versioned}.term(b[f.front:])
	if err != nil {
		return nil, fmt.Errorf("%w: control message: %w", ErrProtocol, err)
	}
	var op Op
	if t, ok := ctl.(etf.Tuple); ok && len(t) > 0 {
		if code, ok := t[0].(etf.Int); ok {
			op = Op(code)
		}
	}
	payload, err := d.payload(b, f.front+n, op, f)
	if err != nil {
		return nil, err
	}
	return decodeControl(ctl, payload)
}

// payload decodes the payload at b[at:] that follows a control message of
// op, nil when none did, and checks that nothing follows it.
func (d *decoder) payload(b []byte, at int, op Op, f form) (etf.Term, error) {
	rest := len(b) - at
	if rest == 0 {
		return nil, nil
	}
	var payload etf.Term
	var n int
	var err error
	if d.raw && carriesMessage(op) {
		payload, n, err = f.rawTerm(b, at, &d.res)
	} else {
		payload, n, err = f.term(b[at:])
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v payload: %w", ErrProtocol, op, err)
	}
	if n != rest {
		return nil, fmt.Errorf("%w: %d bytes after the %v payload", ErrProtocol, rest-n, op)
	}
	return payload, nil
}

// term decodes the term at the start of b, and returns the bytes it took.
func (f form) term(b []byte) (etf.Term, int, error) {
	skip, err := f.skipVersion(b)
	if err != nil {
		return nil, 0, err
	}
	t, n, err := etf.DecodeOptions{Atoms: f.atoms, Alias: f.owned}.DecodeTerm(b[skip:])
	return t, skip + n, err
}

// rawTerm keeps the term at b[at:] encoded, and returns the bytes it
// took. An etf.Raw stands on its own, so atom cache references are
// replaced by their atoms (res.resolve): in place when the bytes are owned
// and what precedes the term has room for the atoms, else in a copy; or,
// for the few terms resolve leaves alone, by decoding and encoding again.
// A term with no byte that could be a reference is kept as it is.
func (f form) rawTerm(b []byte, at int, res *resolver) (etf.Term, int, error) {
	skip, err := f.skipVersion(b[at:])
	if err != nil {
		return nil, 0, err
	}
	start := at + skip
	if len(f.atoms) > 0 && bytes.IndexByte(b[start:], tagAtomCacheRef) >= 0 {
		raw, n, ok, err := res.resolve(b, start, f.encoded, f.owned)
		switch {
		case err != nil:
			return nil, 0, err
		case ok:
			return etf.Raw(raw), skip + n, nil
		}
		t, n, err := f.term(b[at:])
		if err != nil {
			return nil, 0, err
		}
		raw, err = etf.AppendTerm(nil, t)
		return etf.Raw(raw), n, err
	}
	n, err := etf.SkipTerm(b[start:])
	if err != nil {
		return nil, 0, err
	}
	raw := b[start : start+n : start+n]
	if !f.owned {
		raw = bytes.Clone(raw)
	}
	return etf.Raw(raw), skip + n, nil
}

func (f form) skipVersion(b []byte) (int, error) {
	if !f.versioned {
		return 0, nil
	}
	if len(b) == 0 || b[0] != versionMagic {
		return 0, fmt.Errorf("term without its version byte")
	}
	return 1, nil
}

// firstFragment starts a fragmented message:
// u64 SequenceId | u64 FragmentId (the count) | atom cache refs | data.
func (d *decoder) firstFragment(b []byte, owned bool) (Control, error) {
	if len(b) < 16 {
		return nil, fmt.Errorf("%w: fragment header of %d bytes", ErrProtocol, len(b))
	}
	seq, count := binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:])
	rest, err := d.header(b[16:])
	if err != nil {
		return nil, err
	}
	switch {
	case count == 0:
		return nil, fmt.Errorf("%w: fragmented message %d of 0 fragments", ErrProtocol, seq)
	case count == 1:
		return d.message(rest, form{atoms: d.atoms, encoded: d.encoded, owned: owned})
	case d.partial[seq] != nil:
		return nil, fmt.Errorf("%w: fragmented message %d started twice", ErrProtocol, seq)
	case len(d.partial) >= d.maxPartial:
		return nil, fmt.Errorf("%w: more than %d fragmented messages at once", ErrProtocol, d.maxPartial)
	}
	if err := d.reserve(len(rest)); err != nil {
		return nil, err
	}
	d.partial[seq] = &partialMessage{
		atoms:   slices.Clone(d.atoms),
		encoded: slices.Clone(d.encoded),
		next:    count - 1,
		data:    d.newPartialData(rest, count),
	}
	return nil, nil
}

// partialFront is the room before a fragmented message's data, where the
// atoms of its raw payload are written as it is resolved in place: enough
// for the node names, $gen_call and the like of a call.
const partialFront = 256

// newPartialData returns a copy of first, the data of a message's first
// fragment, after partialFront bytes of room, with room for count-1 more
// fragments of its size, which is what senders send (OTP's fragments are
// all of one size but the last). The room is bounded, as the reader's
// buffers are, by what arrived: one readChunk more than the first
// fragment, since count is only the peer's word; and by what the
// fragmented messages may still take. The buffer comes from bufpool,
// rounded up to its size class, and goes back there when the message's
// handler releases it (see [Buffer]).
func (d *decoder) newPartialData(first []byte, count uint64) []byte {
	room := uint64(readChunk)
	if budget := uint64(d.maxBytes - d.partialBytes); budget < room {
		room = budget
	}
	switch n := uint64(len(first)); {
	case n == 0:
		room = 0 // nothing to size the others by
	case count-1 < room/n:
		room = (count - 1) * n
	}
	// The pool's buffers are not cleared: the room is written before it is
	// read, as the data is.
	return append(bufpool.Get(partialFront + len(first) + int(room))[:partialFront], first...)
}

// nextFragment continues a fragmented message:
// u64 SequenceId | u64 FragmentId | data. Fragment ids count down to 1.
func (d *decoder) nextFragment(b []byte) (Control, error) {
	if len(b) < 16 {
		return nil, fmt.Errorf("%w: fragment header of %d bytes", ErrProtocol, len(b))
	}
	seq, id := binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:])
	p := d.partial[seq]
	switch {
	case p == nil:
		return nil, fmt.Errorf("%w: fragment %d of unknown message %d", ErrProtocol, id, seq)
	case id != p.next:
		return nil, fmt.Errorf("%w: fragment %d of message %d, want %d", ErrProtocol, id, seq, p.next)
	}
	if err := d.reserve(len(b) - 16); err != nil {
		return nil, err
	}
	p.data = append(p.data, b[16:]...)
	p.next--
	if p.next > 0 {
		return nil, nil
	}
	delete(d.partial, seq)
	d.partialBytes -= len(p.data) - partialFront
	m, err := d.message(p.data, form{atoms: p.atoms, encoded: p.encoded, owned: true, front: partialFront})
	if err != nil {
		return nil, err
	}
	return lend(m, p.data), nil
}

// reserve accounts for n more bytes of fragmented messages.
func (d *decoder) reserve(n int) error {
	if d.partialBytes+n > d.maxBytes {
		return fmt.Errorf("%w: fragmented messages exceed %d bytes", ErrProtocol, d.maxBytes)
	}
	d.partialBytes += n
	return nil
}
