package host

import (
	"errors"
	"sync"
	"testing"

	"github.com/creo-dev/creo/etf"
)

func TestPidsCarryNodeAndCreation(t *testing.T) {
	n := testNode(t)
	seen := map[etf.Pid]bool{}
	for range 100 {
		pr := startProbe(t, n, nil)
		if pr.pid.Node != n.Name() || pr.pid.Creation != n.Creation() {
			t.Fatalf("pid %v lacks the node's name or creation", pr.pid)
		}
		if seen[pr.pid] {
			t.Fatalf("pid %v handed out twice", pr.pid)
		}
		seen[pr.pid] = true
		kill(t, n, pr.pid)
	}
}

func TestReusedSlotGetsNewSerial(t *testing.T) {
	n := testNode(t)
	old := startProbe(t, n, nil).pid
	kill(t, n, old)
	next := startProbe(t, n, nil)
	if next.pid.ID != old.ID || next.pid.Serial == old.Serial {
		t.Fatalf("old %v, new %v: want the same slot with a new serial", old, next.pid)
	}
	if err := n.Send(old, etf.Atom("stale")); err != nil {
		t.Fatal(err)
	}
	next.expectNothingBefore(t, n)
}

func TestRegister(t *testing.T) {
	n := testNode(t)
	a := startProbe(t, n, nil)
	b := startProbe(t, n, nil)
	dead := startProbe(t, n, nil)
	kill(t, n, dead.pid)
	for _, tc := range []struct {
		name string
		do   func() error
		want error
	}{
		{"register a free name", func() error { return n.Register("a", a.pid) }, nil},
		{"a taken name", func() error { return n.Register("a", b.pid) }, ErrBadarg},
		{"a second name", func() error { return n.Register("a2", a.pid) }, ErrBadarg},
		{"a dead process", func() error { return n.Register("d", dead.pid) }, ErrBadarg},
		{"undefined", func() error { return n.Register("undefined", b.pid) }, ErrBadarg},
		{"unregister", func() error { return n.Unregister("a") }, nil},
		{"unregister twice", func() error { return n.Unregister("a") }, ErrBadarg},
		{"register again", func() error { return n.Register("a", b.pid) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.do(); !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	if pid, ok := n.Whereis("a"); !ok || pid != b.pid {
		t.Fatalf("Whereis(a) = %v, %v", pid, ok)
	}
}

func TestSend(t *testing.T) {
	n := testNode(t)
	pr := startProbe(t, n, nil)
	if err := n.Register("target", pr.pid); err != nil {
		t.Fatal(err)
	}
	var alias etf.Ref
	if _, err := n.exec(ctx(t), pr.pid, func(p *Process) any { alias = p.Alias(); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		to      etf.Term
		want    error
		arrives bool
	}{
		{"pid", pr.pid, nil, true},
		{"name", etf.Atom("target"), nil, true},
		{"name and node", etf.Tuple{etf.Atom("target"), n.Name()}, nil, true},
		{"alias", alias, nil, true},
		{"unregistered name is badarg", etf.Atom("nosuch"), ErrBadarg, false},
		{"unregistered name and node is dropped", etf.Tuple{etf.Atom("nosuch"), n.Name()}, nil, false},
		{"not a destination is badarg", etf.Binary("x"), ErrBadarg, false},
		{"an alias of nobody is dropped", n.MakeRef(), nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := etf.Tuple{etf.Atom("msg"), etf.Binary(tc.name)}
			if err := n.Send(tc.to, msg); !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("Send = %v, want %v", err, tc.want)
			}
			if tc.arrives {
				pr.expect(t, msg)
			}
			pr.expectNothingBefore(t, n)
		})
	}
	if _, err := n.exec(ctx(t), pr.pid, func(p *Process) any { return p.Unalias(alias) }); err != nil {
		t.Fatal(err)
	}
	if err := n.Send(alias, etf.Atom("late")); err != nil {
		t.Fatal(err)
	}
	pr.expectNothingBefore(t, n)
}

// TestOrderPerSender hammers one process with messages from many senders
// at once: each sender's messages must arrive in the order it sent them.
func TestOrderPerSender(t *testing.T) {
	n := testNode(t)
	const senders, perSender = 8, 2000
	pr := startProbe(t, n, nil)
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perSender {
				if err := n.Send(pr.pid, etf.Tuple{etf.Int(s), etf.Int(i)}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	next := make([]etf.Int, senders)
	for range senders * perSender {
		m := pr.recv(t).(etf.Tuple)
		s, i := m[0].(etf.Int), m[1].(etf.Int)
		if i != next[s] {
			t.Fatalf("sender %d: got %d, want %d", s, i, next[s])
		}
		next[s]++
	}
	wg.Wait()
}

func TestMailbox(t *testing.T) {
	var m mailbox
	for round := range 3 {
		for i := range 100 {
			m.push(i)
		}
		if m.len() != 100 {
			t.Fatalf("len = %d", m.len())
		}
		if x := m.removeAt(50); x != 50 {
			t.Fatalf("removeAt(50) = %v", x)
		}
		if i := m.find(func(x any) bool { return x == 51 }); i != 50 {
			t.Fatalf("find(51) = %d", i)
		}
		for want := range 100 {
			if want == 50 {
				continue
			}
			if x, ok := m.pop(); !ok || x != want {
				t.Fatalf("round %d: pop = %v, %v; want %d", round, x, ok, want)
			}
		}
		if _, ok := m.pop(); ok || m.buf != nil {
			t.Fatalf("round %d: an empty mailbox keeps %d slots", round, len(m.buf))
		}
	}
}

func TestSmallMap(t *testing.T) {
	var m smallMap[int, int]
	for i := range 3 * smallMax {
		m.set(i, i*10)
		m.set(i, i*100)
	}
	if m.len() != 3*smallMax || m.big == nil {
		t.Fatalf("len = %d, big = %v", m.len(), m.big != nil)
	}
	for i := range 3 * smallMax {
		if v, ok := m.get(i); !ok || v != i*100 {
			t.Fatalf("get(%d) = %d, %v", i, v, ok)
		}
	}
	m.deleteIf(func(k, _ int) bool { return k%2 == 0 })
	if _, ok := m.del(1); !ok {
		t.Fatal("del(1) found nothing")
	}
	if _, ok := m.get(2); ok || m.len() != 3*smallMax/2-1 {
		t.Fatalf("after deletes: len %d", m.len())
	}
	old := m.take()
	sum := 0
	for k := range old.all() {
		sum += k
	}
	if m.len() != 0 || sum == 0 {
		t.Fatalf("take left %d, took keys summing to %d", m.len(), sum)
	}

	var s smallMap[int, int]
	for i := range 4 {
		s.set(i, i)
	}
	s.deleteIf(func(k, _ int) bool { return k < 2 })
	if _, ok := s.del(2); !ok || s.len() != 1 {
		t.Fatalf("small: len %d", s.len())
	}
	if _, ok := s.del(3); !ok || s.len() != 0 {
		t.Fatal("small: del left entries")
	}
}
