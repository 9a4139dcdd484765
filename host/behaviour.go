package host

import (
	"time"

	"github.com/creo-dev/creo/etf"
)

// Behaviour is a gen_server's callback module: OTP's callbacks, with terms
// for arguments, requests and state. The runtime owns the state: it passes
// the current state into every callback and keeps the one the callback
// returns, without looking inside it, so a Behaviour may keep state as
// etf.Raw, undecoded. Native Go servers and Wasm modules both implement
// Behaviour.
//
// Callbacks run one at a time on the process's goroutine and get the
// process as their handle. A panic in a callback crashes the process (as
// an Erlang error would), never the node. Embed [Defaults] to get OTP's
// defaults for the callbacks a server does not need.
type Behaviour interface {
	// Init sets the server up from the start arguments: Ok, or Stop
	// (start fails with the reason), or Ignore.
	Init(p *Process, args etf.Term) Result
	// HandleCall answers a call: Reply, NoReply (reply later with
	// Process.Reply), or Stop.
	HandleCall(p *Process, req etf.Term, from From, state etf.Term) Result
	// HandleCast handles a cast: NoReply or Stop.
	HandleCast(p *Process, msg, state etf.Term) Result
	// HandleInfo handles any other message, including timeout after a
	// Result's timeout: NoReply or Stop.
	HandleInfo(p *Process, msg, state etf.Term) Result
	// HandleContinue runs after a callback returned a Result with
	// Continue, before the next message: NoReply or Stop.
	HandleContinue(p *Process, cont, state etf.Term) Result
	// Terminate runs before the server ends, when it stops, crashes, or
	// its parent shuts it down while it traps exits.
	Terminate(p *Process, reason, state etf.Term)
	// CodeChange converts the state when the server's code is replaced:
	// the new state, or an error that leaves the old code running.
	CodeChange(p *Process, oldVsn, state, extra etf.Term) (etf.Term, error)
}

// Defaults implements the optional callbacks of [Behaviour] as Elixir's
// `use GenServer` does: calls and casts stop the server with
// {bad_call, Request} and {bad_cast, Msg}, other messages are logged and
// dropped, a continue stops it with {bad_continue, Continue}, Terminate
// does nothing and CodeChange keeps the state.
type Defaults struct{}

// HandleCall stops the server with {bad_call, Request}.
func (Defaults) HandleCall(_ *Process, req etf.Term, _ From, state etf.Term) Result {
	return Stop(etf.Tuple{etf.Atom("bad_call"), req}, state)
}

// HandleCast stops the server with {bad_cast, Msg}.
func (Defaults) HandleCast(_ *Process, msg, state etf.Term) Result {
	return Stop(etf.Tuple{etf.Atom("bad_cast"), msg}, state)
}

// HandleInfo logs msg and keeps the state.
func (Defaults) HandleInfo(p *Process, msg, state etf.Term) Result {
	p.node.log.Warn("host: unexpected message", "pid", p.pid, "msg", msg)
	return NoReply(state)
}

// HandleContinue stops the server with {bad_continue, Continue}.
func (Defaults) HandleContinue(_ *Process, cont, state etf.Term) Result {
	return Stop(etf.Tuple{etf.Atom("bad_continue"), cont}, state)
}

// Terminate does nothing.
func (Defaults) Terminate(*Process, etf.Term, etf.Term) {}

// CodeChange keeps the state.
func (Defaults) CodeChange(_ *Process, _, state, _ etf.Term) (etf.Term, error) {
	return state, nil
}

// From is the caller of a gen_server call, OTP's {Pid, Tag}: pass it to
// [Process.Reply] to answer, now or later. Calls made since OTP 24,
// creo's included, are tagged [alias | Ref], and the reply goes to the
// alias. A From made on this node holds the alias and builds the tag
// only when asked.
type From struct {
	pid   etf.Pid
	alias etf.Ref  // the Ref of a tag [alias | Ref]
	tag   etf.Term // any other tag, as it came; nil when the tag is the alias
}

// newFrom returns the From of pid and tag.
func newFrom(pid etf.Pid, tag etf.Term) From {
	if ref, ok := aliasTagRef(tag); ok {
		return From{pid: pid, alias: ref}
	}
	return From{pid: pid, tag: tag}
}

// Pid returns the caller's pid.
func (f From) Pid() etf.Pid { return f.pid }

// Tag returns the call's tag.
func (f From) Tag() etf.Term {
	if f.tag != nil {
		return f.tag
	}
	return aliasTag(f.alias)
}

// Term returns {Pid, Tag}.
func (f From) Term() etf.Term { return etf.Tuple{f.pid, f.Tag()} }

// FromTerm parses {Pid, Tag}, decoded or an etf.Raw.
func FromTerm(t etf.Term) (From, bool) {
	tup, ok := decoded(t).(etf.Tuple)
	if !ok || len(tup) != 2 {
		return From{}, false
	}
	pid, ok := tup[0].(etf.Pid)
	if !ok {
		return From{}, false
	}
	return newFrom(pid, tup[1]), true
}

var aliasElems = []etf.Term{etf.Atom("alias")}

