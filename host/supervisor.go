package host

import (
	"context"
	"time"

	"github.com/creo-dev/creo/etf"
)

// SupervisorSpec is what a supervisor's init returns in OTP: its flags and
// its children.
//
// Supervisors are OTP's: one_for_one, one_for_all, rest_for_one and
// simple_one_for_one ([Strategy], one per file); permanent, transient and
// temporary children; an intensity within a period, counted on an
// injectable clock, past which a supervisor terminates its children and
// exits with shutdown; a shutdown per child (brutal_kill, a timeout during
// which terminate runs, or infinity); children added and removed at run
// time. A restart that fails is retried through the supervisor's own
// mailbox, each try counting towards the intensity, so no goroutine ever
// sleeps. [Node.Boot] starts the node's own tree: creo_sup over
// creo_system_sup (the system processes) and creo_user_sup (the user
// servers, each under a transient supervisor of its own, which gives up
// alone).
type SupervisorSpec struct {
	// Strategy is OneForOne, OneForAll, RestForOne or SimpleOneForOne.
	Strategy Strategy
	// Intensity is the most restarts the supervisor makes within Period:
	// one more and it gives up, terminating its children and then itself
	// with reason shutdown, for its own supervisor to decide. OTP's
	// default is 1; zero means the first restart is one too many.
	Intensity int
	// Period is the window of Intensity; zero means OTP's default, 5 s.
	Period time.Duration
	// Children are started in order. A SimpleOneForOne supervisor has
	// exactly one, the template of the children StartDynamicChild starts.
	Children []ChildSpec
	// Now is the clock restarts are counted by; nil means time.Now.
	Now func() time.Time
}

// defaultPeriod is OTP's restart period.
const defaultPeriod = 5 * time.Second

// supervisor is the Behaviour of a supervisor process. Its state lives in
// Go; the state term the runtime holds only names the strategy, for
// sys:get_state.
type supervisor struct {
	Defaults
	spec     SupervisorSpec
	self     *Process
	children children
	restarts []time.Time // the restarts within the last period
	retrying bool        // a try_again_restart is in the mailbox
	// starting is the count of restarts of the child being started, which
	// the process the start links to is made with.
	starting int
}

// child is one child of a supervisor, running or not.
type child struct {
	spec       ChildSpec
	extra      etf.List // the arguments of StartDynamicChild
	pid        etf.Pid  // zero when not running
	restarting bool     // its restart failed and will be tried again
	restarts   int
	prev, next *child
}

var _ Behaviour = (*supervisor)(nil)

func (*supervisor) Module() etf.Atom { return "supervisor" }

// SupervisorStart returns a StartFunc that starts a supervisor with spec,
// as supervisor:start_link/2,3 does; use it for a child of Type
// Supervisor.
func SupervisorStart(spec SupervisorSpec, opts Options) StartFunc {
	return func(sup *Process, _ etf.List) (etf.Pid, error) {
		return sup.StartLink(&supervisor{spec: spec}, nil, opts)
	}
}

// StartSupervisor starts a supervisor with spec that no process links to,
// as supervisor:start/2,3 would.
func (n *Node) StartSupervisor(spec SupervisorSpec, opts Options) (etf.Pid, error) {
	return n.Start(&supervisor{spec: spec}, nil, opts)
}

// Init traps exits and starts the children in order. If one fails to
// start, those started are terminated and the supervisor fails with
// {shutdown, {failed_to_start_child, Id, Reason}}.
func (s *supervisor) Init(p *Process, _ etf.Term) Result {
	p.TrapExit(true)
	s.self = p
	if s.spec.Period <= 0 {
		s.spec.Period = defaultPeriod
	}
	if s.spec.Now == nil {
		s.spec.Now = time.Now
	}
	state := etf.Tuple{etf.Atom("supervisor"), s.spec.Strategy.name(), etf.Int(s.spec.Intensity), etf.Int(s.spec.Period.Milliseconds())}
	if s.spec.Strategy.dynamic() {
		if len(s.spec.Children) != 1 {
			return Stop(etf.Tuple{etf.Atom("bad_start_spec"), etf.Atom("simple_one_for_one needs one child spec")}, nil)
		}
		return Ok(state)
	}
	for _, spec := range s.spec.Children {
		c := &child{spec: spec}
		s.children.add(c)
		if err := s.start(c); err != nil {
			s.children.remove(c)
			s.terminateAll()
			return Stop(ShutdownWith(etf.Tuple{etf.Atom("failed_to_start_child"), spec.ID, ExitReason(err)}), nil)
		}
	}
	return Ok(state)
}

