package dist

import (
	"fmt"
	"math"
	"math/big"
	"slices"

	"github.com/creo-dev/creo/etf"
)

// External term format tags the encoder writes itself: a control tuple's
// header and its operation code, which are always small.
const (
	tagSmallInteger = 97
	tagSmallTuple   = 104
)

// appendControl appends c's control tuple, and its payload if the chosen form
// has one, choosing the form from flags. versioned puts a version byte before
// each term, for pass-through packets. It returns where the payload starts,
// since only the payload may be split into fragments. When shareOver is not
// zero, a payload whose encoding ends with an etf.Raw longer than that, as
// a reply {Tag, Raw} does, is appended up to that Raw, which is returned as
// tail: it is what follows b, from its own memory.
func appendControl(dst []byte, c Control, flags Flags, versioned bool, shareOver int) (b []byte, payloadAt int, tail etf.Raw, err error) {
	e := ctlEncoder{b: dst, flags: flags, versioned: versioned}
	payload := e.control(c)
	payloadAt = len(e.b)
	if payload != nil {
		e.version()
		if shareOver > 0 {
			payload, tail = withoutTail(payload, shareOver, maxTailDepth)
		}
		e.term(payload)
		if tail != nil && e.err == nil {
			e.b = e.b[:len(e.b)-len(tailMark)]
		}
	}
	return e.b, payloadAt, tail, e.err
}

// tailMark stands in for a payload's tail while the rest is encoded: [],
// one byte, written as it is and then dropped.
var tailMark = etf.Raw{106}

// maxTailDepth is how deep in tuples withoutTail looks for a tail: a reply
// {Tag, {ok, Raw}} is two tuples deep.
const maxTailDepth = 4

// withoutTail returns t with the etf.Raw longer than over that its encoding
// ends with, if there is one, replaced by tailMark, and that Raw. It looks
// depth tuples deep.
func withoutTail(t etf.Term, over, depth int) (head etf.Term, tail etf.Raw) {
	switch v := t.(type) {
	case etf.Raw:
		if len(v) > over {
			return tailMark, v
		}
	case etf.Tuple:
		if len(v) == 0 || depth == 0 {
			break
		}
		if last, tail := withoutTail(v[len(v)-1], over, depth-1); tail != nil {
			head := slices.Clone(v)
			head[len(head)-1] = last
			return head, tail
		}
	}
	return t, nil
}

// ctlEncoder appends one control message, keeping the first error.
type ctlEncoder struct {
	b         []byte
	flags     Flags
	versioned bool
	err       error
}

// control appends c's control tuple and returns its payload, nil when the
// form chosen carries none.
func (e *ctlEncoder) control(c Control) etf.Term {
	switch c := c.(type) {
	case Link:
		e.tuple(OpLink, c.From, c.To)
	case Send:
		if e.flags&FlagSendSender != 0 && c.From != (etf.Pid{}) {
			e.traced(OpSendSender, OpSendSenderTT, c.Token, c.From, c.To)
		} else {
			e.traced(OpSend, OpSendTT, c.Token, etf.Atom(""), c.To)
		}
		return e.present(c.Message, "message")
	case RegSend:
		e.traced(OpRegSend, OpRegSendTT, c.Token, c.From, etf.Atom(""), c.To)
		return e.present(c.Message, "message")
	case AliasSend:
		e.require(FlagAlias)
		e.traced(OpAliasSend, OpAliasSendTT, c.Token, c.From, c.Alias)
		return e.present(c.Message, "message")
	case Exit:
		return e.exit(OpPayloadExit, OpPayloadExitTT, OpExit, OpExitTT, c.From, c.To, c.Reason, c.Token)
	case Exit2:
		return e.exit(OpPayloadExit2, OpPayloadExit2TT, OpExit2, OpExit2TT, c.From, c.To, c.Reason, c.Token)
	case Monitor:
		e.requireMonitor(c.To)
		e.tuple(OpMonitorP, c.From, c.To, c.Ref)
	case Demonitor:
		e.requireMonitor(c.To)
		e.tuple(OpDemonitorP, c.From, c.To, c.Ref)
	case MonitorExit:
		e.process(c.From)
		reason := e.present(c.Reason, "reason")
		if e.flags&FlagExitPayload != 0 {
			e.tuple(OpPayloadMonitorPExit, c.From, c.To, c.Ref)
			return reason
		}
		e.tuple(OpMonitorPExit, c.From, c.To, c.Ref, reason)
	case SpawnRequest:
		e.require(FlagSpawn)
		mfa := etf.Tuple{c.Module, c.Function, etf.Int(len(c.Args))}
		e.traced(OpSpawnRequest, OpSpawnRequestTT, c.Token, c.ReqID, c.From, c.GroupLeader, mfa, c.Options)
		return c.Args
	case SpawnReply:
		e.require(FlagSpawn)
		e.process(c.Result)
		if c.Flags < 0 || c.Flags > math.MaxUint8 {
			e.fail(fmt.Errorf("spawn reply flags %d", c.Flags))
		}
		e.traced(OpSpawnReply, OpSpawnReplyTT, c.Token, c.ReqID, c.To, etf.Int(c.Flags), c.Result)
	case UnlinkID:
		e.tuple(OpUnlinkID, e.unlinkID(c.ID), c.From, c.To)
	case UnlinkIDAck:
		e.tuple(OpUnlinkIDAck, e.unlinkID(c.ID), c.From, c.To)
	case GroupLeader:
		e.tuple(OpGroupLeader, c.From, c.To)
	default:
		e.fail(fmt.Errorf("cannot send %T", c))
	}
	return nil
}

