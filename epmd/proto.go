package epmd

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// opcode is the first byte of an EPMD request or response
// (erl_dist_protocol.md, "EPMD Protocol").
type opcode byte

const (
	opNamesReq       opcode = 'n' // 110
	opDumpReq        opcode = 'd' // 100
	opKillReq        opcode = 'k' // 107
	opStopReq        opcode = 's' // 115
	opAlive2Req      opcode = 'x' // 120
	opAlive2Resp     opcode = 'y' // 121, 16-bit creation, for HighestVersion < 6
	opAlive2XResp    opcode = 'v' // 118, 32-bit creation, for HighestVersion >= 6
	opPortPlease2Req opcode = 'z' // 122
	opPort2Resp      opcode = 'w' // 119
)

var opcodeNames = map[opcode]string{
	opNamesReq:       "NAMES_REQ",
	opDumpReq:        "DUMP_REQ",
	opKillReq:        "KILL_REQ",
	opStopReq:        "STOP_REQ",
	opAlive2Req:      "ALIVE2_REQ",
	opAlive2Resp:     "ALIVE2_RESP",
	opAlive2XResp:    "ALIVE2_X_RESP",
	opPortPlease2Req: "PORT_PLEASE2_REQ",
	opPort2Resp:      "PORT2_RESP",
}

func (op opcode) String() string {
	if name, ok := opcodeNames[op]; ok {
		return name
	}
	return "opcode(" + strconv.Itoa(int(op)) + ")"
}

// NodeType is how a node registers: visible nodes take part in the
// cluster's full mesh, hidden ones (C nodes, tools) do not.
type NodeType byte

const (
	VisibleNode NodeType = 'M' // 77, a normal Erlang node
	HiddenNode  NodeType = 'H' // 72, a hidden node or C node
)

func (t NodeType) String() string {
	switch t {
	case VisibleNode:
		return "visible"
	case HiddenNode:
		return "hidden"
	}
	return "NodeType(" + strconv.Itoa(int(t)) + ")"
}

// Distribution protocol versions OTP 23 and later register with: they speak
// the version 6 handshake and accept version 5 peers.
const (
	HighestVersion = 6
	LowestVersion  = 5
)

// Node is what EPMD holds about a registered node: the fields of ALIVE2_REQ,
// which the reply to PORT_PLEASE2_REQ gives back.
type Node struct {
	// Name is the node's short name, the part before "@".
	Name string
	// Port is the node's distribution listen port.
	Port uint16
	// Type is VisibleNode or HiddenNode. [Register] treats 0 as VisibleNode.
	Type NodeType
	// Protocol is 0 for TCP/IPv4, the only protocol in use.
	Protocol byte
	// HighestVersion and LowestVersion bound the distribution protocol
	// versions the node speaks. [Register] treats 0, 0 as OTP's 6, 5.
	HighestVersion, LowestVersion uint16
	// Extra is opaque data EPMD stores and returns; empty in practice.
	Extra []byte
}

// Entry is one line of EPMD's NAMES reply: a registered node's short name and
// distribution port.
type Entry struct {
	Name string
	Port uint16
}

// Bounds from epmd: a node name is an atom, at most 255 characters of UTF-8,
// and Extra is held to the same number of bytes (epmd_int.h, MAXSYMLEN).
const (
	maxNameChars = 255
	maxNameBytes = maxNameChars * utf8.UTFMax
	maxExtra     = maxNameBytes
	// alive2Fixed is the size of ALIVE2_REQ without its name and extra.
	alive2Fixed = 13
	// maxRequest is the largest request body, an ALIVE2_REQ with the
	// longest name and extra; anything longer is refused unread.
	maxRequest = alive2Fixed + maxNameBytes + maxExtra
	// maxPort2Resp is the largest PORT2_RESP: 12 fixed bytes, the name,
	// 2 bytes of extra length and the extra.
	maxPort2Resp = 14 + maxNameBytes + maxExtra
)

// Results of ALIVE2: epmd answers every refusal with result 1 and creation
// 99, whatever the reason.
const (
	resultOK      = 0
	resultRefused = 1
	refusedMarker = 99
)

var (
	errTruncated = errors.New("truncated")
	errTrailing  = errors.New("trailing bytes")
)

// checkName reports whether name can be registered: 1 to 255 characters of
// valid UTF-8 without NUL, as epmd requires. It also refuses control
// characters, which epmd accepts but which would corrupt the line-based
// NAMES reply; no BEAM node name contains them.
func checkName(name string) error {
	if name == "" {
		return errors.New("empty node name")
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("node name %q is not valid UTF-8", name)
	}
	if n := utf8.RuneCountInString(name); n > maxNameChars {
		return fmt.Errorf("node name has %d characters, more than %d", n, maxNameChars)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("node name %q contains a control character", name)
		}
	}
	return nil
}

