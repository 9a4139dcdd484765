package host

import "github.com/creo-dev/creo/etf"

// OneForAll restarts every child when one ends: the others are terminated
// in the reverse of their start order, then all are started again in
// order. Temporary children that were terminated are not restarted.
var OneForAll Strategy = oneForAll{}

type oneForAll struct{}

var _ Strategy = oneForAll{}

func (oneForAll) name() etf.Atom { return "one_for_all" }

func (oneForAll) group(cs *children, _ *child) []*child {
	group := make([]*child, 0, cs.len)
	for c := cs.head; c != nil; c = c.next {
		group = append(group, c)
	}
	return group
}

func (oneForAll) dynamic() bool { return false }