// aliasTag returns the tag [alias | Ref] of a call made with alias ref.
func aliasTag(ref etf.Ref) etf.Term {
	return etf.ImproperList{Elems: aliasElems, Tail: ref}
}

// aliasTagRef returns Ref when tag is [alias | Ref].
func aliasTagRef(tag etf.Term) (etf.Ref, bool) {
	l, ok := tag.(etf.ImproperList)
	if !ok || len(l.Elems) != 1 || l.Elems[0] != etf.Atom("alias") {
		return etf.Ref{}, false
	}
	ref, ok := l.Tail.(etf.Ref)
	return ref, ok
}

// ResultKind says which of OTP's return values a [Result] is.
type ResultKind uint8

// The kinds of [Result]. The zero value is not a valid result.
const (
	KindOk      ResultKind = iota + 1 // {ok, State}, from Init
	KindIgnore                        // ignore, from Init
	KindReply                         // {reply, Reply, State}
	KindNoReply                       // {noreply, State}
	KindStop                          // {stop, Reason, State}, {stop, Reason, Reply, State}, {stop, Reason}
)

// String returns the atom that heads the kind's tuple.
func (k ResultKind) String() string {
	switch k {
	case KindOk:
		return "ok"
	case KindIgnore:
		return "ignore"
	case KindReply:
		return "reply"
	case KindNoReply:
		return "noreply"
	case KindStop:
		return "stop"
	}
	return "invalid"
}

// Result is what a callback returns: one of OTP's return values, built
// with [Ok], [Ignore], [Reply], [NoReply], [Stop] or [StopReply], and
// optionally followed by an action: [Result.WithTimeout],
// [Result.Hibernate] or [Result.Continue].
type Result struct {
	Kind   ResultKind
	State  etf.Term
	Reply  etf.Term // for KindReply, and KindStop with a reply; nil otherwise
	Reason etf.Term // for KindStop
	Action Action
	// release, when set, gives back the memory Reply lies in once the
	// reply is written to a peer (see Node.replyThen): a Wasm server's
	// large reply, which nothing else refers to.
	release func()
}

// Action is what may follow the state in a Result: a timeout, hibernate,
// or {continue, Continue}. The zero Action is infinity: wait for the next
// message however long it takes.
type Action struct {
	Kind     ActionKind
	Timeout  time.Duration // for ActionTimeout
	Continue etf.Term      // for ActionContinue
}

// ActionKind says which [Action] a Result carries.
type ActionKind uint8

// The kinds of [Action].
const (
	ActionNone ActionKind = iota
	ActionTimeout
	ActionHibernate
	ActionContinue
)

// Ok returns {ok, State}, Init's success.
func Ok(state etf.Term) Result { return Result{Kind: KindOk, State: state} }

// Ignore returns ignore: Init declines to start, without error.
func Ignore() Result { return Result{Kind: KindIgnore} }

// Reply returns {reply, Reply, State}.
func Reply(reply, state etf.Term) Result {
	return Result{Kind: KindReply, Reply: reply, State: state}
}

// NoReply returns {noreply, State}.
func NoReply(state etf.Term) Result { return Result{Kind: KindNoReply, State: state} }

// Stop returns {stop, Reason, State}, or {stop, Reason} from Init (state
// nil).
func Stop(reason, state etf.Term) Result {
	return Result{Kind: KindStop, Reason: reason, State: state}
}

// StopReply returns {stop, Reason, Reply, State}: the server replies, then
// stops.
func StopReply(reason, reply, state etf.Term) Result {
	return Result{Kind: KindStop, Reason: reason, Reply: reply, State: state}
}

// WithTimeout adds a timeout: if no message arrives within d, HandleInfo
// gets the atom timeout.
func (r Result) WithTimeout(d time.Duration) Result {
	r.Action = Action{Kind: ActionTimeout, Timeout: d}
	return r
}

// Hibernate adds hibernate: the process releases what it can while it
// waits.
func (r Result) Hibernate() Result {
	r.Action = Action{Kind: ActionHibernate}
	return r
}

// Continue adds {continue, Continue}: HandleContinue runs before the next
// message.
func (r Result) Continue(cont etf.Term) Result {
	r.Action = Action{Kind: ActionContinue, Continue: cont}
	return r
}

// Term returns the result as the OTP tuple it stands for.
func (r Result) Term() etf.Term {
	var t etf.Tuple
	switch r.Kind {
	case KindIgnore:
		return etf.Atom("ignore")
	case KindOk, KindNoReply:
		t = etf.Tuple{etf.Atom(r.Kind.String()), r.State}
	case KindReply:
		t = etf.Tuple{etf.Atom("reply"), r.Reply, r.State}
	case KindStop:
		t = etf.Tuple{etf.Atom("stop"), r.Reason}
		if r.Reply != nil {
			t = append(t, r.Reply)
		}
		if r.State != nil {
			t = append(t, r.State)
		}
	default:
		return etf.Atom("invalid_result")
	}
	switch r.Action.Kind {
	case ActionTimeout:
		t = append(t, etf.Int(r.Action.Timeout.Milliseconds()))
	case ActionHibernate:
		t = append(t, etf.Atom("hibernate"))
	case ActionContinue:
		t = append(t, etf.Tuple{etf.Atom("continue"), r.Action.Continue})
	}
	return t
}
