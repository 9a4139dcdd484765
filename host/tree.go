package host

import (
	"context"
	"errors"
	"time"

	"github.com/creo-dev/creo/etf"
)

// The registered names of the node's own supervisors.
const (
	// RootSupervisor supervises SystemSupervisor and UserSupervisor.
	RootSupervisor etf.Atom = "creo_sup"
	// SystemSupervisor supervises the system processes: net_kernel,
	// global, the rpc handler, the creo manager.
	SystemSupervisor etf.Atom = "creo_system_sup"
	// UserSupervisor supervises the user servers, each under a supervisor
	// of its own (see StartUserServer).
	UserSupervisor etf.Atom = "creo_user_sup"
)

// treeIntensity bounds the restarts of the node's own supervisors: a
// system process that crashes three times within five seconds takes the
// system supervisor down with it, and the root restarts it.
const (
	treeIntensity = 3
	treePeriod    = 5 * time.Second
)

// Boot starts the node's supervision tree: the root supervisor, then
// under it the system supervisor, which starts system in order, and the
// user supervisor. User servers go under the user supervisor, each in a
// supervisor of its own that gives up alone, so that no user server can
// take the node down. Done is closed when the root ends.
func (n *Node) Boot(system ...ChildSpec) error {
	n.done = make(chan struct{})
	root := SupervisorSpec{Strategy: OneForOne, Intensity: treeIntensity, Period: treePeriod, Children: []ChildSpec{
		{ID: SystemSupervisor, Type: Supervisor, Start: SupervisorStart(SupervisorSpec{
			Strategy: OneForOne, Intensity: treeIntensity, Period: treePeriod, Children: system,
		}, Options{Name: SystemSupervisor})},
		{ID: UserSupervisor, Type: Supervisor, Start: SupervisorStart(SupervisorSpec{
			Strategy: OneForOne, Intensity: treeIntensity, Period: treePeriod,
		}, Options{Name: UserSupervisor})},
	}}
	pid, err := n.StartSupervisor(root, Options{Name: RootSupervisor})
	if err != nil {
		close(n.done)
		return err
	}
	if _, err := n.Start(&closeOnDown{done: n.done}, pid, Options{}); err != nil {
		return err
	}
	return nil
}

// Done returns a channel that is closed when the node's root supervisor
// has ended: the node is down. Boot makes it.
func (n *Node) Done() <-chan struct{} { return n.done }

// Shutdown stops the supervision tree as an OTP node stops: the user
// servers first, then the system processes, each child in the reverse of
// its start order and within its shutdown time. It returns when the tree
// is down, or ctx's error.
func (n *Node) Shutdown(ctx context.Context) error {
	_, err := n.systemRequest(ctx, RootSupervisor, etf.Tuple{etf.Atom("terminate"), Shutdown})
	if err != nil && !errors.Is(err, ErrNoproc) {
		return err
	}
	select {
	case <-n.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// closeOnDown closes done when the process it monitors ends.
type closeOnDown struct {
	Defaults
	done chan struct{}
}

func (c *closeOnDown) Init(p *Process, target etf.Term) Result {
	if _, err := p.Monitor(target); err != nil {
		return Stop(ExitReason(err), nil)
	}
	return Ok(nil)
}

func (c *closeOnDown) HandleInfo(*Process, etf.Term, etf.Term) Result {
	close(c.done)
	return Stop(Normal, nil)
}

// StartUserServer starts a user server under the user supervisor, in a
// supervisor of its own with the given restart intensity (within period)
// and returns the server's pid. When the server crashes past that
// intensity its supervisor gives up and stops, alone: the server's
// siblings and the node carry on. spec.ID names the server among the user
// servers.
//
// Once the start is handed to the user supervisor, StartUserServer waits
// for its outcome even past the end of ctx, as supervisor:start_child
// waits: the supervisor goes on with a start whether its caller waits or
// not, and a caller that stopped waiting would be told of no server while
// one runs. The server's init bounds the wait (a Wasm server's by its
// deadline).
func (n *Node) StartUserServer(ctx context.Context, spec ChildSpec, intensity int, period time.Duration) (etf.Pid, error) {
	ctx = context.WithoutCancel(ctx)
	own := SupervisorSpec{Strategy: OneForOne, Intensity: intensity, Period: period, Children: []ChildSpec{spec}}
	sup, err := n.StartChild(ctx, UserSupervisor, ChildSpec{
		ID: spec.ID, Type: Supervisor, Restart: Transient, Start: SupervisorStart(own, Options{}),
	})
	if err != nil {
		return etf.Pid{}, err
	}
	children, err := n.WhichChildren(ctx, sup)
	if err != nil {
		return etf.Pid{}, err
	}
	if children[0].Pid == (etf.Pid{}) {
		return etf.Pid{}, errors.Join(ErrIgnored, n.StopUserServer(ctx, spec.ID))
	}
	return children[0].Pid, nil
}

// StopUserServer stops the user server id and forgets it.
func (n *Node) StopUserServer(ctx context.Context, id etf.Term) error {
	if err := n.TerminateChild(ctx, UserSupervisor, id); err != nil {
		return err
	}
	return n.DeleteChild(ctx, UserSupervisor, id)
}
