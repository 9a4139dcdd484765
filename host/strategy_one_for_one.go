package host

import "github.com/creo-dev/creo/etf"

// OneForOne restarts only the child that ended.
var OneForOne Strategy = oneForOne{}

type oneForOne struct{}

var _ Strategy = oneForOne{}

func (oneForOne) name() etf.Atom { return "one_for_one" }

func (oneForOne) group(_ *children, c *child) []*child { return []*child{c} }

func (oneForOne) dynamic() bool { return false }
