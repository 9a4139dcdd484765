package epmd

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// unhex decodes space-separated hex, as the captures in the protocol notes
// are written.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// fake is the hidden node of the OTP 25.2.3 captures: port 0xA289,
// versions 6 and 5, name "fake".
var fake = Node{Name: "fake", Port: 0xA289, Type: HiddenNode, HighestVersion: 6, LowestVersion: 5}

// checkError fails t unless err says want and, when is is not nil, matches
// is under errors.Is.
func checkError(t *testing.T, err error, want string, is error) {
	t.Helper()
	if err == nil || err.Error() != want {
		t.Errorf("got error %v, want %s", err, want)
	}
	if is != nil && !errors.Is(err, is) {
		t.Errorf("errors.Is(%v, %v) is false", err, is)
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"ALIVE2_REQ captured from OTP", appendAlive2Req(nil, fake), "00 11 78 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00"},
		{"ALIVE2_REQ with extra", appendAlive2Req(nil, Node{Name: "a", Port: 1, Type: VisibleNode, HighestVersion: 6, LowestVersion: 5, Extra: []byte{9, 8}}),
			"00 10 78 00 01 4D 00 00 06 00 05 00 01 61 00 02 09 08"},
		{"PORT_PLEASE2_REQ", appendPortPlease2Req(nil, "fake"), "00 05 7A 66 61 6B 65"},
		{"NAMES_REQ", appendNamesReq(nil), "00 01 6E"},
		{"ALIVE2_X_RESP ok captured from OTP", appendAlive2Resp(nil, 6, resultOK, 0x6B07D8A4), "76 00 6B 07 D8 A4"},
		{"ALIVE2_X_RESP refused captured from OTP", appendAlive2Resp(nil, 6, resultRefused, refusedMarker), "76 01 00 00 00 63"},
		{"ALIVE2_RESP ok captured from OTP", appendAlive2Resp(nil, 5, resultOK, 3), "79 00 00 03"},
		{"PORT2_RESP ok captured from OTP", appendPort2Resp(nil, &fake), "77 00 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00"},
		{"PORT2_RESP not found captured from OTP", appendPort2Resp(nil, nil), "77 01"},
		{"NAMES reply captured from OTP", appendNamesResp(nil, 14369, []Entry{{"fakev5", 41609}, {"fake", 41609}}),
			"00 00 38 21" + hex.EncodeToString([]byte("name fakev5 at port 41609\nname fake at port 41609\n"))},
		{"NAMES reply, no nodes", appendNamesResp(nil, 4369, nil), "00 00 11 11"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if want := unhex(t, tc.want); !bytes.Equal(tc.got, want) {
				t.Errorf("got  % X\nwant % X", tc.got, want)
			}
		})
	}
}

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name string
		body string // hex, without the length prefix
		want request
	}{
		{"ALIVE2_REQ captured from OTP", "78 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00", request{op: opAlive2Req, node: fake}},
		{"ALIVE2_REQ with extra", "78 00 01 4D 00 00 06 00 05 00 01 61 00 02 09 08",
			request{op: opAlive2Req, node: Node{Name: "a", Port: 1, Type: VisibleNode, HighestVersion: 6, LowestVersion: 5, Extra: []byte{9, 8}}}},
		{"ALIVE2_REQ with UTF-8 name", "78 00 01 4D 00 00 06 00 05 00 02 C3 A9 00 00",
			request{op: opAlive2Req, node: Node{Name: "é", Port: 1, Type: VisibleNode, HighestVersion: 6, LowestVersion: 5}}},
		{"PORT_PLEASE2_REQ", "7A 66 61 6B 65", request{op: opPortPlease2Req, name: "fake"}},
		{"PORT_PLEASE2_REQ ending in NUL, as old clients send", "7A 66 61 6B 65 00", request{op: opPortPlease2Req, name: "fake"}},
		{"NAMES_REQ", "6E", request{op: opNamesReq}},
		{"DUMP_REQ", "64", request{op: opDumpReq}},
		{"KILL_REQ", "6B", request{op: opKillReq}},
		{"STOP_REQ", "73 66 61 6B 65", request{op: opStopReq}},
		{"unknown request", "01 02", request{op: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseRequest(unhex(t, tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if !equalRequest(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func equalRequest(a, b request) bool { return reflect.DeepEqual(a, b) }

func equalNode(a, b Node) bool { return reflect.DeepEqual(a, b) }

func TestParseRequestErrors(t *testing.T) {
	long := strings.Repeat("é", 256)
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"empty", nil, "epmd: empty request"},
		{"ALIVE2_REQ cut in the fixed part", unhex(t, "78 A2 89 48 00 00 06 00 05 00"), "epmd: malformed ALIVE2_REQ: truncated"},
		{"ALIVE2_REQ name longer than the packet", unhex(t, "78 A2 89 48 00 00 06 00 05 00 09 66 61 6B 65 00 00"), "epmd: malformed ALIVE2_REQ: truncated"},
		{"ALIVE2_REQ extra longer than the packet", unhex(t, "78 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 01"), "epmd: malformed ALIVE2_REQ: truncated"},
		{"ALIVE2_REQ with bytes after extra", unhex(t, "78 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00 00"), "epmd: malformed ALIVE2_REQ: trailing bytes"},
		{"ALIVE2_REQ empty name", unhex(t, "78 A2 89 48 00 00 06 00 05 00 00 00 00"), "epmd: malformed ALIVE2_REQ: empty node name"},
		{"ALIVE2_REQ name with NUL", unhex(t, "78 A2 89 48 00 00 06 00 05 00 02 61 00 00 00"), `epmd: malformed ALIVE2_REQ: node name "a\x00" contains a control character`},
		{"ALIVE2_REQ name with newline", unhex(t, "78 A2 89 48 00 00 06 00 05 00 02 61 0A 00 00"), `epmd: malformed ALIVE2_REQ: node name "a\n" contains a control character`},
		{"ALIVE2_REQ name not UTF-8", unhex(t, "78 A2 89 48 00 00 06 00 05 00 01 FF 00 00"), `epmd: malformed ALIVE2_REQ: node name "\xff" is not valid UTF-8`},
		{"ALIVE2_REQ name of 256 characters", append(unhex(t, "78 A2 89 48 00 00 06 00 05 02 00"), append([]byte(long), 0, 0)...),
			"epmd: malformed ALIVE2_REQ: node name has 256 characters, more than 255"},
		{"PORT_PLEASE2_REQ without name", unhex(t, "7A"), "epmd: malformed PORT_PLEASE2_REQ: empty node name"},
		{"PORT_PLEASE2_REQ with only NUL", unhex(t, "7A 00"), "epmd: malformed PORT_PLEASE2_REQ: empty node name"},
		{"PORT_PLEASE2_REQ name with NUL inside", unhex(t, "7A 61 00 62"), `epmd: malformed PORT_PLEASE2_REQ: node name "a\x00b" contains a control character`},
		{"NAMES_REQ with a body", unhex(t, "6E 00"), "epmd: malformed NAMES_REQ: trailing bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseRequest(tc.body)
			checkError(t, err, tc.want, nil)
		})
	}
}

func TestParseAlive2Resp(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		want  uint32
	}{
		{"ALIVE2_X_RESP captured from OTP", "76 00 6B 07 D8 A4", 0x6B07D8A4},
		{"ALIVE2_X_RESP top bit set", "76 00 FF FF FF FF", 0xFFFFFFFF},
		{"ALIVE2_RESP captured from OTP", "79 00 00 03", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseAlive2Resp(unhex(t, tc.reply))
			if err != nil || got != tc.want {
				t.Errorf("got %#x, %v; want %#x", got, err, tc.want)
			}
		})
	}
}

func TestParseAlive2RespErrors(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		want  string
	}{
		{"empty", "", "epmd: malformed ALIVE2 reply: truncated"},
		{"refused, captured from OTP", "76 01 00 00 00 63", "epmd: name in use"},
		{"old form refused", "79 01 00 63", "epmd: name in use"},
		{"short", "76 00 6B 07 D8", "epmd: malformed ALIVE2_X_RESP: truncated"},
		{"long", "79 00 00 03 00", "epmd: malformed ALIVE2_RESP: trailing bytes"},
		{"other reply", "77 01", "epmd: reply to ALIVE2_REQ starts with PORT2_RESP"},
		{"garbage", "41", "epmd: reply to ALIVE2_REQ starts with opcode(65)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseAlive2Resp(unhex(t, tc.reply))
			checkError(t, err, tc.want, nil)
		})
	}
}