// checkNode reports whether n can be sent in an ALIVE2_REQ.
func checkNode(n Node) error {
	if err := checkName(n.Name); err != nil {
		return err
	}
	if len(n.Extra) > maxExtra {
		return fmt.Errorf("extra has %d bytes, more than %d", len(n.Extra), maxExtra)
	}
	return nil
}

// appendAlive2Req appends the ALIVE2_REQ registering n, length prefix
// included. n must pass checkNode.
func appendAlive2Req(dst []byte, n Node) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(alive2Fixed+len(n.Name)+len(n.Extra)))
	dst = appendNode(append(dst, byte(opAlive2Req)), n)
	return dst
}

// appendNode appends the node record ALIVE2_REQ and PORT2_RESP share:
// port, type, protocol, versions, name and extra.
func appendNode(dst []byte, n Node) []byte {
	dst = binary.BigEndian.AppendUint16(dst, n.Port)
	dst = append(dst, byte(n.Type), n.Protocol)
	dst = binary.BigEndian.AppendUint16(dst, n.HighestVersion)
	dst = binary.BigEndian.AppendUint16(dst, n.LowestVersion)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(n.Name)))
	dst = append(dst, n.Name...)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(n.Extra)))
	return append(dst, n.Extra...)
}

// appendPortPlease2Req appends the PORT_PLEASE2_REQ for the short name,
// length prefix included.
func appendPortPlease2Req(dst []byte, name string) []byte {
	dst = binary.BigEndian.AppendUint16(dst, uint16(1+len(name)))
	return append(append(dst, byte(opPortPlease2Req)), name...)
}

// appendNamesReq appends the NAMES_REQ, length prefix included.
func appendNamesReq(dst []byte) []byte {
	return append(dst, 0, 1, byte(opNamesReq))
}

// appendAlive2Resp appends the reply to an ALIVE2_REQ from a node whose
// highest version is highest: ALIVE2_X_RESP with a 32-bit creation for
// version 6 and later, else the old ALIVE2_RESP with 16 bits.
func appendAlive2Resp(dst []byte, highest uint16, result byte, creation uint32) []byte {
	if highest >= 6 {
		dst = append(dst, byte(opAlive2XResp), result)
		return binary.BigEndian.AppendUint32(dst, creation)
	}
	dst = append(dst, byte(opAlive2Resp), result)
	return binary.BigEndian.AppendUint16(dst, uint16(creation))
}

// appendPort2Resp appends the reply to a PORT_PLEASE2_REQ: n's record, or
// only a non-zero result when n is nil.
func appendPort2Resp(dst []byte, n *Node) []byte {
	if n == nil {
		return append(dst, byte(opPort2Resp), resultRefused)
	}
	return appendNode(append(dst, byte(opPort2Resp), resultOK), *n)
}

// appendNamesResp appends the reply to a NAMES_REQ: the EPMD's own port,
// then one line a node, in the text format erl_epmd parses.
func appendNamesResp(dst []byte, epmdPort uint32, entries []Entry) []byte {
	dst = binary.BigEndian.AppendUint32(dst, epmdPort)
	for _, e := range entries {
		dst = append(dst, "name "...)
		dst = append(dst, e.Name...)
		dst = append(dst, " at port "...)
		dst = strconv.AppendUint(dst, uint64(e.Port), 10)
		dst = append(dst, '\n')
	}
	return dst
}

// request is a parsed request body.
type request struct {
	op   opcode
	node Node   // ALIVE2_REQ
	name string // PORT_PLEASE2_REQ
}

// parseRequest parses a request body, the bytes after the length prefix.
// Requests the server does not act on (DUMP, KILL, STOP and unknown codes)
// come back with only op set.
func parseRequest(body []byte) (request, error) {
	if len(body) == 0 {
		return request{}, errors.New("epmd: empty request")
	}
	req := request{op: opcode(body[0])}
	var err error
	switch req.op {
	case opAlive2Req:
		req.node, err = parseNode(body[1:])
	case opPortPlease2Req:
		// Old clients end the name with NUL; epmd strips it.
		name := bytes.TrimSuffix(body[1:], []byte{0})
		err = checkName(string(name))
		req.name = string(name)
	case opNamesReq, opDumpReq, opKillReq:
		if len(body) > 1 {
			err = errTrailing
		}
	}
	if err != nil {
		return request{}, fmt.Errorf("epmd: malformed %v: %w", req.op, err)
	}
	return req, nil
}

