package host

import (
	"errors"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

func TestSendAfter(t *testing.T) {
	n := testNode(t)
	pr := startProbe(t, n, nil)
	if err := n.Register("late", pr.pid); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		dest etf.Term
	}{
		{"to a pid", pr.pid},
		{"to a name", etf.Atom("late")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := etf.Binary(tc.name)
			if _, err := n.SendAfter(tc.dest, msg, time.Millisecond); err != nil {
				t.Fatal(err)
			}
			pr.expect(t, msg)
		})
	}
	_, err := n.SendAfter(etf.Tuple{etf.Atom("late"), n.Name()}, etf.Atom("x"), 0)
	if !errors.Is(err, ErrBadarg) {
		t.Fatalf("SendAfter to {Name, Node} = %v, want badarg", err)
	}
}

func TestCancelTimer(t *testing.T) {
	n := testNode(t)
	pr := startProbe(t, n, nil)
	proc := n.process(pr.pid)
	ref, err := proc.SendAfter(pr.pid, etf.Atom("never"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	left, ok := proc.CancelTimer(ref)
	if !ok || left <= 0 || left > time.Hour {
		t.Fatalf("CancelTimer = %v, %v", left, ok)
	}
	if _, ok := n.CancelTimer(ref); ok {
		t.Fatal("a timer cancelled twice")
	}
	fired, err := n.SendAfter(pr.pid, etf.Atom("fired"), 0)
	if err != nil {
		t.Fatal(err)
	}
	pr.expect(t, etf.Atom("fired"))
	if _, ok := n.CancelTimer(fired); ok {
		t.Fatal("cancelled a timer that had fired")
	}
	pr.expectNothingBefore(t, n)
}
