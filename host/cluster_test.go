package host

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

// wire is a Cluster that records each signal as a tuple named after its
// method, for the test to read in order.
type wire struct{ ch chan etf.Tuple }

var _ Cluster = wire{}

func newWire() wire { return wire{ch: make(chan etf.Tuple, 1024)} }

func (w wire) put(op string, args ...etf.Term) { w.ch <- append(etf.Tuple{etf.Atom(op)}, args...) }

func (w wire) Send(from, to etf.Pid, msg etf.Term) { w.put("send", from, to, msg) }
func (w wire) SendName(from etf.Pid, node, name etf.Atom, msg etf.Term) {
	w.put("send_name", from, node, name, msg)
}
func (w wire) SendAlias(from etf.Pid, alias etf.Ref, msg etf.Term) {
	w.put("send_alias", from, alias, msg)
}
func (w wire) Link(from, to etf.Pid)                   { w.put("link", from, to) }
func (w wire) Unlink(id uint64, from, to etf.Pid)      { w.put("unlink", etf.Int(id), from, to) }
func (w wire) UnlinkAck(id uint64, from, to etf.Pid)   { w.put("unlink_ack", etf.Int(id), from, to) }
func (w wire) Exit(from, to etf.Pid, reason etf.Term)  { w.put("exit", from, to, reason) }
func (w wire) Exit2(from, to etf.Pid, reason etf.Term) { w.put("exit2", from, to, reason) }
func (w wire) Monitor(from etf.Pid, node etf.Atom, target etf.Term, ref etf.Ref) {
	w.put("monitor", from, node, target, ref)
}
func (w wire) Demonitor(from etf.Pid, node etf.Atom, target etf.Term, ref etf.Ref) {
	w.put("demonitor", from, node, target, ref)
}
func (w wire) MonitorExit(target etf.Term, to etf.Pid, ref etf.Ref, reason etf.Term) {
	w.put("monitor_exit", target, to, ref, reason)
}
func (w wire) SpawnReply(id etf.Ref, to etf.Pid, flags int, result etf.Term) {
	w.put("spawn_reply", id, to, etf.Int(flags), result)
}

// next returns the next signal sent to the cluster.
func (w wire) next(t testing.TB) etf.Tuple {
	t.Helper()
	select {
	case s := <-w.ch:
		return s
	case <-time.After(wait):
		t.Fatal("no signal to the cluster")
		return nil
	}
}

func (w wire) expect(t testing.TB, want ...etf.Term) {
	t.Helper()
	if got := w.next(t); !etf.Equal(got, etf.Tuple(want)) {
		t.Fatalf("signal\n got %v\nwant %v", got, etf.Tuple(want))
	}
}

func clusterNode(t testing.TB) (*Node, wire) {
	w := newWire()
	return NewNode(Config{Name: "a@host", Creation: 1, Cluster: w}), w
}

var remotePid = etf.Pid{Node: "b@host", ID: 40, Serial: 2, Creation: 9}