// start starts c. A child whose Init returned ignore stays not running; a
// temporary one, or one of a simple_one_for_one supervisor, is dropped.
func (s *supervisor) start(c *child) error {
	// The child is made with its count of restarts, so that the count is
	// right as soon as the child can be seen.
	s.starting = c.restarts
	pid, err := c.spec.Start(s.self, c.extra)
	s.starting = 0
	switch {
	case err == ErrIgnored:
		s.forgetStopped(c)
		return nil
	case err != nil:
		return err
	}
	s.children.run(c, pid)
	return nil
}

// HandleInfo restarts a child that exited, as its restart type and the
// strategy say.
func (s *supervisor) HandleInfo(p *Process, msg, state etf.Term) Result {
	kind, a, reason := classify(msg)
	if kind != msgExit {
		return NoReply(state)
	}
	c := s.children.byPid[a.(etf.Pid)]
	if c == nil {
		return NoReply(state)
	}
	s.children.stopped(c)
	if !IsClean(reason) {
		p.node.log.Error("host: child terminated", "supervisor", p.pid, "child", c.spec.ID, "pid", a, "reason", reason)
	}
	if !c.spec.Restart.restarts(reason) {
		s.forgetStopped(c)
		return NoReply(state)
	}
	return s.restart(state, c)
}

// forgetStopped drops c, which does not run, when it is temporary or a
// child of a simple_one_for_one supervisor: only the others keep their
// spec when they are not running.
func (s *supervisor) forgetStopped(c *child) {
	if c.spec.Restart == Temporary || s.spec.Strategy.dynamic() {
		s.children.remove(c)
	}
}

// restart restarts c and the children its strategy takes down with it,
// unless that is one restart too many.
func (s *supervisor) restart(state etf.Term, c *child) Result {
	if !s.addRestart() {
		s.self.node.log.Error("host: supervisor reached max restart intensity", "supervisor", s.self.pid, "child", c.spec.ID)
		return Stop(Shutdown, state)
	}
	group := s.spec.Strategy.group(&s.children, c)
	for i := len(group) - 1; i >= 0; i-- {
		if g := group[i]; g != c && g.pid != (etf.Pid{}) {
			s.shutdown(g)
			s.children.stopped(g)
		}
	}
	for _, g := range group {
		if g.spec.Restart == Temporary && g != c {
			s.children.remove(g)
			continue
		}
		g.restarts++
		g.restarting = true
	}
	s.startRestarting()
	return NoReply(state)
}

// startRestarting starts the children waiting for a restart, in order,
// and asks for another try if one fails, so that a failing child never
// makes the supervisor wait or sleep.
func (s *supervisor) startRestarting() {
	for c := s.children.head; c != nil; {
		next := c.next
		if c.restarting {
			if err := s.start(c); err != nil {
				s.self.node.log.Error("host: child restart failed", "supervisor", s.self.pid, "child", c.spec.ID, "reason", ExitReason(err))
				if !s.retrying {
					s.retrying = true
					s.self.Cast(s.self.pid, atomTryAgain)
				}
				return
			}
			c.restarting = false
		}
		c = next
	}
}

// atomTryAgain is the cast a supervisor sends itself to retry a restart
// that failed, as OTP's try_again_restart.
const atomTryAgain etf.Atom = "try_again_restart"

// HandleCast retries the restarts that failed; each try counts towards
// the restart intensity.
func (s *supervisor) HandleCast(p *Process, msg, state etf.Term) Result {
	if msg != atomTryAgain {
		return NoReply(state)
	}
	s.retrying = false
	if !s.addRestart() {
		p.node.log.Error("host: supervisor reached max restart intensity", "supervisor", p.pid)
		return Stop(Shutdown, state)
	}
	s.startRestarting()
	return NoReply(state)
}