// parseNode parses the node record of ALIVE2_REQ and PORT2_RESP, which must
// fill b exactly.
func parseNode(b []byte) (Node, error) {
	if len(b) < alive2Fixed-1 {
		return Node{}, errTruncated
	}
	n := Node{
		Port:           binary.BigEndian.Uint16(b),
		Type:           NodeType(b[2]),
		Protocol:       b[3],
		HighestVersion: binary.BigEndian.Uint16(b[4:]),
		LowestVersion:  binary.BigEndian.Uint16(b[6:]),
	}
	nameLen := int(binary.BigEndian.Uint16(b[8:]))
	b = b[10:]
	if len(b) < nameLen+2 {
		return Node{}, errTruncated
	}
	n.Name = string(b[:nameLen])
	extraLen := int(binary.BigEndian.Uint16(b[nameLen:]))
	b = b[nameLen+2:]
	switch {
	case len(b) < extraLen:
		return Node{}, errTruncated
	case len(b) > extraLen:
		return Node{}, errTrailing
	}
	if extraLen > 0 {
		n.Extra = bytes.Clone(b)
	}
	return n, checkNode(n)
}

// alive2RespLen returns the length of the ALIVE2 reply that starts with op.
func alive2RespLen(op byte) (int, error) {
	switch opcode(op) {
	case opAlive2XResp:
		return 6, nil
	case opAlive2Resp:
		return 4, nil
	}
	return 0, fmt.Errorf("epmd: reply to ALIVE2_REQ starts with %v", opcode(op))
}

// parseAlive2Resp parses a whole ALIVE2_X_RESP or ALIVE2_RESP and returns
// the creation EPMD gave. A refusal is ErrNameInUse.
func parseAlive2Resp(b []byte) (uint32, error) {
	if len(b) == 0 {
		return 0, fmt.Errorf("epmd: malformed ALIVE2 reply: %w", errTruncated)
	}
	want, err := alive2RespLen(b[0])
	if err != nil {
		return 0, err
	}
	switch {
	case len(b) < want:
		err = errTruncated
	case len(b) > want:
		err = errTrailing
	}
	if err != nil {
		return 0, fmt.Errorf("epmd: malformed %v: %w", opcode(b[0]), err)
	}
	if b[1] != resultOK {
		return 0, ErrNameInUse
	}
	if want == 6 {
		return binary.BigEndian.Uint32(b[2:]), nil
	}
	return uint32(binary.BigEndian.Uint16(b[2:])), nil
}

// parsePort2Resp parses a whole PORT2_RESP. A non-zero result is
// ErrNotFound.
func parsePort2Resp(b []byte) (Node, error) {
	switch {
	case len(b) < 2:
		return Node{}, fmt.Errorf("epmd: malformed PORT2_RESP: %w", errTruncated)
	case opcode(b[0]) != opPort2Resp:
		return Node{}, fmt.Errorf("epmd: reply to PORT_PLEASE2_REQ starts with %v", opcode(b[0]))
	case b[1] != resultOK:
		return Node{}, ErrNotFound
	}
	n, err := parseNode(b[2:])
	if err != nil {
		return Node{}, fmt.Errorf("epmd: malformed PORT2_RESP: %w", err)
	}
	return n, nil
}

// parseNamesResp parses a whole NAMES reply: the EPMD port, then lines of
// "name <Name> at port <Port>\n".
func parseNamesResp(b []byte) ([]Entry, error) {
	if len(b) < 4 {
		return nil, fmt.Errorf("epmd: malformed NAMES reply: %w", errTruncated)
	}
	var entries []Entry
	for rest := b[4:]; len(rest) > 0; {
		line, after, found := bytes.Cut(rest, []byte{'\n'})
		if !found {
			return nil, fmt.Errorf("epmd: malformed NAMES reply: unterminated line %q", line)
		}
		e, err := parseNamesLine(line)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
		rest = after
	}
	return entries, nil
}

// parseNamesLine parses "name <Name> at port <Port>". A name may contain
// spaces, so the port is found from the end.
func parseNamesLine(line []byte) (Entry, error) {
	const prefix, sep = "name ", " at port "
	body, ok := bytes.CutPrefix(line, []byte(prefix))
	i := bytes.LastIndex(body, []byte(sep))
	if !ok || i < 1 {
		return Entry{}, fmt.Errorf("epmd: malformed NAMES line %q", line)
	}
	port, err := strconv.ParseUint(string(body[i+len(sep):]), 10, 16)
	if err != nil {
		return Entry{}, fmt.Errorf("epmd: malformed NAMES line %q: bad port", line)
	}
	return Entry{Name: string(body[:i]), Port: uint16(port)}, nil
}
