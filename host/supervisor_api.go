package host

import (
	"context"

	"github.com/creo-dev/creo/etf"
)

// The reasons supervisor operations fail with, as OTP's supervisor gives
// them in {error, Reason}.
var (
	errNotFound        = &ExitError{Reason: etf.Atom("not_found")}
	errRunning         = &ExitError{Reason: etf.Atom("running")}
	errRestarting      = &ExitError{Reason: etf.Atom("restarting")}
	errAlreadyPresent  = &ExitError{Reason: etf.Atom("already_present")}
	errSimpleOneForOne = &ExitError{Reason: etf.Atom("simple_one_for_one")}
)

func alreadyStarted(pid etf.Pid) error {
	return &ExitError{Reason: etf.Tuple{etf.Atom("already_started"), pid}}
}

// onSupervisor runs f inside the supervisor sup, between its messages.
func onSupervisor[T any](ctx context.Context, n *Node, sup etf.Term, f func(*supervisor) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	v, err := n.exec(ctx, sup, func(p *Process) any {
		s, ok := p.behaviour.(*supervisor)
		if !ok {
			return result{err: ErrBadarg}
		}
		v, err := f(s)
		return result{v, err}
	})
	if err != nil {
		var zero T
		return zero, err
	}
	r := v.(result)
	return r.v, r.err
}

// StartChild adds a child to the supervisor sup and starts it, as
// supervisor:start_child/2 does. It fails with {already_started, Pid} or
// already_present when a child has the same ID, and with the child's
// reason when it fails to start; it returns ErrIgnored, keeping the spec,
// when the child's Init returned ignore.
func (n *Node) StartChild(ctx context.Context, sup etf.Term, spec ChildSpec) (etf.Pid, error) {
	return onSupervisor(ctx, n, sup, func(s *supervisor) (etf.Pid, error) { return s.startChild(spec) })
}

func (s *supervisor) startChild(spec ChildSpec) (etf.Pid, error) {
	if s.spec.Strategy.dynamic() {
		return etf.Pid{}, ErrBadarg
	}
	if c := s.children.byID(spec.ID); c != nil {
		if c.pid != (etf.Pid{}) {
			return etf.Pid{}, alreadyStarted(c.pid)
		}
		return etf.Pid{}, errAlreadyPresent
	}
	c := &child{spec: spec}
	s.children.add(c)
	return s.startNew(c)
}

// startNew starts a child just added; one that fails to start is dropped.
func (s *supervisor) startNew(c *child) (etf.Pid, error) {
	if err := s.start(c); err != nil {
		s.children.remove(c)
		return etf.Pid{}, err
	}
	if c.pid == (etf.Pid{}) {
		return etf.Pid{}, ErrIgnored
	}
	return c.pid, nil
}

// StartDynamicChild starts a child of the simple_one_for_one supervisor
// sup from its child spec, with extra appended to its start arguments, as
// supervisor:start_child/2 does with a list.
func (n *Node) StartDynamicChild(ctx context.Context, sup etf.Term, extra etf.List) (etf.Pid, error) {
	return onSupervisor(ctx, n, sup, func(s *supervisor) (etf.Pid, error) { return s.startDynamic(extra) })
}

func (s *supervisor) startDynamic(extra etf.List) (etf.Pid, error) {
	if !s.spec.Strategy.dynamic() {
		return etf.Pid{}, ErrBadarg
	}
	c := &child{spec: s.spec.Children[0], extra: extra}
	s.children.add(c)
	return s.startNew(c)
}

// TerminateChild stops the child id of sup, as supervisor:terminate_child/2
// does, keeping its spec unless it is temporary. The child of a
// simple_one_for_one supervisor is named by its pid, and forgotten.
func (n *Node) TerminateChild(ctx context.Context, sup, id etf.Term) error {
	_, err := onSupervisor(ctx, n, sup, func(s *supervisor) (struct{}, error) { return struct{}{}, s.terminateChild(id) })
	return err
}

