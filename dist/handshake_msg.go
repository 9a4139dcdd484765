package dist

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The handshake messages of erl_dist_protocol.md, without their 2-byte
// length prefix. Each has an append function for the side that sends it and
// a parse function for the side that receives it.

const (
	tagNameOld    = 'n' // send_name and challenge of version 5
	tagName       = 'N' // send_name and challenge of version 6
	tagStatus     = 's'
	tagComplement = 'c'
	tagReply      = 'r'
	tagAck        = 'a'
)

// digestLen is the size of an MD5 digest.
const digestLen = md5.Size

// nameMsg is send_name: who the initiator is.
type nameMsg struct {
	// old is true for the version 5 form ('n'), which carries only the
	// low 32 flag bits and no creation; a complement message follows.
	old      bool
	flags    Flags
	creation uint32
	name     string
}

// appendName appends a version 6 send_name. creo never sends version 5.
func appendName(dst []byte, m nameMsg) []byte {
	dst = append(dst, tagName)
	dst = binary.BigEndian.AppendUint64(dst, uint64(m.flags))
	dst = binary.BigEndian.AppendUint32(dst, m.creation)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(m.name)))
	return append(dst, m.name...)
}

// parseName parses send_name in either version. Bytes after the name of the
// version 6 form are ignored, as the protocol requires.
func parseName(b []byte) (nameMsg, error) {
	if len(b) == 0 {
		return nameMsg{}, fmt.Errorf("%w: empty send_name", ErrProtocol)
	}
	switch b[0] {
	case tagNameOld:
		// 'n' | u16 version=5 | u32 flags | name (the rest)
		if len(b) < 7 {
			return nameMsg{}, fmt.Errorf("%w: send_name of %d bytes", ErrProtocol, len(b))
		}
		if v := binary.BigEndian.Uint16(b[1:]); v != 5 {
			return nameMsg{}, fmt.Errorf("%w: send_name of version %d", ErrProtocol, v)
		}
		return nameMsg{old: true, flags: Flags(binary.BigEndian.Uint32(b[3:])), name: string(b[7:])}, nil
	case tagName:
		// 'N' | u64 flags | u32 creation | u16 nlen | name | ignored
		if len(b) < 15 {
			return nameMsg{}, fmt.Errorf("%w: send_name of %d bytes", ErrProtocol, len(b))
		}
		name, err := sizedName(b[13:], "send_name")
		if err != nil {
			return nameMsg{}, err
		}
		return nameMsg{
			flags:    Flags(binary.BigEndian.Uint64(b[1:])),
			creation: binary.BigEndian.Uint32(b[9:]),
			name:     name,
		}, nil
	}
	return nameMsg{}, fmt.Errorf("%w: send_name tag %d", ErrProtocol, b[0])
}

// sizedName reads u16 Nlen | Name from b, ignoring what follows.
func sizedName(b []byte, msg string) (string, error) {
	n := int(binary.BigEndian.Uint16(b))
	if len(b) < 2+n {
		return "", fmt.Errorf("%w: %s name of %d bytes in %d", ErrProtocol, msg, n, len(b)-2)
	}
	return string(b[2 : 2+n]), nil
}

// challengeMsg is the acceptor's challenge: who it is, and the number the
// initiator must prove it can digest with the cookie.
type challengeMsg struct {
	old       bool // version 5 form ('n'): 32 flag bits, no creation
	flags     Flags
	challenge uint32
	creation  uint32
	name      string
}

// appendChallenge appends a version 6 challenge.
func appendChallenge(dst []byte, m challengeMsg) []byte {
	dst = append(dst, tagName)
	dst = binary.BigEndian.AppendUint64(dst, uint64(m.flags))
	dst = binary.BigEndian.AppendUint32(dst, m.challenge)
	dst = binary.BigEndian.AppendUint32(dst, m.creation)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(m.name)))
	return append(dst, m.name...)
}

