package dist

import (
	"math/big"
	"reflect"
	"testing"

	"github.com/creo-dev/creo/etf"
)

func TestDecodeControlUnknown(t *testing.T) {
	// Operations creo does not act on arrive whole, payload included.
	tests := []struct {
		name    string
		tuple   etf.Tuple
		payload etf.Term
	}{
		{"UNLINK, obsolete", etf.Tuple{etf.Int(OpUnlink), pid, pid2}, nil},
		{"NODE_LINK, obsolete", etf.Tuple{etf.Int(OpNodeLink)}, nil},
		{"ALTACT_SIG_SEND, not negotiated", etf.Tuple{etf.Int(OpAltactSigSend), etf.Int(1), pid, pid2}, etf.Atom("msg")},
		{"unassigned", etf.Tuple{etf.Int(99), etf.Atom("x")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decodeControl(tt.tuple, tt.payload)
			want := Unknown{Code: Op(tt.tuple[0].(etf.Int)), Tuple: tt.tuple, Payload: tt.payload}
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("decodeControl = %#v, %v; want %#v", got, err, want)
			}
		})
	}
}

func TestDecodeControlErrors(t *testing.T) {
	mfa := etf.Tuple{etf.Atom("m"), etf.Atom("f"), etf.Int(1)}
	spawn := func(mfa, opts etf.Term) etf.Tuple {
		return etf.Tuple{etf.Int(OpSpawnRequest), ref, pid, pid2, mfa, opts}
	}
	tests := []struct {
		name    string
		tuple   etf.Term
		payload etf.Term
		want    string
	}{
		{"operation out of range", etf.Tuple{etf.Int(256)}, nil, "control message operation etf.Int"},
		{"spawn without MFA", spawn(etf.Atom("m"), etf.List{}), etf.List{etf.Int(1)}, "SPAWN_REQUEST element 4 is etf.Atom, not {Module, Function, Arity}"},
		{"spawn of a non-atom module", spawn(etf.Tuple{etf.Int(1), etf.Atom("f"), etf.Int(1)}, etf.List{}), etf.List{etf.Int(1)}, "SPAWN_REQUEST element 0 is etf.Int, not an atom"},
		{"spawn options not a list", spawn(mfa, etf.Atom("monitor")), etf.List{etf.Int(1)}, "SPAWN_REQUEST element 5 is etf.Atom, not an option list"},
		{"spawn arity mismatch", spawn(mfa, etf.List{}), etf.List{}, "SPAWN_REQUEST of arity 1 with arguments etf.List"},
		{"spawn arguments not a list", spawn(mfa, etf.List{}), etf.Atom("a"), "SPAWN_REQUEST of arity 1 with arguments etf.Atom"},
		{"spawn reply flags", etf.Tuple{etf.Int(OpSpawnReply), ref, pid, etf.Int(-1), pid2}, nil, "SPAWN_REPLY element 3 is etf.Int, not a small integer"},
		{"spawn reply of a ref", etf.Tuple{etf.Int(OpSpawnReply), ref, pid, etf.Int(0), ref}, nil, "SPAWN_REPLY element 4 is etf.Ref, not a pid or a name"},
		{"unlink id 0", etf.Tuple{etf.Int(OpUnlinkID), etf.Int(0), pid, pid2}, nil, "UNLINK_ID element 1 is etf.Int, not an unlink id"},
		{"unlink id too large", etf.Tuple{etf.Int(OpUnlinkIDAck), etf.BigInt{Value: new(big.Int).Lsh(big.NewInt(1), 64)}, pid, pid2}, nil, "UNLINK_ID_ACK element 1 is etf.BigInt, not an unlink id"},
		{"monitor of a ref", etf.Tuple{etf.Int(OpMonitorP), pid, ref, ref}, nil, "MONITOR_P element 2 is etf.Ref, not a pid or a name"},
		{"reg send to a pid", etf.Tuple{etf.Int(OpRegSend), pid, etf.Atom(""), pid}, etf.Int(1), "REG_SEND element 3 is etf.Pid, not an atom"},
		{"alias send to a pid", etf.Tuple{etf.Int(OpAliasSend), pid, pid}, etf.Int(1), "ALIAS_SEND element 2 is etf.Pid, not a reference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeControl(tt.tuple, tt.payload)
			if want := "protocol violation: " + tt.want; err == nil || err.Error() != want {
				t.Errorf("error %v, want %q", err, want)
			}
		})
	}
}

