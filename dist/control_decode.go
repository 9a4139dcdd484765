package dist

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/creo-dev/creo/etf"
)

// decodeControl builds the Control a control tuple and its payload (nil when
// none followed) stand for. Every operation of OTP 25 to 28 decodes; those
// creo does not act on become an Unknown.
func decodeControl(ctl etf.Term, payload etf.Term) (Control, error) {
	t, ok := ctl.(etf.Tuple)
	if !ok || len(t) == 0 {
		return nil, fmt.Errorf("%w: control message %s is not a tuple", ErrProtocol, describe(ctl))
	}
	code, ok := t[0].(etf.Int)
	if !ok || code < 0 || code > math.MaxUint8 {
		return nil, fmt.Errorf("%w: control message operation %s", ErrProtocol, describe(t[0]))
	}
	f := fields{op: Op(code), t: t}
	c := f.decode(payload)
	if f.err != nil {
		return nil, f.err
	}
	return c, nil
}

// callControl is the control tuple of one of the packets every call
// brings, read by readCallControl.
type callControl struct {
	op   Op
	from etf.Pid
	to   etf.Atom
	ref  etf.Ref // of a monitor
}

// readCallControl reads, straight from its bytes at the start of b, the
// control tuple of the packets every gen:call brings: MONITOR_P and
// DEMONITOR_P of a registered name, and REG_SEND, when each atom in it is
// an atom cache reference to atoms, as OTP writes them. It boxes no
// element into an etf.Term, as decoding the tuple would. ok is false for
// any other tuple or form, which decodeControl then reads and, if
// malformed, reports.
func readCallControl(b []byte, atoms []etf.Atom) (c callControl, n int, ok bool) {
	if len(b) < 4 || b[0] != tagSmallTuple || b[1] != 4 || b[2] != tagSmallInteger {
		return callControl{}, 0, false
	}
	c.op = Op(b[3])
	r := ctlReader{b: b, pos: 4, atoms: atoms, ok: true}
	switch c.op {
	case OpMonitorP, OpDemonitorP:
		c.from, c.to, c.ref = r.pid(), r.atom(), r.ref()
	case OpRegSend:
		c.from, _, c.to = r.pid(), r.atom(), r.atom() // the second is unused
	default:
		return callControl{}, 0, false
	}
	return c, r.pos, r.ok
}

// control returns the Control c and its payload stand for. name is the
// name of the last (de)monitor, as an etf.Term: boxed once for the calls
// to one server, rather than once a packet.
func (c *callControl) control(payload etf.Term, name *etf.Term) Control {
	if c.op == OpRegSend {
		return RegSend{From: c.from, To: c.to, Message: payload}
	}
	if last, ok := (*name).(etf.Atom); !ok || last != c.to {
		*name = c.to
	}
	if c.op == OpMonitorP {
		return Monitor{From: c.from, To: *name, Ref: c.ref}
	}
	return Demonitor{From: c.from, To: *name, Ref: c.ref}
}

// ctlReader reads the elements of a control tuple from its bytes, for
// readCallControl; ok turns false, for good, at the first byte not of the
// form it expects.
type ctlReader struct {
	b     []byte
	pos   int
	atoms []etf.Atom
	ok    bool
}

// next returns the next n bytes, nil when fewer are left.
func (r *ctlReader) next(n int) []byte {
	if !r.ok || len(r.b)-r.pos < n {
		r.ok = false
		return nil
	}
	r.pos += n
	return r.b[r.pos-n : r.pos]
}

// atom reads an ATOM_CACHE_REF.
func (r *ctlReader) atom() etf.Atom {
	b := r.next(2)
	if b == nil || b[0] != tagAtomCacheRef || int(b[1]) >= len(r.atoms) {
		r.ok = false
		return ""
	}
	return r.atoms[b[1]]
}

// pid reads a NEW_PID_EXT: 88 | Node | ID u32 | Serial u32 | Creation u32.
func (r *ctlReader) pid() etf.Pid {
	if b := r.next(1); b == nil || b[0] != tagNewPid {
		r.ok = false
		return etf.Pid{}
	}
	p := etf.Pid{Node: r.atom()}
	if b := r.next(12); b != nil {
		p.ID, p.Serial, p.Creation = binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]), binary.BigEndian.Uint32(b[8:])
	}
	return p
}