// exit appends an exit signal in its payload form when the peer takes it,
// which lets a large reason be fragmented, else with the reason inside.
func (e *ctlEncoder) exit(op, opTT, plain, plainTT Op, from, to etf.Pid, reason, token etf.Term) etf.Term {
	reason = e.present(reason, "reason")
	switch {
	case e.flags&FlagExitPayload != 0:
		e.traced(op, opTT, token, from, to)
		return reason
	case token != nil:
		e.tuple(plainTT, from, to, token, reason)
	default:
		e.tuple(plain, from, to, reason)
	}
	return nil
}

// traced appends the plain form of an operation, or its _TT form with the
// trace token last when there is one.
func (e *ctlEncoder) traced(op, opTT Op, token etf.Term, elems ...etf.Term) {
	if token != nil {
		e.tuple(opTT, append(elems, token)...)
		return
	}
	e.tuple(op, elems...)
}

// tuple appends {op, elems...}.
func (e *ctlEncoder) tuple(op Op, elems ...etf.Term) {
	if e.err != nil {
		return
	}
	e.version()
	e.b = append(e.b, tagSmallTuple, byte(1+len(elems)), tagSmallInteger, byte(op))
	for _, t := range elems {
		e.term(t)
	}
}

func (e *ctlEncoder) version() {
	if e.versioned {
		e.b = append(e.b, versionMagic)
	}
}

func (e *ctlEncoder) term(t etf.Term) {
	if e.err == nil {
		e.b, e.err = etf.AppendTerm(e.b, t)
	}
}

func (e *ctlEncoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// present checks that a term the message carries was given.
func (e *ctlEncoder) present(t etf.Term, what string) etf.Term {
	if t == nil {
		e.fail(fmt.Errorf("no %s", what))
	}
	return t
}

func (e *ctlEncoder) require(f Flags) {
	if e.flags&f == 0 {
		e.fail(fmt.Errorf("the peer lacks %v", f))
	}
}

// requireMonitor checks the peer takes monitors of this kind of target.
func (e *ctlEncoder) requireMonitor(to etf.Term) {
	e.process(to)
	if _, byName := to.(etf.Atom); byName {
		e.require(FlagDistMonitorName)
	} else {
		e.require(FlagDistMonitor)
	}
}

// process checks t is a pid or a registered name.
func (e *ctlEncoder) process(t etf.Term) {
	switch t.(type) {
	case etf.Pid, etf.Atom:
	default:
		e.fail(fmt.Errorf("%s is not a pid or a name", describe(t)))
	}
}

// unlinkID returns id as the integer term the protocol wants, 1..2^64-1.
func (e *ctlEncoder) unlinkID(id uint64) etf.Term {
	switch {
	case id == 0:
		e.fail(fmt.Errorf("unlink id 0"))
	case id > math.MaxInt64:
		return etf.BigInt{Value: new(big.Int).SetUint64(id)}
	}
	return etf.Int(id)
}