func (s *supervisor) terminateChild(id etf.Term) error {
	if s.spec.Strategy.dynamic() {
		pid, ok := id.(etf.Pid)
		if !ok {
			return errSimpleOneForOne
		}
		c := s.children.byPid[pid]
		switch {
		case c != nil:
			s.shutdown(c)
			s.children.remove(c)
		case s.self.node.process(pid) != nil:
			return errNotFound
		}
		return nil
	}
	c := s.children.byID(id)
	if c == nil {
		return errNotFound
	}
	if c.pid != (etf.Pid{}) {
		s.shutdown(c)
		s.children.stopped(c)
	}
	c.restarting = false
	s.forgetStopped(c)
	return nil
}

// RestartChild starts again the child id of sup that TerminateChild
// stopped, as supervisor:restart_child/2 does.
func (n *Node) RestartChild(ctx context.Context, sup, id etf.Term) (etf.Pid, error) {
	return onSupervisor(ctx, n, sup, func(s *supervisor) (etf.Pid, error) { return s.restartChild(id) })
}

func (s *supervisor) restartChild(id etf.Term) (etf.Pid, error) {
	c, err := s.stoppedChild(id)
	if err != nil {
		return etf.Pid{}, err
	}
	if err := s.start(c); err != nil {
		return etf.Pid{}, err
	}
	if c.pid == (etf.Pid{}) {
		return etf.Pid{}, ErrIgnored
	}
	return c.pid, nil
}

// DeleteChild removes the spec of the stopped child id of sup, as
// supervisor:delete_child/2 does.
func (n *Node) DeleteChild(ctx context.Context, sup, id etf.Term) error {
	_, err := onSupervisor(ctx, n, sup, func(s *supervisor) (struct{}, error) { return struct{}{}, s.deleteChild(id) })
	return err
}

func (s *supervisor) deleteChild(id etf.Term) error {
	c, err := s.stoppedChild(id)
	if err == nil {
		s.children.remove(c)
	}
	return err
}

// stoppedChild returns the child id, which must exist and not run.
func (s *supervisor) stoppedChild(id etf.Term) (*child, error) {
	if s.spec.Strategy.dynamic() {
		return nil, errSimpleOneForOne
	}
	c := s.children.byID(id)
	switch {
	case c == nil:
		return nil, errNotFound
	case c.restarting:
		return nil, errRestarting
	case c.pid != (etf.Pid{}):
		return nil, errRunning
	}
	return c, nil
}

// WhichChildren describes the children of sup, as
// supervisor:which_children/1 does, in the same order: the child started
// last first, or in start order for a simple_one_for_one supervisor.
func (n *Node) WhichChildren(ctx context.Context, sup etf.Term) ([]ChildInfo, error) {
	return onSupervisor(ctx, n, sup, func(s *supervisor) ([]ChildInfo, error) { return s.whichChildren(), nil })
}

func (s *supervisor) whichChildren() []ChildInfo {
	infos := make([]ChildInfo, 0, s.children.len)
	info := func(c *child) ChildInfo {
		return ChildInfo{ID: c.spec.ID, Pid: c.pid, Restarting: c.restarting, Type: c.spec.Type, Modules: c.spec.Modules, Restarts: c.restarts}
	}
	if s.spec.Strategy.dynamic() {
		for c := s.children.head; c != nil; c = c.next {
			i := info(c)
			i.ID = nil
			infos = append(infos, i)
		}
		return infos
	}
	for c := s.children.tail; c != nil; c = c.prev {
		infos = append(infos, info(c))
	}
	return infos
}

// CountChildren counts the children of sup, as
// supervisor:count_children/1 does.
func (n *Node) CountChildren(ctx context.Context, sup etf.Term) (ChildCount, error) {
	return onSupervisor(ctx, n, sup, func(s *supervisor) (ChildCount, error) { return s.countChildren(), nil })
}