func TestSignalsToOtherNodes(t *testing.T) {
	n, w := clusterNode(t)
	pr := startProbe(t, n, nil)
	p := n.process(pr.pid)
	remoteAlias := etf.Ref{Node: "b@host", Creation: 9, Len: 3, ID: [5]uint32{1, 2, 3}}
	msg := etf.Atom("hi")

	if err := p.Send(remotePid, msg); err != nil {
		t.Fatal(err)
	}
	w.expect(t, etf.Atom("send"), pr.pid, remotePid, msg)
	if err := p.Send(etf.Tuple{etf.Atom("srv"), etf.Atom("b@host")}, msg); err != nil {
		t.Fatal(err)
	}
	w.expect(t, etf.Atom("send_name"), pr.pid, etf.Atom("b@host"), etf.Atom("srv"), msg)
	if err := p.Send(remoteAlias, msg); err != nil {
		t.Fatal(err)
	}
	w.expect(t, etf.Atom("send_alias"), pr.pid, remoteAlias, msg)
	p.Cast(etf.Tuple{etf.Atom("srv"), etf.Atom("b@host")}, msg)
	w.expect(t, etf.Atom("send_name"), pr.pid, etf.Atom("b@host"), etf.Atom("srv"), etf.Tuple{atomGenCast, msg})
	p.Exit(remotePid, etf.Atom("bye"))
	w.expect(t, etf.Atom("exit2"), pr.pid, remotePid, etf.Atom("bye"))

	if err := p.Link(remotePid); err != nil {
		t.Fatal(err)
	}
	w.expect(t, etf.Atom("link"), pr.pid, remotePid)
	p.Unlink(remotePid)
	s := w.next(t)
	if s[0] != etf.Atom("unlink") || s[2] != pr.pid || s[3] != remotePid {
		t.Fatalf("unlink signal %v", s)
	}
	// The link stays, inactive, until the peer acks: its exit is ignored.
	n.PeerExit(remotePid, pr.pid, etf.Atom("boom"))
	if !alive(n, pr.pid) {
		t.Fatal("an unlinking link killed")
	}
	n.PeerUnlinkAck(uint64(s[1].(etf.Int)), remotePid, pr.pid)
	p.mu.Lock()
	links := p.links.len()
	p.mu.Unlock()
	if links != 0 {
		t.Fatal("the ack did not remove the link")
	}

	byPid, _ := p.Monitor(remotePid)
	w.expect(t, etf.Atom("monitor"), pr.pid, etf.Atom("b@host"), remotePid, byPid)
	byName, _ := p.Monitor(etf.Tuple{etf.Atom("srv"), etf.Atom("b@host")})
	w.expect(t, etf.Atom("monitor"), pr.pid, etf.Atom("b@host"), etf.Atom("srv"), byName)
	p.Demonitor(byPid)
	w.expect(t, etf.Atom("demonitor"), pr.pid, etf.Atom("b@host"), remotePid, byPid)
	n.PeerMonitorExit(etf.Atom("srv"), pr.pid, byName, etf.Atom("gone"))
	pr.expect(t, down(byName, etf.Tuple{etf.Atom("srv"), etf.Atom("b@host")}, etf.Atom("gone")))
}

func TestExitReachesOtherNodes(t *testing.T) {
	n, w := clusterNode(t)
	pr := startProbe(t, n, nil)
	if err := n.Register("srv", pr.pid); err != nil {
		t.Fatal(err)
	}
	byPid, byName := n.MakeRef(), n.MakeRef()
	n.PeerLink(remotePid, pr.pid)
	n.PeerMonitor(remotePid, pr.pid, byPid)
	n.PeerMonitor(remotePid, etf.Atom("srv"), byName)
	n.Exit(pr.pid, etf.Atom("boom"))
	got := map[string]etf.Tuple{}
	for range 3 {
		s := w.next(t)
		key := string(s[0].(etf.Atom))
		if key == "monitor_exit" {
			key += fmt.Sprint(s[1])
		}
		got[key] = s
	}
	for key, want := range map[string]etf.Tuple{
		"exit":                              {etf.Atom("exit"), pr.pid, remotePid, etf.Atom("boom")},
		"monitor_exit" + fmt.Sprint(pr.pid): {etf.Atom("monitor_exit"), pr.pid, remotePid, byPid, etf.Atom("boom")},
		"monitor_exitsrv":                   {etf.Atom("monitor_exit"), etf.Atom("srv"), remotePid, byName, etf.Atom("boom")},
	} {
		if !etf.Equal(got[key], want) {
			t.Fatalf("%s: got %v, want %v", key, got[key], want)
		}
	}
}

