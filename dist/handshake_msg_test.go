package dist

import (
	"bytes"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
)

func TestGenDigest(t *testing.T) {
	// The test vector of reference/erlang-distribution.md §2.2, checked
	// against OTP 25: md5("secret305419896").
	got := genDigest(0x12345678, "secret")
	if want := "1f4d9b4e53cadc3999bcdb386a23c240"; hex.EncodeToString(got[:]) != want {
		t.Errorf("genDigest = %x, want %s", got, want)
	}
	// The challenge is printed unsigned: 0xFFFFFFFF is "4294967295".
	if genDigest(0xFFFFFFFF, "c") == genDigest(0x7FFFFFFF, "c") {
		t.Error("digests of different challenges are equal")
	}
}

func TestHandshakeMessages(t *testing.T) {
	tests := []struct {
		name   string
		append func([]byte) []byte
		want   []byte
		parse  func([]byte) (any, error)
		parsed any
	}{{
		// OTP 25.2.3's send_name, captured (reference §2.2).
		name: "send_name",
		append: func(b []byte) []byte {
			return appendName(b, nameMsg{flags: 0xD07DF7FBD, creation: 0x6B07D8A5, name: "real@vm"})
		},
		want:   unhex("4E 0000000D07DF7FBD 6B07D8A5 0007 7265616c40766d"),
		parse:  func(b []byte) (any, error) { return parseName(b) },
		parsed: nameMsg{flags: 0xD07DF7FBD, creation: 0x6B07D8A5, name: "real@vm"},
	}, {
		// OTP 25.2.3's challenge as acceptor, captured (reference §2.2).
		name: "challenge",
		append: func(b []byte) []byte {
			return appendChallenge(b, challengeMsg{flags: 0xD07DF7FBD, challenge: 0xABB49A85, creation: 0x6B07D8A9, name: "real@vm"})
		},
		want:   unhex("4E 0000000D07DF7FBD ABB49A85 6B07D8A9 0007 7265616c40766d"),
		parse:  func(b []byte) (any, error) { return parseChallenge(b) },
		parsed: challengeMsg{flags: 0xD07DF7FBD, challenge: 0xABB49A85, creation: 0x6B07D8A9, name: "real@vm"},
	}, {
		name:   "status",
		append: func(b []byte) []byte { return appendStatus(b, "ok_simultaneous") },
		want:   []byte("sok_simultaneous"),
		parse:  func(b []byte) (any, error) { return parseStatusMsg(b) },
		parsed: "ok_simultaneous",
	}, {
		name: "challenge_reply",
		append: func(b []byte) []byte {
			return appendReply(b, 0x01020304, genDigest(0x12345678, "secret"))
		},
		want: unhex("72 01020304 1f4d9b4e53cadc3999bcdb386a23c240"),
		parse: func(b []byte) (any, error) {
			ch, d, err := parseReply(b)
			return []any{ch, hex.EncodeToString(d)}, err
		},
		parsed: []any{uint32(0x01020304), "1f4d9b4e53cadc3999bcdb386a23c240"},
	}, {
		name:   "challenge_ack",
		append: func(b []byte) []byte { return appendAck(b, genDigest(0x12345678, "secret")) },
		want:   unhex("61 1f4d9b4e53cadc3999bcdb386a23c240"),
		parse: func(b []byte) (any, error) {
			d, err := parseAck(b)
			return hex.EncodeToString(d), err
		},
		parsed: "1f4d9b4e53cadc3999bcdb386a23c240",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.append([]byte("prefix"))
			if !bytes.Equal(got, append([]byte("prefix"), tt.want...)) {
				t.Fatalf("append = % x, want prefix then % x", got, tt.want)
			}
			parsed, err := tt.parse(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(parsed, tt.parsed) {
				t.Errorf("parse = %#v, want %#v", parsed, tt.parsed)
			}
		})
	}
}