func (s *supervisor) countChildren() ChildCount {
	var count ChildCount
	for c := s.children.head; c != nil; c = c.next {
		count.Specs++
		if c.pid != (etf.Pid{}) {
			count.Active++
		}
		if c.spec.Type == Supervisor {
			count.Supervisors++
		} else {
			count.Workers++
		}
	}
	if s.spec.Strategy.dynamic() {
		count.Specs = 1
	}
	return count
}

// HandleCall answers the supervisor calls of OTP's supervisor module, so
// that Supervisor.which_children/1, count_children/1, terminate_child/2,
// restart_child/2, delete_child/2 and start_child/2 (with a list, for a
// simple_one_for_one supervisor) work from any node. A child spec sent
// from another node names Erlang code, which creo cannot run: start_child
// with one fails with notsup. Unknown calls get {error, {unknown_call,
// Request}}, where OTP's supervisor would crash.
func (s *supervisor) HandleCall(p *Process, req etf.Term, _ From, state etf.Term) Result {
	req = decoded(req)
	ok := etf.Atom("ok")
	switch req {
	case etf.Atom("which_children"):
		infos := s.whichChildren()
		l := make(etf.List, len(infos))
		for i, c := range infos {
			l[i] = c.term()
		}
		return Reply(l, state)
	case etf.Atom("count_children"):
		c := s.countChildren()
		return Reply(etf.List{
			etf.Tuple{etf.Atom("specs"), etf.Int(c.Specs)},
			etf.Tuple{etf.Atom("active"), etf.Int(c.Active)},
			etf.Tuple{etf.Atom("supervisors"), etf.Int(c.Supervisors)},
			etf.Tuple{etf.Atom("workers"), etf.Int(c.Workers)},
		}, state)
	}
	t, _ := req.(etf.Tuple)
	var reply etf.Term
	switch {
	case len(t) != 2:
	case t[0] == etf.Atom("terminate_child"):
		reply = errorOr(ok, s.terminateChild(t[1]))
	case t[0] == etf.Atom("delete_child"):
		reply = errorOr(ok, s.deleteChild(t[1]))
	case t[0] == etf.Atom("restart_child"):
		reply = startReply(s.restartChild(t[1]))
	case t[0] == etf.Atom("start_child"):
		extra, isList := t[1].(etf.List)
		if !isList || !s.spec.Strategy.dynamic() {
			reply = etf.Tuple{etf.Atom("error"), etf.Atom("notsup")}
			break
		}
		reply = startReply(s.startDynamic(extra))
	}
	if reply == nil {
		reply = etf.Tuple{etf.Atom("error"), etf.Tuple{etf.Atom("unknown_call"), req}}
	}
	return Reply(reply, state)
}

// errorOr returns {error, Reason} for err, else ok.
func errorOr(ok etf.Term, err error) etf.Term {
	if err != nil {
		return etf.Tuple{etf.Atom("error"), ExitReason(err)}
	}
	return ok
}

// startReply returns what start_child and restart_child reply: {ok, Pid},
// {ok, undefined} when the child's Init returned ignore, or
// {error, Reason}.
func startReply(pid etf.Pid, err error) etf.Term {
	if err == ErrIgnored {
		return etf.Tuple{etf.Atom("ok"), etf.Undefined}
	}
	return errorOr(etf.Tuple{etf.Atom("ok"), pid}, err)
}

// term returns the child as which_children lists it:
// {Id, Child, Type, Modules}.
func (c ChildInfo) term() etf.Term {
	var id, pid etf.Term = c.ID, c.Pid
	switch {
	case c.Restarting:
		pid = etf.Atom("restarting")
	case c.Pid == (etf.Pid{}):
		pid = etf.Undefined
	}
	if id == nil {
		id = etf.Undefined
	}
	modules := make(etf.List, len(c.Modules))
	for i, m := range c.Modules {
		modules[i] = m
	}
	return etf.Tuple{id, pid, etf.Atom(c.Type.String()), modules}
}