func TestSignalsFromOtherNodes(t *testing.T) {
	n, w := clusterNode(t)
	ref := n.MakeRef()
	for _, tc := range []struct {
		name string
		do   func(target etf.Pid)
		want etf.Tuple // the answer to the peer, if any
	}{
		{"monitor of an unregistered name answers noproc with the name", func(etf.Pid) {
			n.PeerMonitor(remotePid, etf.Atom("nosuch"), ref)
		}, etf.Tuple{etf.Atom("monitor_exit"), etf.Atom("nosuch"), remotePid, ref, Noproc}},
		{"monitor of a dead pid answers noproc with the pid", func(etf.Pid) {
			n.PeerMonitor(remotePid, etf.Pid{Node: "a@host", ID: 999, Serial: 1, Creation: 1}, ref)
		}, etf.Tuple{etf.Atom("monitor_exit"), etf.Pid{Node: "a@host", ID: 999, Serial: 1, Creation: 1}, remotePid, ref, Noproc}},
		{"link to a dead pid answers noproc", func(etf.Pid) {
			n.PeerLink(remotePid, etf.Pid{Node: "a@host", ID: 999, Serial: 1, Creation: 1})
		}, etf.Tuple{etf.Atom("exit"), etf.Pid{Node: "a@host", ID: 999, Serial: 1, Creation: 1}, remotePid, Noproc}},
		{"unlink is acked", func(target etf.Pid) {
			n.PeerLink(remotePid, target)
			n.PeerUnlink(7, remotePid, target)
		}, etf.Tuple{etf.Atom("unlink_ack"), etf.Int(7), etf.Pid{}, remotePid}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := startProbe(t, n, nil)
			tc.do(target.pid)
			want := tc.want
			if want[2] == (etf.Pid{}) {
				want = append(etf.Tuple{}, want...)
				want[2] = target.pid
			}
			w.expect(t, want...)
		})
	}
}

func TestPeerDelivery(t *testing.T) {
	n, _ := clusterNode(t)
	pr := startProbe(t, n, nil)
	if err := n.Register("srv", pr.pid); err != nil {
		t.Fatal(err)
	}
	n.PeerSend(remotePid, pr.pid, etf.Atom("by_pid"))
	pr.expect(t, etf.Atom("by_pid"))
	n.PeerRegSend(remotePid, "srv", etf.Atom("by_name"))
	pr.expect(t, etf.Atom("by_name"))
	n.PeerRegSend(remotePid, "nosuch", etf.Atom("lost"))
	var alias etf.Ref
	if _, err := n.exec(ctx(t), pr.pid, func(p *Process) any { alias = p.Alias(); return nil }); err != nil {
		t.Fatal(err)
	}
	n.PeerAliasSend(remotePid, alias, etf.Atom("by_alias"))
	pr.expect(t, etf.Atom("by_alias"))
	// An exit signal without a link is ignored; exit/2 is not.
	n.PeerExit(remotePid, pr.pid, etf.Atom("boom"))
	pr.expectNothingBefore(t, n)
	exited := watch(t, n, pr.pid)
	n.PeerExit2(remotePid, pr.pid, etf.Atom("boom"))
	if got := exited(); got != etf.Atom("boom") {
		t.Fatalf("exit = %v", got)
	}
}

