package epmd

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"testing"
)

// The fuzz targets feed arbitrary bytes to each parser: it must never panic,
// and whatever it accepts must encode back to something it parses the same.

// FuzzRequest covers what the server does with the bytes of a connection:
// the length-prefixed read, then the parse.
func FuzzRequest(f *testing.F) {
	for _, seed := range []string{
		"00 11 78 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00",
		"00 13 78 00 01 4D 00 00 06 00 05 00 01 61 00 02 09 08",
		"00 05 7A 66 61 6B 65",
		"00 06 7A 66 61 6B 65 00",
		"00 01 6E",
		"00 01 6B",
		"00 00",
		"FF FF 78",
	} {
		f.Add(unhex(f, seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		body, err := readRequest(bytes.NewReader(data))
		if err != nil {
			return
		}
		req, err := parseRequest(body)
		if err != nil {
			return
		}
		var again []byte
		switch req.op {
		case opAlive2Req:
			if again = appendAlive2Req(nil, req.node); !bytes.Equal(again[2:], body) {
				t.Fatalf("ALIVE2_REQ % X encodes back as % X", body, again[2:])
			}
		case opPortPlease2Req:
			again = appendPortPlease2Req(nil, req.name)
		default:
			return
		}
		body, err = readRequest(bytes.NewReader(again))
		if err != nil {
			t.Fatalf("re-encoded %+v does not read back: %v", req, err)
		}
		if back, err := parseRequest(body); err != nil || !reflect.DeepEqual(back, req) {
			t.Fatalf("%+v parses back as %+v, %v", req, back, err)
		}
	})
}

func FuzzAlive2Reply(f *testing.F) {
	for _, seed := range []string{"76 00 6B 07 D8 A4", "76 01 00 00 00 63", "79 00 00 03", "79 01 00 63", "77 01", ""} {
		f.Add(unhex(f, seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		creation, err := parseAlive2Resp(data)
		if err != nil {
			return
		}
		var highest uint16 = 5
		if opcode(data[0]) == opAlive2XResp {
			highest = 6
		}
		if again := appendAlive2Resp(nil, highest, resultOK, creation); !bytes.Equal(again, data) {
			t.Fatalf("% X encodes back as % X", data, again)
		}
	})
}

func FuzzPort2Reply(f *testing.F) {
	for _, seed := range []string{"77 00 A2 89 48 00 00 06 00 05 00 04 66 61 6B 65 00 00", "77 01", "77 00", ""} {
		f.Add(unhex(f, seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := parsePort2Resp(data)
		if err != nil {
			return
		}
		if again := appendPort2Resp(nil, &n); !bytes.Equal(again, data) {
			t.Fatalf("% X encodes back as % X", data, again)
		}
	})
}

func FuzzNamesReply(f *testing.F) {
	f.Add(append(unhex(f, "00 00 38 21"), "name fakev5 at port 41609\nname fake at port 41609\n"...))
	f.Add(append(unhex(f, "00 00 11 11"), "name a at port 1 at port 2\n"...))
	f.Add(unhex(f, "00 00 11 11"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseNamesResp(data)
		if err != nil {
			return
		}
		again := appendNamesResp(nil, binary.BigEndian.Uint32(data), entries)
		if back, err := parseNamesResp(again); err != nil || !reflect.DeepEqual(back, entries) {
			t.Fatalf("%v parses back as %v, %v", entries, back, err)
		}
	})
}
