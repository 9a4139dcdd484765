package host

import "github.com/creo-dev/creo/etf"

// Strategy is a supervisor's restart strategy: [OneForOne], [OneForAll],
// [RestForOne] or [SimpleOneForOne].
type Strategy interface {
	name() etf.Atom
	// group returns the children that go down and come back when c must
	// be restarted, c included, in start order.
	group(cs *children, c *child) []*child
	// dynamic reports whether children are started at run time from one
	// template, with no IDs: simple_one_for_one.
	dynamic() bool
}
