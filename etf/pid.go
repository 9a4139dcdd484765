package etf

import "encoding/binary"

// Pids, ports and references all start with the node name, an atom; then
// come fixed-size fields.

// appendPid appends p as NEW_PID_EXT.
func appendPid(dst []byte, p Pid) ([]byte, error) {
	dst, err := appendAtom(append(dst, byte(tagNewPid)), p.Node)
	dst = binary.BigEndian.AppendUint32(dst, p.ID)
	dst = binary.BigEndian.AppendUint32(dst, p.Serial)
	return binary.BigEndian.AppendUint32(dst, p.Creation), err
}

// maxPortV3 is the largest port ID NEW_PORT_EXT holds; OTP writes larger
// ones as V4_PORT_EXT.
const maxPortV3 = 1<<28 - 1

// appendPort appends p as NEW_PORT_EXT, or as V4_PORT_EXT when its ID needs
// more than 28 bits, as OTP does.
func appendPort(dst []byte, p Port) ([]byte, error) {
	tg := tagNewPort
	if p.ID > maxPortV3 {
		tg = tagV4Port
	}
	dst, err := appendAtom(append(dst, byte(tg)), p.Node)
	if tg == tagNewPort {
		dst = binary.BigEndian.AppendUint32(dst, uint32(p.ID))
	} else {
		dst = binary.BigEndian.AppendUint64(dst, p.ID)
	}
	return binary.BigEndian.AppendUint32(dst, p.Creation), err
}

// maxRefLen is the most ID words a reference has.
const maxRefLen = len(Ref{}.ID)

// appendRef appends r as NEWER_REFERENCE_EXT.
func appendRef(dst []byte, r Ref) ([]byte, error) {
	if r.Len == 0 || int(r.Len) > maxRefLen {
		return dst, errorf(ErrInvalid, "Ref with Len %d, want 1 to %d", r.Len, maxRefLen)
	}
	dst = binary.BigEndian.AppendUint16(append(dst, byte(tagNewerReference)), uint16(r.Len))
	dst, err := appendAtom(dst, r.Node)
	dst = binary.BigEndian.AppendUint32(dst, r.Creation)
	for _, w := range r.ID[:r.Len] {
		dst = binary.BigEndian.AppendUint32(dst, w)
	}
	return dst, err
}

// node decodes the node name at data[pos:] of an identifier tagged tg, and
// checks that size more bytes follow it.
func (dec *decoder) node(tg tag, data []byte, pos, size int) (Atom, int, error) {
	t, next, err := dec.atom(data, pos)
	if err != nil {
		return "", 0, err
	}
	if len(data)-next < size {
		return "", 0, errorf(ErrTruncated, "%v needs %d bytes after the node name, %d left", tg, size, len(data)-next)
	}
	return t.(Atom), next, nil
}

// pid decodes the NEW_PID_EXT or PID_EXT at data[pos:].
func (dec *decoder) pid(data []byte, pos int) (Pid, int, error) {
	if pos >= len(data) {
		return Pid{}, 0, errorf(ErrTruncated, "a pid needs at least 13 bytes, 0 left")
	}
	tg := tag(data[pos])
	if tg != tagNewPid && tg != tagPid {
		return Pid{}, 0, errorf(ErrInvalid, "%v where a pid belongs", tg)
	}
	size := 12
	if tg == tagPid {
		size = 9 // Creation is one byte
	}
	node, p, err := dec.node(tg, data, pos+1, size)
	if err != nil {
		return Pid{}, 0, err
	}
	pid := Pid{
		Node:   node,
		ID:     binary.BigEndian.Uint32(data[p:]),
		Serial: binary.BigEndian.Uint32(data[p+4:]),
	}
	if tg == tagPid {
		pid.Creation = uint32(data[p+8])
	} else {
		pid.Creation = binary.BigEndian.Uint32(data[p+8:])
	}
	return pid, p + size, nil
}

// port decodes the V4_PORT_EXT, NEW_PORT_EXT or PORT_EXT at data[pos:].
func (dec *decoder) port(data []byte, pos int) (Term, int, error) {
	tg := tag(data[pos])
	size := 12 // V4_PORT_EXT: 8-byte ID
	switch tg {
	case tagNewPort:
		size = 8
	case tagPort:
		size = 5 // and one-byte Creation
	}
	node, p, err := dec.node(tg, data, pos+1, size)
	if err != nil {
		return nil, 0, err
	}
	port := Port{Node: node}
	switch tg {
	case tagV4Port:
		port.ID = binary.BigEndian.Uint64(data[p:])
		port.Creation = binary.BigEndian.Uint32(data[p+8:])
	case tagNewPort:
		port.ID = uint64(binary.BigEndian.Uint32(data[p:]))
		port.Creation = binary.BigEndian.Uint32(data[p+4:])
	default:
		port.ID = uint64(binary.BigEndian.Uint32(data[p:]))
		port.Creation = uint32(data[p+4])
	}
	return port, p + size, nil
}

// ref decodes the NEWER_REFERENCE_EXT, NEW_REFERENCE_EXT or REFERENCE_EXT at
// data[pos:].
func (dec *decoder) ref(data []byte, pos int) (Term, int, error) {
	tg := tag(data[pos])
	n, p := 1, pos+1
	if tg != tagReference {
		if len(data)-pos < 3 {
			return nil, 0, truncated(tg, 3, len(data)-pos)
		}
		n, p = int(binary.BigEndian.Uint16(data[pos+1:])), pos+3
		if n == 0 || n > maxRefLen {
			return nil, 0, errorf(ErrInvalid, "%v of %d words, want 1 to %d", tg, n, maxRefLen)
		}
	}
	creationSize := 4
	if tg != tagNewerReference {
		creationSize = 1
	}
	node, p, err := dec.node(tg, data, p, creationSize+4*n)
	if err != nil {
		return nil, 0, err
	}
	r := Ref{Node: node, Len: uint8(n)}
	if tg == tagReference {
		// REFERENCE_EXT puts its one ID word before Creation.
		r.ID[0], r.Creation = binary.BigEndian.Uint32(data[p:]), uint32(data[p+4])
		return r, p + 5, nil
	}
	if creationSize == 4 {
		r.Creation = binary.BigEndian.Uint32(data[p:])
	} else {
		r.Creation = uint32(data[p])
	}
	p += creationSize
	for i := range n {
		r.ID[i] = binary.BigEndian.Uint32(data[p:])
		p += 4
	}
	return r, p, nil
}