// parseChallenge parses a challenge in either version, so that an old peer
// is refused for its flags with a clear reason rather than for its format.
func parseChallenge(b []byte) (challengeMsg, error) {
	if len(b) == 0 {
		return challengeMsg{}, fmt.Errorf("%w: empty challenge", ErrProtocol)
	}
	switch b[0] {
	case tagNameOld:
		// 'n' | u16 version=5 | u32 flags | u32 challenge | name (the rest)
		if len(b) < 11 {
			return challengeMsg{}, fmt.Errorf("%w: challenge of %d bytes", ErrProtocol, len(b))
		}
		return challengeMsg{
			old:       true,
			flags:     Flags(binary.BigEndian.Uint32(b[3:])),
			challenge: binary.BigEndian.Uint32(b[7:]),
			name:      string(b[11:]),
		}, nil
	case tagName:
		// 'N' | u64 flags | u32 challenge | u32 creation | u16 nlen | name | ignored
		if len(b) < 19 {
			return challengeMsg{}, fmt.Errorf("%w: challenge of %d bytes", ErrProtocol, len(b))
		}
		name, err := sizedName(b[17:], "challenge")
		if err != nil {
			return challengeMsg{}, err
		}
		return challengeMsg{
			flags:     Flags(binary.BigEndian.Uint64(b[1:])),
			challenge: binary.BigEndian.Uint32(b[9:]),
			creation:  binary.BigEndian.Uint32(b[13:]),
			name:      name,
		}, nil
	}
	return challengeMsg{}, fmt.Errorf("%w: challenge tag %d", ErrProtocol, b[0])
}

// parseComplement parses the complement an initiator sends after a version
// 5 send_name: 'c' | u32 FlagsHigh | u32 Creation.
func parseComplement(b []byte) (flagsHigh, creation uint32, err error) {
	if len(b) < 9 || b[0] != tagComplement {
		return 0, 0, fmt.Errorf("%w: malformed complement (%d bytes)", ErrProtocol, len(b))
	}
	return binary.BigEndian.Uint32(b[1:]), binary.BigEndian.Uint32(b[5:]), nil
}

func appendStatus(dst []byte, status string) []byte {
	return append(append(dst, tagStatus), status...)
}

func parseStatusMsg(b []byte) (string, error) {
	if len(b) == 0 || b[0] != tagStatus {
		return "", fmt.Errorf("%w: malformed status (%d bytes)", ErrProtocol, len(b))
	}
	return string(b[1:]), nil
}

// appendReply appends challenge_reply: the initiator's own challenge and its
// digest of the acceptor's.
func appendReply(dst []byte, challenge uint32, digest [digestLen]byte) []byte {
	dst = append(dst, tagReply)
	dst = binary.BigEndian.AppendUint32(dst, challenge)
	return append(dst, digest[:]...)
}

func parseReply(b []byte) (challenge uint32, digest []byte, err error) {
	if len(b) != 1+4+digestLen || b[0] != tagReply {
		return 0, nil, fmt.Errorf("%w: malformed challenge reply (%d bytes)", ErrProtocol, len(b))
	}
	return binary.BigEndian.Uint32(b[1:]), b[5:], nil
}

func appendAck(dst []byte, digest [digestLen]byte) []byte {
	return append(append(dst, tagAck), digest[:]...)
}

func parseAck(b []byte) (digest []byte, err error) {
	if len(b) != 1+digestLen || b[0] != tagAck {
		return nil, fmt.Errorf("%w: malformed challenge ack (%d bytes)", ErrProtocol, len(b))
	}
	return b[1:], nil
}

// genDigest is dist_util:gen_digest/2: MD5 of the cookie followed by the
// challenge written as an unsigned decimal.
func genDigest(challenge uint32, cookie string) [digestLen]byte {
	h := md5.New()
	h.Write([]byte(cookie))
	h.Write(strconv.AppendUint(nil, uint64(challenge), 10))
	var d [digestLen]byte
	h.Sum(d[:0])
	return d
}

// genChallenge returns a challenge from the operating system's secure
// random source: a predictable challenge would let an eavesdropper replay a
// digest.
func genChallenge() uint32 {
	var b [4]byte
	rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])
}

// validNodeName reports whether s is a full node name as dist_util accepts
// it: name@host with both parts non-empty, one '@', and at most 255
// characters of UTF-8, since it becomes an atom.
func validNodeName(s string) error {
	name, host, ok := strings.Cut(s, "@")
	switch {
	case !ok || name == "" || host == "" || strings.Contains(host, "@"):
		return fmt.Errorf("%w: node name %q is not name@host", ErrProtocol, s)
	case !utf8.ValidString(s) || utf8.RuneCountInString(s) > 255:
		return fmt.Errorf("%w: node name %q is not a valid atom", ErrProtocol, s)
	}
	return nil
}
