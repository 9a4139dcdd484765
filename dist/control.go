package dist

import "github.com/creo-dev/creo/etf"

// Control is a control message: a signal between processes of two nodes,
// with the message or exit reason it carries. Its dynamic type is one of
// the types of this file.
//
// One type stands for all the wire forms of a signal: Send is SEND or
// SEND_SENDER, with or without a trace token; Exit is EXIT, EXIT_TT,
// PAYLOAD_EXIT or PAYLOAD_EXIT_TT. On input every form decodes to it; on
// output [Conn.Send] chooses the form the connection's flags call for.
type Control interface {
	// Op is the signal's operation in its basic form: OpSend for every
	// form of Send, OpExit for every form of Exit, and so on.
	Op() Op
}

// Link is LINK: From links to To.
type Link struct {
	From, To etf.Pid
}

// Send is a message to a pid (SEND, SEND_SENDER and their _TT forms). From
// is the zero Pid when the peer used SEND, which does not carry the sender;
// output uses SEND_SENDER when the connection has FlagSendSender, else SEND.
type Send struct {
	From, To etf.Pid
	Message  etf.Term
	// Token is the sequential trace token, nil when there is none.
	Token etf.Term
	// Buffer, on input only, is what a raw Message that came in fragments
	// lies in, lent to the handler; see [Buffer]. Nil otherwise.
	Buffer *Buffer
}

// RegSend is a message to a registered name (REG_SEND, REG_SEND_TT).
type RegSend struct {
	From    etf.Pid
	To      etf.Atom
	Message etf.Term
	Token   etf.Term
	Buffer  *Buffer // as in [Send]
}

// AliasSend is a message to a process alias (ALIAS_SEND, ALIAS_SEND_TT),
// such as the reply to a gen_server call tagged [alias | Ref].
type AliasSend struct {
	From    etf.Pid
	Alias   etf.Ref
	Message etf.Term
	Token   etf.Term
}

// Exit is the exit signal of a broken link (EXIT, EXIT_TT, PAYLOAD_EXIT,
// PAYLOAD_EXIT_TT). Output puts Reason in the payload when the connection
// has FlagExitPayload, which also lets a large reason be fragmented.
type Exit struct {
	From, To etf.Pid
	Reason   etf.Term
	Token    etf.Term
}

// Exit2 is the exit signal of erlang:exit/2 (EXIT2, EXIT2_TT, PAYLOAD_EXIT2,
// PAYLOAD_EXIT2_TT).
type Exit2 struct {
	From, To etf.Pid
	Reason   etf.Term
	Token    etf.Term
}

// Monitor is MONITOR_P: From monitors To, a pid or a registered name
// (etf.Atom), under Ref.
type Monitor struct {
	From etf.Pid
	To   etf.Term
	Ref  etf.Ref
}

// Demonitor is DEMONITOR_P: From drops the monitor Ref on To.
type Demonitor struct {
	From etf.Pid
	To   etf.Term
	Ref  etf.Ref
}

// MonitorExit is the DOWN of a monitor (MONITOR_P_EXIT,
// PAYLOAD_MONITOR_P_EXIT). From is what was monitored, exactly as in the
// Monitor: a pid, or the name atom for a monitor by name.
type MonitorExit struct {
	From   etf.Term
	To     etf.Pid
	Ref    etf.Ref
	Reason etf.Term
}

// SpawnRequest is SPAWN_REQUEST (and _TT): From asks for a process running
// Module:Function(Args...), which is how erpc and rpc call a node.
type SpawnRequest struct {
	ReqID       etf.Ref
	From        etf.Pid
	GroupLeader etf.Pid
	Module      etf.Atom
	Function    etf.Atom
	// Options is the spawn option list, such as [monitor] or [link].
	Options etf.List
	Args    etf.List
	Token   etf.Term
}

// Spawn reply flags, the Flags of a SpawnReply.
const (
	SpawnLinked    = 1 // a link to the new process was set up
	SpawnMonitored = 2 // a monitor of the new process was set up
)

// SpawnReply is SPAWN_REPLY (and _TT), the answer to a SpawnRequest.
// Result is the new process's pid, or an atom naming why none was spawned.
type SpawnReply struct {
	ReqID  etf.Ref
	To     etf.Pid
	Flags  int
	Result etf.Term
	Token  etf.Term
}

// UnlinkID is UNLINK_ID of the new link protocol: From removes its link to
// To, and waits for an UnlinkIDAck carrying ID.
type UnlinkID struct {
	ID       uint64
	From, To etf.Pid
}

// UnlinkIDAck is UNLINK_ID_ACK: From (the acker) acknowledges the UnlinkID
// ID that To (the unlinker) sent.
type UnlinkIDAck struct {
	ID       uint64
	From, To etf.Pid
}

// GroupLeader is GROUP_LEADER: From makes To's group leader itself. creo
// decodes it and owners may ignore it.
type GroupLeader struct {
	From, To etf.Pid
}

// Unknown is a control message creo does not act on: the obsolete UNLINK and
// NODE_LINK, ALTACT_SIG_SEND (never negotiated), and unassigned operations.
// It is delivered whole so the owner can log it, and cannot be sent.
type Unknown struct {
	Code    Op
	Tuple   etf.Tuple
	Payload etf.Term // nil when none followed
}

func (Link) Op() Op         { return OpLink }
func (Send) Op() Op         { return OpSend }
func (RegSend) Op() Op      { return OpRegSend }
func (AliasSend) Op() Op    { return OpAliasSend }
func (Exit) Op() Op         { return OpExit }
func (Exit2) Op() Op        { return OpExit2 }
func (Monitor) Op() Op      { return OpMonitorP }
func (Demonitor) Op() Op    { return OpDemonitorP }
func (MonitorExit) Op() Op  { return OpMonitorPExit }
func (SpawnRequest) Op() Op { return OpSpawnRequest }
func (SpawnReply) Op() Op   { return OpSpawnReply }
func (UnlinkID) Op() Op     { return OpUnlinkID }
func (UnlinkIDAck) Op() Op  { return OpUnlinkIDAck }
func (GroupLeader) Op() Op  { return OpGroupLeader }
func (u Unknown) Op() Op    { return u.Code }