// addRestart counts a restart and reports whether it stays within the
// intensity: at most Intensity restarts in the last Period.
func (s *supervisor) addRestart() bool {
	now := s.spec.Now()
	kept := s.restarts[:0]
	for _, t := range s.restarts {
		if now.Sub(t) <= s.spec.Period {
			kept = append(kept, t)
		}
	}
	s.restarts = append(kept, now)
	return len(s.restarts) <= s.spec.Intensity
}

// Terminate shuts the children down, in the reverse of their start order,
// or all at once for a simple_one_for_one supervisor, as OTP does.
func (s *supervisor) Terminate(*Process, etf.Term, etf.Term) {
	s.terminateAll()
}

func (s *supervisor) terminateAll() {
	if s.spec.Strategy.dynamic() {
		s.shutdownAll()
		return
	}
	for c := s.children.tail; c != nil; c = c.prev {
		if c.pid != (etf.Pid{}) {
			s.shutdown(c)
			s.children.stopped(c)
		}
	}
}

// shutdown stops a running child as OTP's supervisor does: it unlinks
// and monitors it, sends it the exit signal shutdown (or kill for
// BrutalKill), and kills it if it has not ended when its Shutdown time is
// up. It returns the child's exit reason.
func (s *supervisor) shutdown(c *child) etf.Term {
	reasons := s.stopAll([]*child{c}, c.spec.shutdown())
	return reasons[0]
}

// shutdownAll stops every running child at once, each given the
// template's shutdown time.
func (s *supervisor) shutdownAll() {
	var running []*child
	for c := s.children.head; c != nil; c = c.next {
		if c.pid != (etf.Pid{}) {
			running = append(running, c)
		}
	}
	if len(running) == 0 {
		return
	}
	s.stopAll(running, s.spec.Children[0].shutdown())
	for _, c := range running {
		s.children.stopped(c)
	}
}

// stopAll stops cs, which are running, and waits for their ends; it
// returns their exit reasons in order.
func (s *supervisor) stopAll(cs []*child, timeout time.Duration) []etf.Term {
	p := s.self
	n := p.node
	refs := make([]etf.Ref, len(cs))
	reasons := make([]etf.Term, len(cs))
	for i := range cs {
		refs[i] = n.makeRef(p)
	}
	p.startWait(refs...)
	defer p.stopWait()
	signal := Shutdown
	if timeout == BrutalKill {
		signal = Kill
	}
	for i, c := range cs {
		p.monitor(refs[i], destination{pid: c.pid, node: c.pid.Node})
		p.Unlink(c.pid)
		// A child that died before the unlink left its EXIT behind: it is
		// consumed here, and the DOWN still comes.
		p.takeExit(c.pid)
		p.Exit(c.pid, signal)
	}
	var expired <-chan time.Time
	if timeout >= 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	for left := len(cs); left > 0; left-- {
		a, err := p.await(context.Background(), expired)
		if err == ErrTimeout {
			for i, c := range cs {
				if reasons[i] == nil {
					p.Exit(c.pid, Kill)
				}
			}
			expired = nil
			a, err = p.await(context.Background(), nil)
		}
		if err != nil {
			// The supervisor itself is being killed: its links take the
			// children down.
			return reasons
		}
		for i := range refs {
			if refs[i] == a.ref {
				reasons[i] = a.reason
			}
		}
	}
	return reasons
}

// takeExit removes the {'EXIT', Pid, Reason} message of pid from the
// mailbox, if there is one, and returns its reason.
func (p *Process) takeExit(pid etf.Pid) (etf.Term, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	i := p.mail.find(func(x any) bool {
		t, ok := x.(etf.Tuple)
		return ok && len(t) == 3 && t[0] == atomExit && t[1] == pid
	})
	if i < 0 {
		return nil, false
	}
	return p.mail.removeAt(i).(etf.Tuple)[2], true
}