// ref reads a NEWER_REFERENCE_EXT:
// 90 | Len u16 | Node | Creation u32 | ID u32 * Len, Len from 1 to 5.
func (r *ctlReader) ref() etf.Ref {
	var ref etf.Ref
	b := r.next(3)
	if b == nil || b[0] != tagNewerRef {
		r.ok = false
		return ref
	}
	n := int(binary.BigEndian.Uint16(b[1:]))
	if n == 0 || n > len(ref.ID) {
		r.ok = false
		return ref
	}
	ref.Node, ref.Len = r.atom(), uint8(n)
	if b := r.next(4 + 4*n); b != nil {
		ref.Creation = binary.BigEndian.Uint32(b)
		for i := range n {
			ref.ID[i] = binary.BigEndian.Uint32(b[4+4*i:])
		}
	}
	return ref
}

// carriesMessage reports whether the payload that follows op is a message
// to a process, which RawPayloads leaves undecoded.
func carriesMessage(op Op) bool {
	switch op {
	case OpSend, OpSendTT, OpSendSender, OpSendSenderTT, OpRegSend, OpRegSendTT,
		OpAliasSend, OpAliasSendTT:
		return true
	}
	return false
}

// fields reads the elements of one control tuple, keeping the first error so
// that a decoder reads as a list of fields.
type fields struct {
	op  Op
	t   etf.Tuple
	err error
}

func (f *fields) decode(payload etf.Term) Control {
	switch f.op {
	case OpLink:
		f.shape(3, payload, false)
		return Link{From: f.pid(1), To: f.pid(2)}
	case OpSend:
		f.shape(3, payload, true)
		return Send{To: f.pid(2), Message: payload}
	case OpSendTT:
		f.shape(4, payload, true)
		return Send{To: f.pid(2), Token: f.term(3), Message: payload}
	case OpSendSender:
		f.shape(3, payload, true)
		return Send{From: f.pid(1), To: f.pid(2), Message: payload}
	case OpSendSenderTT:
		f.shape(4, payload, true)
		return Send{From: f.pid(1), To: f.pid(2), Token: f.term(3), Message: payload}
	case OpRegSend:
		f.shape(4, payload, true)
		return RegSend{From: f.pid(1), To: f.atom(3), Message: payload}
	case OpRegSendTT:
		f.shape(5, payload, true)
		return RegSend{From: f.pid(1), To: f.atom(3), Token: f.term(4), Message: payload}
	case OpAliasSend:
		f.shape(3, payload, true)
		return AliasSend{From: f.pid(1), Alias: f.ref(2), Message: payload}
	case OpAliasSendTT:
		f.shape(4, payload, true)
		return AliasSend{From: f.pid(1), Alias: f.ref(2), Token: f.term(3), Message: payload}
	case OpExit:
		f.shape(4, payload, false)
		return Exit{From: f.pid(1), To: f.pid(2), Reason: f.term(3)}
	case OpExitTT:
		f.shape(5, payload, false)
		return Exit{From: f.pid(1), To: f.pid(2), Token: f.term(3), Reason: f.term(4)}
	case OpPayloadExit:
		f.shape(3, payload, true)
		return Exit{From: f.pid(1), To: f.pid(2), Reason: payload}
	case OpPayloadExitTT:
		f.shape(4, payload, true)
		return Exit{From: f.pid(1), To: f.pid(2), Token: f.term(3), Reason: payload}
	case OpExit2:
		f.shape(4, payload, false)
		return Exit2{From: f.pid(1), To: f.pid(2), Reason: f.term(3)}
	case OpExit2TT:
		f.shape(5, payload, false)
		return Exit2{From: f.pid(1), To: f.pid(2), Token: f.term(3), Reason: f.term(4)}
	case OpPayloadExit2:
		f.shape(3, payload, true)
		return Exit2{From: f.pid(1), To: f.pid(2), Reason: payload}
	case OpPayloadExit2TT:
		f.shape(4, payload, true)
		return Exit2{From: f.pid(1), To: f.pid(2), Token: f.term(3), Reason: payload}
	case OpMonitorP:
		f.shape(4, payload, false)
		return Monitor{From: f.pid(1), To: f.process(2), Ref: f.ref(3)}
	case OpDemonitorP:
		f.shape(4, payload, false)
		return Demonitor{From: f.pid(1), To: f.process(2), Ref: f.ref(3)}
	case OpMonitorPExit:
		f.shape(5, payload, false)
		return MonitorExit{From: f.process(1), To: f.pid(2), Ref: f.ref(3), Reason: f.term(4)}
	case OpPayloadMonitorPExit:
		f.shape(4, payload, true)
		return MonitorExit{From: f.process(1), To: f.pid(2), Ref: f.ref(3), Reason: payload}
	case OpSpawnRequest, OpSpawnRequestTT:
		return f.spawnRequest(payload)
	case OpSpawnReply:
		f.shape(5, payload, false)
		return SpawnReply{ReqID: f.ref(1), To: f.pid(2), Flags: f.small(3), Result: f.process(4)}
	case OpSpawnReplyTT:
		f.shape(6, payload, false)
		return SpawnReply{ReqID: f.ref(1), To: f.pid(2), Flags: f.small(3), Result: f.process(4), Token: f.term(5)}
	case OpUnlinkID:
		f.shape(4, payload, false)
		return UnlinkID{ID: f.unlinkID(1), From: f.pid(2), To: f.pid(3)}
	case OpUnlinkIDAck:
		f.shape(4, payload, false)
		return UnlinkIDAck{ID: f.unlinkID(1), From: f.pid(2), To: f.pid(3)}
	case OpGroupLeader:
		f.shape(3, payload, false)
		return GroupLeader{From: f.pid(1), To: f.pid(2)}
	}
	return Unknown{Code: f.op, Tuple: f.t, Payload: payload}
}

