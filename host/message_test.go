package host

import (
	"testing"

	"github.com/creo-dev/creo/etf"
)

func raw(t testing.TB, term etf.Term) etf.Raw {
	t.Helper()
	b, err := etf.AppendTerm(nil, term)
	if err != nil {
		t.Fatal(err)
	}
	return etf.Raw(b)
}

func TestClassify(t *testing.T) {
	pid := etf.Pid{Node: "a@b", ID: 1, Serial: 2, Creation: 3}
	from := etf.Tuple{pid, aliasTag(etf.Ref{Node: "a@b", Len: 3})}
	big := etf.Binary(make([]byte, 1000))
	for _, tc := range []struct {
		name string
		msg  etf.Term
		kind msgKind
		a, b etf.Term
	}{
		{"call", etf.Tuple{atomGenCall, from, etf.Atom("req")}, msgCall, from, etf.Atom("req")},
		{"cast", etf.Tuple{atomGenCast, etf.Atom("msg")}, msgCast, etf.Atom("msg"), nil},
		{"system", etf.Tuple{atomSystem, from, etf.Atom("get_state")}, msgSystem, from, etf.Atom("get_state")},
		{"exit", etf.Tuple{atomExit, pid, etf.Atom("boom")}, msgExit, pid, etf.Atom("boom")},
		{"exit without a pid is info", etf.Tuple{atomExit, etf.Atom("x"), etf.Atom("boom")}, msgInfo, nil, nil},
		{"call of the wrong arity is info", etf.Tuple{atomGenCall, from}, msgInfo, nil, nil},
		{"other tuple", etf.Tuple{etf.Atom("hello"), etf.Int(1)}, msgInfo, nil, nil},
		{"large first element", etf.Tuple{big, etf.Int(1)}, msgInfo, nil, nil},
		{"not a tuple", etf.List{atomGenCast, etf.Int(1)}, msgInfo, nil, nil},
	} {
		for _, form := range []string{"decoded", "raw"} {
			t.Run(tc.name+" "+form, func(t *testing.T) {
				msg := tc.msg
				if form == "raw" {
					msg = raw(t, msg)
				}
				kind, a, b := classify(msg)
				if kind != tc.kind || !equalOrNil(a, tc.a) || !equalOrNil(b, tc.b) {
					t.Fatalf("classify = %v, %v, %v; want %v, %v, %v", kind, a, b, tc.kind, tc.a, tc.b)
				}
				if _, isRaw := b.(etf.Raw); form == "raw" && tc.b != nil && tc.kind != msgExit && !isRaw {
					t.Fatalf("the request of a raw message was decoded: %T", b)
				}
			})
		}
	}
}

func equalOrNil(a, b etf.Term) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return etf.Equal(a, b)
}

// TestRawMessages checks that a server gets what came encoded still
// encoded, and that replies and exits work for it.
func TestRawMessages(t *testing.T) {
	n := testNode(t)
	var gotRaw []bool
	pid, err := n.Start(&fake{
		call: func(_ *Process, req etf.Term, _ From, s etf.Term) Result {
			_, ok := req.(etf.Raw)
			gotRaw = append(gotRaw, ok)
			return Reply(req, s)
		},
		cast: func(_ *Process, msg, s etf.Term) Result {
			_, ok := msg.(etf.Raw)
			gotRaw = append(gotRaw, ok)
			return Stop(raw(t, Normal), s)
		},
	}, etf.Atom("state"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	caller := startProbe(t, n, nil)
	tag := n.MakeRef()
	from := etf.Tuple{caller.pid, tag}
	req := etf.Tuple{etf.Atom("req"), etf.Binary("payload")}

	if err := n.Send(pid, raw(t, etf.Tuple{atomGenCall, from, req})); err != nil {
		t.Fatal(err)
	}
	caller.expect(t, etf.Tuple{tag, req})
	if err := n.Send(pid, raw(t, etf.Tuple{atomSystem, from, etf.Atom("get_state")})); err != nil {
		t.Fatal(err)
	}
	caller.expect(t, etf.Tuple{tag, etf.Atom("state")})
	exited := watch(t, n, pid)
	if err := n.Send(pid, raw(t, etf.Tuple{atomGenCast, etf.Atom("stop")})); err != nil {
		t.Fatal(err)
	}
	if got := exited(); got != Normal {
		t.Fatalf("a raw normal stop exits with %v", got)
	}
	if len(gotRaw) != 2 || !gotRaw[0] || !gotRaw[1] {
		t.Fatalf("callbacks got raw terms: %v", gotRaw)
	}
}

// TestReplyToPid checks that a call accepts a reply sent to the caller's
// pid rather than its alias, as net_kernel sends it, decoded or raw.
func TestReplyToPid(t *testing.T) {
	n := testNode(t)
	for _, form := range []string{"decoded", "raw"} {
		t.Run(form, func(t *testing.T) {
			pid, err := n.Start(&fake{call: func(p *Process, req etf.Term, from From, s etf.Term) Result {
				var reply etf.Term = etf.Tuple{from.Tag(), req}
				if form == "raw" {
					reply = raw(t, reply)
				}
				if err := p.Send(from.Pid(), reply); err != nil {
					t.Error(err)
				}
				return NoReply(s)
			}}, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := n.Call(ctx(t), pid, etf.Atom("ping"), Infinity)
			if err != nil || !etf.Equal(got, etf.Atom("ping")) {
				t.Fatalf("Call = %v, %v", got, err)
			}
		})
	}
}
