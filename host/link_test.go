package host

import (
	"errors"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// TestExitSignals checks OTP's rules for a process that receives an exit
// signal, by a link or by exit/2, trapping exits or not.
func TestExitSignals(t *testing.T) {
	const (
		dies = iota
		traps
		ignores
	)
	boom := etf.Atom("boom")
	for _, tc := range []struct {
		name     string
		trap     bool
		link     bool // the signal comes from a linked process that ends
		fromSelf bool // exit/2 sent by the process to itself
		reason   etf.Term
		outcome  int
		died     etf.Term // the reason it dies with
	}{
		{name: "link abnormal kills", link: true, reason: boom, outcome: dies, died: boom},
		{name: "link normal is ignored", link: true, reason: Normal, outcome: ignores},
		{name: "link kill is an ordinary reason", link: true, reason: Kill, outcome: dies, died: Kill},
		{name: "link abnormal trapped", trap: true, link: true, reason: boom, outcome: traps},
		{name: "link normal trapped", trap: true, link: true, reason: Normal, outcome: traps},
		{name: "link kill trapped", trap: true, link: true, reason: Kill, outcome: traps},
		{name: "exit2 abnormal kills", reason: boom, outcome: dies, died: boom},
		{name: "exit2 normal is ignored", reason: Normal, outcome: ignores},
		{name: "exit2 normal to self kills", fromSelf: true, reason: Normal, outcome: dies, died: Normal},
		{name: "exit2 kill kills as killed", reason: Kill, outcome: dies, died: Killed},
		{name: "exit2 kill kills a trapping process", trap: true, reason: Kill, outcome: dies, died: Killed},
		{name: "exit2 abnormal trapped", trap: true, reason: boom, outcome: traps},
		{name: "exit2 normal trapped", trap: true, reason: Normal, outcome: traps},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := testNode(t)
			// sender ends with the reason (link) or sends exit/2 on a cast.
			sender, err := n.Start(&fake{cast: func(p *Process, to, s etf.Term) Result {
				if tc.link {
					return Stop(tc.reason, s)
				}
				p.Exit(to.(etf.Pid), tc.reason)
				return NoReply(s)
			}}, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			target := startProbe(t, n, func(p *Process) {
				p.TrapExit(tc.trap)
				if tc.link {
					if err := p.Link(sender); err != nil {
						t.Error(err)
					}
				}
			})
			died := watch(t, n, target.pid)
			senderDied := watch(t, n, sender)
			from := sender
			if tc.fromSelf {
				n.procs.lookup(target.pid.ID, target.pid.Serial).Exit(target.pid, tc.reason)
				from = target.pid
			} else {
				n.Cast(sender, target.pid)
			}
			switch tc.outcome {
			case dies:
				if got := died(); !etf.Equal(got, tc.died) {
					t.Fatalf("died with %v, want %v", got, tc.died)
				}
			case traps:
				target.expect(t, etf.Tuple{etf.Atom("EXIT"), from, tc.reason})
			case ignores:
				if tc.link {
					senderDied()
				}
				target.expectNothingBefore(t, n)
				if !alive(n, target.pid) {
					t.Fatal("target died")
				}
			}
		})
	}
}

func TestLinkToMissingProcess(t *testing.T) {
	n := testNode(t)
	dead := startProbe(t, n, nil).pid
	kill(t, n, dead)
	for _, tc := range []struct {
		name string
		trap bool
	}{
		{"not trapping fails with noproc", false},
		{"trapping gets an EXIT message", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			pr := startProbe(t, n, func(p *Process) {
				p.TrapExit(tc.trap)
				err = p.Link(dead)
			})
			if tc.trap {
				if err != nil {
					t.Fatalf("Link = %v", err)
				}
				pr.expect(t, etf.Tuple{etf.Atom("EXIT"), dead, Noproc})
				return
			}
			if !errors.Is(err, ErrNoproc) {
				t.Fatalf("Link = %v, want noproc", err)
			}
		})
	}
}

func TestUnlinkStopsSignals(t *testing.T) {
	n := testNode(t)
	other := startProbe(t, n, nil)
	pr := startProbe(t, n, func(p *Process) {
		p.TrapExit(true)
		if err := p.Link(other.pid); err != nil {
			t.Error(err)
		}
		p.Unlink(other.pid)
	})
	kill(t, n, other.pid)
	pr.expectNothingBefore(t, n)
}

func TestLinksAreMutual(t *testing.T) {
	n := testNode(t)
	a := startProbe(t, n, func(p *Process) { p.TrapExit(true) })
	b := startProbe(t, n, func(p *Process) {
		p.TrapExit(true)
		if err := p.Link(a.pid); err != nil {
			t.Error(err)
		}
	})
	// a is linked to b although b made the link: b's end reaches a.
	n.Exit(b.pid, Kill)
	a.expect(t, etf.Tuple{etf.Atom("EXIT"), b.pid, Killed})
}

func TestExitPropagatesThroughChain(t *testing.T) {
	n := testNode(t)
	first := startProbe(t, n, nil)
	prev := first.pid
	var chain []etf.Pid
	for range 10 {
		link := prev
		pr := startProbe(t, n, func(p *Process) {
			if err := p.Link(link); err != nil {
				t.Error(err)
			}
		})
		chain = append(chain, pr.pid)
		prev = pr.pid
	}
	last := watch(t, n, chain[len(chain)-1])
	n.Exit(first.pid, etf.Atom("boom"))
	if got := last(); got != etf.Atom("boom") {
		t.Fatalf("last of the chain died with %v", got)
	}
}