func (f *fields) spawnRequest(payload etf.Term) Control {
	arity := 6
	if f.op == OpSpawnRequestTT {
		arity = 7
	}
	f.shape(arity, payload, true)
	req := SpawnRequest{ReqID: f.ref(1), From: f.pid(2), GroupLeader: f.pid(3)}
	if f.op == OpSpawnRequestTT {
		req.Token = f.term(6)
	}
	mfa, ok := f.term(4).(etf.Tuple)
	if !ok || len(mfa) != 3 {
		f.fail(4, "{Module, Function, Arity}")
		return nil
	}
	m := fields{op: f.op, t: mfa}
	req.Module, req.Function = m.atom(0), m.atom(1)
	n := m.small(2)
	if m.err != nil {
		f.err = m.err
		return nil
	}
	if req.Options, ok = f.t[5].(etf.List); !ok {
		f.fail(5, "an option list")
		return nil
	}
	if req.Args, ok = payload.(etf.List); !ok || len(req.Args) != n {
		f.err = fmt.Errorf("%w: %v of arity %d with arguments %s", ErrProtocol, f.op, n, describe(payload))
		return nil
	}
	return req
}

// shape checks the tuple's arity and whether a payload followed.
func (f *fields) shape(arity int, payload etf.Term, wantPayload bool) {
	switch {
	case len(f.t) != arity:
		f.err = fmt.Errorf("%w: %v tuple of %d elements, want %d", ErrProtocol, f.op, len(f.t), arity)
	case wantPayload && payload == nil:
		f.err = fmt.Errorf("%w: %v without its payload", ErrProtocol, f.op)
	case !wantPayload && payload != nil:
		f.err = fmt.Errorf("%w: %v followed by a payload", ErrProtocol, f.op)
	}
}

func (f *fields) fail(i int, want string) {
	if f.err == nil {
		f.err = fmt.Errorf("%w: %v element %d is %s, not %s", ErrProtocol, f.op, i, describe(f.t[i]), want)
	}
}

func (f *fields) term(i int) etf.Term {
	if f.err != nil {
		return nil
	}
	return f.t[i]
}

func (f *fields) pid(i int) etf.Pid {
	p, ok := f.term(i).(etf.Pid)
	if !ok {
		f.fail(i, "a pid")
	}
	return p
}

func (f *fields) atom(i int) etf.Atom {
	a, ok := f.term(i).(etf.Atom)
	if !ok {
		f.fail(i, "an atom")
	}
	return a
}

func (f *fields) ref(i int) etf.Ref {
	r, ok := f.term(i).(etf.Ref)
	if !ok {
		f.fail(i, "a reference")
	}
	return r
}

// process reads a pid or a registered name.
func (f *fields) process(i int) etf.Term {
	switch t := f.term(i).(type) {
	case etf.Pid, etf.Atom:
		return t
	}
	f.fail(i, "a pid or a name")
	return nil
}

// small reads a non-negative integer of at most 255, such as spawn reply
// flags or an arity.
func (f *fields) small(i int) int {
	n, ok := f.term(i).(etf.Int)
	if !ok || n < 0 || n > math.MaxUint8 {
		f.fail(i, "a small integer")
		return 0
	}
	return int(n)
}

// unlinkID reads an unlink id, an integer in 1..2^64-1.
func (f *fields) unlinkID(i int) uint64 {
	switch n := f.term(i).(type) {
	case etf.Int:
		if n > 0 {
			return uint64(n)
		}
	case etf.BigInt:
		if n.Value.Sign() > 0 && n.Value.IsUint64() {
			return n.Value.Uint64()
		}
	}
	f.fail(i, "an unlink id")
	return 0
}

// describe names a term's type for an error message, without printing a
// possibly huge term.
func describe(t etf.Term) string {
	if t == nil {
		return "nothing"
	}
	return fmt.Sprintf("%T", t)
}
