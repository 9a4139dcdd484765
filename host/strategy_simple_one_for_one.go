package host

import "github.com/creo-dev/creo/etf"

// SimpleOneForOne is OneForOne for children of one kind, started at run
// time by StartDynamicChild from the supervisor's one child spec, named by
// their pids, and shut down all at once when the supervisor terminates.
var SimpleOneForOne Strategy = simpleOneForOne{}

// simpleOneForOne restarts as oneForOne does.
type simpleOneForOne struct{ oneForOne }

var _ Strategy = simpleOneForOne{}

func (simpleOneForOne) name() etf.Atom { return "simple_one_for_one" }

func (simpleOneForOne) dynamic() bool { return true }