func TestCallToOtherNode(t *testing.T) {
	n, w := clusterNode(t)
	for _, tc := range []struct {
		name   string
		answer func(from etf.Pid, alias etf.Ref, tag etf.Term)
		want   etf.Term
		err    error
	}{
		{"reply to the alias", func(from etf.Pid, alias etf.Ref, tag etf.Term) {
			n.PeerAliasSend(remotePid, alias, etf.Tuple{tag, etf.Atom("pong")})
		}, etf.Atom("pong"), nil},
		{"reply to the pid", func(from etf.Pid, alias etf.Ref, tag etf.Term) {
			n.PeerSend(remotePid, from, etf.Tuple{tag, etf.Atom("pong")})
		}, etf.Atom("pong"), nil},
		{"name not registered there", func(from etf.Pid, alias etf.Ref, tag etf.Term) {
			n.PeerMonitorExit(etf.Atom("net_kernel"), from, alias, Noproc)
		}, nil, ErrNoproc},
		{"node goes down", func(etf.Pid, etf.Ref, etf.Term) {
			n.NodeDown("b@host")
		}, nil, &ExitError{Reason: etf.Tuple{etf.Atom("nodedown"), etf.Atom("b@host")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			go func() {
				defer close(done)
				got, err := n.Call(context.Background(), etf.Tuple{etf.Atom("net_kernel"), etf.Atom("b@host")}, etf.Atom("ping"), Infinity)
				if tc.err != nil {
					if !errors.Is(err, tc.err) {
						t.Errorf("Call error = %v, want %v", err, tc.err)
					}
					return
				}
				if err != nil || !etf.Equal(got, tc.want) {
					t.Errorf("Call = %v, %v; want %v", got, err, tc.want)
				}
			}()
			mon := w.next(t)
			caller, alias := mon[1].(etf.Pid), mon[4].(etf.Ref)
			if mon[0] != etf.Atom("monitor") || mon[3] != etf.Atom("net_kernel") {
				t.Fatalf("first signal %v, want a monitor of net_kernel", mon)
			}
			req := w.next(t)
			tag := aliasTag(alias)
			want := etf.Tuple{etf.Atom("send_name"), caller, etf.Atom("b@host"), etf.Atom("net_kernel"),
				etf.Tuple{atomGenCall, etf.Tuple{caller, tag}, etf.Atom("ping")}}
			if !etf.Equal(req, want) {
				t.Fatalf("request\n got %v\nwant %v", req, want)
			}
			tc.answer(caller, alias, tag)
			<-done
			// After a reply the caller demonitors; a dead caller sends nothing.
			if tc.err == nil {
				w.expect(t, etf.Atom("demonitor"), caller, etf.Atom("b@host"), etf.Atom("net_kernel"), alias)
			}
		})
	}
}

func TestNodeDown(t *testing.T) {
	n, w := clusterNode(t)
	var ref etf.Ref
	watcher := startProbe(t, n, func(p *Process) {
		p.TrapExit(true)
		if err := p.Link(remotePid); err != nil {
			t.Error(err)
		}
		ref, _ = p.Monitor(remotePid)
	})
	w.next(t)
	w.next(t)
	watched := startProbe(t, n, nil)
	n.PeerMonitor(remotePid, watched.pid, n.MakeRef())
	n.NodeDown("b@host")
	for range 2 {
		switch m := watcher.recv(t); {
		case etf.Equal(m, etf.Tuple{etf.Atom("EXIT"), remotePid, Noconnection}):
		case etf.Equal(m, down(ref, remotePid, Noconnection)):
		default:
			t.Fatalf("unexpected %v", m)
		}
	}
	// The monitor the node held on watched is gone: its exit tells nobody.
	kill(t, n, watched.pid)
	select {
	case s := <-w.ch:
		t.Fatalf("a signal to a node that is down: %v", s)
	default:
	}
	n.NodeDown("b@host")
}

func TestOfflineNode(t *testing.T) {
	n := testNode(t)
	pr := startProbe(t, n, func(p *Process) {
		p.TrapExit(true)
		if err := p.Link(remotePid); err != nil {
			t.Error(err)
		}
	})
	pr.expect(t, etf.Tuple{etf.Atom("EXIT"), remotePid, Noconnection})
	if err := n.Send(remotePid, etf.Atom("lost")); err != nil {
		t.Fatal(err)
	}
}

func TestSpawnRequest(t *testing.T) {
	n, w := clusterNode(t)
	req := SpawnRequest{ReqID: n.MakeRef(), From: remotePid, Module: "erpc", Function: "execute_call"}
	n.PeerSpawnRequest(req)
	w.expect(t, etf.Atom("spawn_reply"), req.ReqID, remotePid, etf.Int(0), etf.Atom("notsup"))
	n.SetSpawnHandler(func(r SpawnRequest) { n.SpawnReply(r.ReqID, r.From, 2, etf.Atom("handled")) })
	n.PeerSpawnRequest(req)
	w.expect(t, etf.Atom("spawn_reply"), req.ReqID, remotePid, etf.Int(2), etf.Atom("handled"))
}