func TestParsePort2Resp(t *testing.T) {
	got, err := parsePort2Resp(unhex(t, "77 00 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00"))
	if err != nil || !equalNode(got, fake) {
		t.Errorf("got %+v, %v; want %+v", got, err, fake)
	}
}

func TestParsePort2RespErrors(t *testing.T) {
	tests := []struct {
		name  string
		reply string
		is    error
		text  string
	}{
		{"not found, captured from OTP", "77 01", ErrNotFound, "epmd: node not registered"},
		{"empty", "", nil, "epmd: malformed PORT2_RESP: truncated"},
		{"only the code", "77", nil, "epmd: malformed PORT2_RESP: truncated"},
		{"other reply", "76 00", nil, "epmd: reply to PORT_PLEASE2_REQ starts with ALIVE2_X_RESP"},
		{"ok without a node", "77 00", nil, "epmd: malformed PORT2_RESP: truncated"},
		{"name cut short", "77 00 A2 89 48 00 00 06 00 05 00 04 66 61", nil, "epmd: malformed PORT2_RESP: truncated"},
		{"bytes after extra", "77 00 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00 FF", nil, "epmd: malformed PORT2_RESP: trailing bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parsePort2Resp(unhex(t, tc.reply))
			checkError(t, err, tc.text, tc.is)
		})
	}
}

func TestParseNamesResp(t *testing.T) {
	tests := []struct {
		name  string
		reply []byte
		want  []Entry
	}{
		{"captured from OTP", append(unhex(t, "00 00 38 21"), "name fakev5 at port 41609\nname fake at port 41609\n"...),
			[]Entry{{"fakev5", 41609}, {"fake", 41609}}},
		{"no nodes", unhex(t, "00 00 11 11"), nil},
		{"name with spaces", append(unhex(t, "00 00 11 11"), "name a b at port 7\n"...), []Entry{{"a b", 7}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseNamesResp(tc.reply)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("entry %d: got %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestParseNamesRespErrors(t *testing.T) {
	port := string(unhex(t, "00 00 11 11"))
	tests := []struct {
		name  string
		reply string
		want  string
	}{
		{"empty", "", "epmd: malformed NAMES reply: truncated"},
		{"short port", "\x00\x00\x11", "epmd: malformed NAMES reply: truncated"},
		{"unterminated line", port + "name a at port 1", `epmd: malformed NAMES reply: unterminated line "name a at port 1"`},
		{"not a name line", port + "hello\n", `epmd: malformed NAMES line "hello"`},
		{"no name", port + "name  at port 1\n", `epmd: malformed NAMES line "name  at port 1"`},
		{"port too large", port + "name a at port 65536\n", `epmd: malformed NAMES line "name a at port 65536": bad port`},
		{"port not a number", port + "name a at port x\n", `epmd: malformed NAMES line "name a at port x": bad port`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseNamesResp([]byte(tc.reply))
			checkError(t, err, tc.want, nil)
		})
	}
}