func TestParseOldForms(t *testing.T) {
	// OTP 23 and 24 send version 5 send_name to a node they did not look up
	// in EPMD; ancient acceptors answer with a version 5 challenge.
	name, err := parseName(unhex("6E 0005 01070F94 612d6240682d62"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (nameMsg{old: true, flags: 0x01070F94, name: "a-b@h-b"}); name != want {
		t.Errorf("parseName = %+v, want %+v", name, want)
	}
	ch, err := parseChallenge(unhex("6E 0005 00000F94 0000002A 6140"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (challengeMsg{old: true, flags: 0xF94, challenge: 42, name: "a@"}); ch != want {
		t.Errorf("parseChallenge = %+v, want %+v", ch, want)
	}
	high, creation, err := parseComplement(unhex("63 00000004 00000007"))
	if err != nil || high != 4 || creation != 7 {
		t.Errorf("parseComplement = %d, %d, %v, want 4, 7, nil", high, creation, err)
	}
	// Bytes after the name of a version 6 message are ignored.
	name, err = parseName(unhex("4E 0000000000000000 00000001 0003 612d62 ffff"))
	if err != nil || name.name != "a-b" {
		t.Errorf("parseName with trailing bytes = %+v, %v", name, err)
	}
}

func TestHandshakeMessageErrors(t *testing.T) {
	tests := []struct {
		name  string
		parse func([]byte) error
		in    string
		want  string
	}{
		{"name empty", parseNameErr, "", "protocol violation: empty send_name"},
		{"name tag", parseNameErr, "41 00", "protocol violation: send_name tag 65"},
		{"name short", parseNameErr, "4E 00000000", "protocol violation: send_name of 5 bytes"},
		{"name length", parseNameErr, "4E 0000000000000000 00000001 0009 6162", "protocol violation: send_name name of 9 bytes in 2"},
		{"name version", parseNameErr, "6E 0006 00000000 61", "protocol violation: send_name of version 6"},
		{"name old short", parseNameErr, "6E 0005 0000", "protocol violation: send_name of 5 bytes"},
		{"challenge short", parseChallengeErr, "4E 00", "protocol violation: challenge of 2 bytes"},
		{"challenge tag", parseChallengeErr, "72 00", "protocol violation: challenge tag 114"},
		{"challenge length", parseChallengeErr, "4E 0000000000000000 00000000 00000000 0001", "protocol violation: challenge name of 1 bytes in 0"},
		{"complement", func(b []byte) error { _, _, err := parseComplement(b); return err }, "63 00", "protocol violation: malformed complement (2 bytes)"},
		{"status", func(b []byte) error { _, err := parseStatusMsg(b); return err }, "72 6f6b", "protocol violation: malformed status (3 bytes)"},
		{"reply", func(b []byte) error { _, _, err := parseReply(b); return err }, "72 00000000", "protocol violation: malformed challenge reply (5 bytes)"},
		{"ack", func(b []byte) error { _, err := parseAck(b); return err }, "61 00", "protocol violation: malformed challenge ack (2 bytes)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.parse(unhex(tt.in))
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func parseNameErr(b []byte) error      { _, err := parseName(b); return err }
func parseChallengeErr(b []byte) error { _, err := parseChallenge(b); return err }

func TestValidNodeName(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"short", "a@b", true},
		{"long host", "creo@127.0.0.1", true},
		{"unicode", "nœud@hôte", true},
		{"no at", "ab", false},
		{"no name", "@b", false},
		{"no host", "a@", false},
		{"two ats", "a@b@c", false},
		{"invalid utf-8", "a@\xff", false},
		{"too long", "a@" + string(bytes.Repeat([]byte("h"), 254)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := validNodeName(tt.in); (err == nil) != tt.ok {
				t.Errorf("validNodeName(%q) = %v, want ok=%v", tt.in, err, tt.ok)
			}
		})
	}
}

// unhex decodes hexadecimal test data, with spaces allowed for readability.
func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}
