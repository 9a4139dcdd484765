package host

import "github.com/creo-dev/creo/etf"

// RestForOne restarts the child that ended and the children started after
// it, which are terminated first in the reverse of their start order.
var RestForOne Strategy = restForOne{}

type restForOne struct{}

var _ Strategy = restForOne{}

func (restForOne) name() etf.Atom { return "rest_for_one" }

func (restForOne) group(_ *children, c *child) []*child {
	var group []*child
	for ; c != nil; c = c.next {
		group = append(group, c)
	}
	return group
}

func (restForOne) dynamic() bool { return false }