func TestTieBreak(t *testing.T) {
	// The dial of the node with the greater name survives.
	tests := []struct {
		name        string
		local, peer etf.Atom
		want        Status
	}{
		{"local greater: keep the local dial", "b@host", "a@host", StatusNok},
		{"peer greater: take the peer's dial", "a@host", "b@host", StatusOKSimultaneous},
		{"byte order, as atoms compare", "a@host", "a@hosT", StatusNok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TieBreak(tt.local, tt.peer); got != tt.want {
				t.Errorf("TieBreak(%s, %s) = %v, want %v", tt.local, tt.peer, got, tt.want)
			}
		})
	}
}

func TestEnumStrings(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"op", OpPayloadMonitorPExit.String(), "PAYLOAD_MONITOR_P_EXIT"},
		{"unassigned op", Op(9).String(), "op(9)"},
		{"op past the last", Op(200).String(), "op(200)"},
		{"status", StatusOKSimultaneous.String(), "ok_simultaneous"},
		{"unknown status", Status(9).String(), "status(9)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestControlOps(t *testing.T) {
	// Each control type reports its operation in the basic form.
	ops := map[string]Op{
		"dist.Link": OpLink, "dist.Send": OpSend, "dist.RegSend": OpRegSend,
		"dist.AliasSend": OpAliasSend, "dist.Exit": OpExit, "dist.Exit2": OpExit2,
		"dist.Monitor": OpMonitorP, "dist.Demonitor": OpDemonitorP, "dist.MonitorExit": OpMonitorPExit,
		"dist.SpawnRequest": OpSpawnRequest, "dist.SpawnReply": OpSpawnReply,
		"dist.UnlinkID": OpUnlinkID, "dist.UnlinkIDAck": OpUnlinkIDAck, "dist.GroupLeader": OpGroupLeader,
	}
	for _, tt := range everyControl {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := tt.msg.Op(), ops[reflect.TypeOf(tt.msg).String()]; got != want {
				t.Errorf("Op() = %v, want %v", got, want)
			}
		})
	}
}

// TestAppendControlTail checks the payloads whose encoding ends with a
// large Raw: appended up to it, with the Raw as the tail, they make the
// bytes appended whole.
func TestAppendControlTail(t *testing.T) {
	const over = 16
	large := etf.Raw(cat([]byte{109, 0, 0, 0, 20}, make([]byte, 20)))
	small := etf.Raw{97, 1}
	tests := []struct {
		name     string
		payload  etf.Term
		wantTail bool
	}{
		{name: "raw", payload: large, wantTail: true},
		{name: "reply", payload: etf.Tuple{etf.Atom("tag"), large}, wantTail: true},
		{name: "reply in a tuple", payload: etf.Tuple{etf.Atom("tag"), etf.Tuple{etf.Atom("ok"), large}}, wantTail: true},
		{name: "raw not last", payload: etf.Tuple{large, etf.Atom("tag")}},
		{name: "small raw", payload: etf.Tuple{etf.Atom("tag"), small}},
		{name: "deeper than looked", payload: etf.Tuple{etf.Tuple{etf.Tuple{etf.Tuple{etf.Tuple{large}}}}}},
		{name: "empty tuple", payload: etf.Tuple{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Send{To: pid, Message: tt.payload}
			whole, at, _, err := appendControl(nil, m, DefaultFlags, false, 0)
			if err != nil {
				t.Fatal(err)
			}
			b, payloadAt, tail, err := appendControl(nil, m, DefaultFlags, false, over)
			if err != nil {
				t.Fatal(err)
			}
			if (tail != nil) != tt.wantTail || payloadAt != at {
				t.Errorf("tail of %d bytes, payload at %d; want a tail %v, payload at %d", len(tail), payloadAt, tt.wantTail, at)
			}
			if got := cat(b, tail); !reflect.DeepEqual(got, whole) {
				t.Errorf("appended % x and tail % x, want % x", b, tail, whole)
			}
		})
	}
}
