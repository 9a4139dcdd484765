package host

import (
	"runtime"
	"testing"

	"github.com/creo-dev/creo/etf"
)

func TestMonitorDown(t *testing.T) {
	n := testNode(t)
	dead := startProbe(t, n, nil).pid
	kill(t, n, dead)
	boom := etf.Atom("boom")
	for _, tc := range []struct {
		name    string
		target  func(pid etf.Pid) etf.Term // how the watcher names the target
		object  func(pid etf.Pid) etf.Term // what DOWN names
		reason  etf.Term
		missing bool // the target does not exist
	}{
		{
			name:   "by pid",
			target: func(pid etf.Pid) etf.Term { return pid },
			object: func(pid etf.Pid) etf.Term { return pid },
			reason: boom,
		},
		{
			name:   "by name",
			target: func(etf.Pid) etf.Term { return etf.Atom("target") },
			object: func(etf.Pid) etf.Term { return etf.Tuple{etf.Atom("target"), n.Name()} },
			reason: boom,
		},
		{
			name:   "by name and node",
			target: func(etf.Pid) etf.Term { return etf.Tuple{etf.Atom("target"), n.Name()} },
			object: func(etf.Pid) etf.Term { return etf.Tuple{etf.Atom("target"), n.Name()} },
			reason: Normal,
		},
		{
			name:    "dead pid gives noproc",
			target:  func(etf.Pid) etf.Term { return dead },
			object:  func(etf.Pid) etf.Term { return dead },
			reason:  Noproc,
			missing: true,
		},
		{
			name:    "unregistered name gives noproc",
			target:  func(etf.Pid) etf.Term { return etf.Atom("nosuch") },
			object:  func(etf.Pid) etf.Term { return etf.Tuple{etf.Atom("nosuch"), n.Name()} },
			reason:  Noproc,
			missing: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := startProbe(t, n, nil)
			if err := n.Register("target", target.pid); err != nil {
				t.Fatal(err)
			}
			defer n.Unregister("target")
			var ref etf.Ref
			watcher := startProbe(t, n, func(p *Process) {
				var err error
				ref, err = p.Monitor(tc.target(target.pid))
				if err != nil {
					t.Error(err)
				}
			})
			if !tc.missing {
				n.Exit(target.pid, tc.reason)
				if tc.reason == Normal {
					// exit/2 normal does not end a process: stop it by a
					// sys terminate instead.
					if err := n.Send(target.pid, etf.Tuple{atomSystem, etf.Tuple{watcher.pid, n.MakeRef()}, etf.Tuple{etf.Atom("terminate"), Normal}}); err != nil {
						t.Fatal(err)
					}
					watcher.recv(t) // the sys reply
				}
			}
			watcher.expect(t, down(ref, tc.object(target.pid), tc.reason))
		})
	}
}

func TestDemonitor(t *testing.T) {
	n := testNode(t)
	for _, tc := range []struct {
		name       string
		afterDown  bool // demonitor after the DOWN is in the mailbox
		wantActive bool
	}{
		{"before the target ends", false, true},
		{"after the DOWN arrived flushes it", true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := startProbe(t, n, nil)
			var ref etf.Ref
			var active bool
			watcher, err := n.Start(&fake{
				init: func(p *Process, _ etf.Term) Result {
					ref, _ = p.Monitor(target.pid)
					return Ok(nil)
				},
				call: func(p *Process, req etf.Term, _ From, s etf.Term) Result {
					if req != etf.Atom("demonitor") {
						return Reply(etf.Atom("ok"), s)
					}
					if tc.afterDown {
						kill(t, n, target.pid)
						for !queued(p, func(x any) bool { return isDown(x, ref) }) {
							runtime.Gosched()
						}
					}
					active = p.Demonitor(ref)
					return Reply(etf.Atom("ok"), s)
				},
				info: func(_ *Process, msg, s etf.Term) Result {
					t.Errorf("got %v after Demonitor", msg)
					return NoReply(s)
				},
			}, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := n.Call(ctx(t), watcher, etf.Atom("demonitor"), Infinity); err != nil {
				t.Fatal(err)
			}
			if active != tc.wantActive {
				t.Fatalf("Demonitor = %v, want %v", active, tc.wantActive)
			}
			if !tc.afterDown {
				kill(t, n, target.pid)
			}
			// A call after the end is handled after any DOWN would be.
			if _, err := n.Call(ctx(t), watcher, etf.Atom("sync"), Infinity); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestMonitorAcrossOfflineNode(t *testing.T) {
	n := testNode(t)
	remote := etf.Pid{Node: "other@host", ID: 1, Serial: 1, Creation: 1}
	var ref etf.Ref
	pr := startProbe(t, n, func(p *Process) {
		ref, _ = p.Monitor(remote)
	})
	pr.expect(t, down(ref, remote, Noconnection))
}
