package dist

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/bufpool"
)

// testDecoder returns a decoder for a connection with flags and the default
// limits.
func testDecoder(t testing.TB, flags Flags, modify ...func(*Config)) *decoder {
	t.Helper()
	cfg, _ := testConfig("a@host")
	for _, m := range modify {
		m(cfg)
	}
	s, err := cfg.settings()
	if err != nil {
		t.Fatal(err)
	}
	return newDecoder(s, flags)
}

// decodeAll feeds packets to d and returns the control messages they
// complete.
func decodeAll(t testing.TB, d *decoder, packets ...[]byte) []Control {
	t.Helper()
	var got []Control
	for i, p := range packets {
		m, err := d.packet(p, false)
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		if m != nil {
			got = append(got, m)
		}
	}
	return got
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// Terms as bytes, for hand-built packets.
var (
	// 'real@vm' as SMALL_ATOM_UTF8_EXT.
	nodeAtom = []byte("\x77\x07real@vm")
	// <0.9.0> on real@vm, creation 0x6B07D8A5: NEW_PID_EXT.
	pidBytes = cat([]byte{88}, nodeAtom, unhex("00000009 00000000 6B07D8A5"))
	pid      = etf.Pid{Node: "real@vm", ID: 9, Creation: 0x6B07D8A5}
	// #Ref<0.1.2.3> on real@vm: NEWER_REFERENCE_EXT.
	refBytes = cat([]byte{90, 0, 3}, nodeAtom, unhex("6B07D8A5 00000001 00000002 00000003"))
	ref      = etf.Ref{Node: "real@vm", Creation: 0x6B07D8A5, Len: 3, ID: [5]uint32{1, 2, 3}}
)

func TestDecodePacket(t *testing.T) {
	tests := []struct {
		name    string
		flags   Flags
		packets [][]byte
		want    []Control
	}{{
		name:  "pass-through",
		flags: Mandatory,
		packets: [][]byte{cat(
			[]byte{'p', 131, 104, 3, 97, 2, 119, 0}, pidBytes, // {2, '', Pid}
			[]byte{131, 119, 2, 'h', 'i'}, // hi
		)},
		want: []Control{Send{To: pid, Message: etf.Atom("hi")}},
	}, {
		name:  "header without atom cache references",
		flags: DefaultFlags,
		packets: [][]byte{cat(
			[]byte{131, 68, 0, 104, 3, 97, 22}, pidBytes, pidBytes, // {22, Pid, Pid}
			[]byte{97, 7}, // 7
		)},
		want: []Control{Send{From: pid, To: pid, Message: etf.Int(7)}},
	}, {
		// OTP 25's MONITOR_P to net_kernel, captured (reference §3.3), and
		// a second packet that uses the cached atoms.
		name:  "atom cache",
		flags: DefaultFlags,
		packets: [][]byte{cat(
			unhex("8344 02 9F00 DA 07"), []byte("real@vm"), unhex("AF 0A"), []byte("net_kernel"),
			[]byte{104, 4, 97, 19, 88, 82, 0}, unhex("00000009 00000000 6B07D8A5"), // {19, Pid,
			[]byte{82, 1, 90, 0, 3, 82, 0}, unhex("6B07D8A5 00000001 00000002 00000003"), // net_kernel, Ref}
		), cat(
			unhex("8344 02 1700 DA AF"), // both cached: segments 7 and 1
			[]byte{104, 4, 97, 20, 88, 82, 0}, unhex("00000009 00000000 6B07D8A5"),
			[]byte{82, 1, 90, 0, 3, 82, 0}, unhex("6B07D8A5 00000001 00000002 00000003"),
		)},
		want: []Control{
			Monitor{From: pid, To: etf.Atom("net_kernel"), Ref: ref},
			Demonitor{From: pid, To: etf.Atom("net_kernel"), Ref: ref},
		},
	}, {
		name:  "long atoms",
		flags: DefaultFlags,
		packets: [][]byte{cat(
			unhex("8344 01 18 00 0002"), []byte("hi"), // one new entry, LongAtoms set
			[]byte{104, 3, 97, 2, 82, 0}, pidBytes, []byte{82, 0}, // {2, hi, Pid} + hi
		)},
		want: []Control{Send{To: pid, Message: etf.Atom("hi")}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeAll(t, testDecoder(t, tt.flags), tt.packets...)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestDecodeFragments(t *testing.T) {
	// The example of erl_ext_dist.md "Distribution Header for fragmented
	// messages": {call, Pid, {set_get_state, <<0:1024>>}} to 'reg', in two
	// fragments, with two atoms cached by earlier messages.
	head := []byte{
		131, 69, 0, 0, 2, 168, 0, 0, 5, 83, 0, 0, 0, 0, 0, 0, 0, 2, // sequence, 2 fragments
		5, 4, 137, 9, // 5 atom cache references and their flags
		10, 5, // two cached
		236, 3, 'r', 'e', 'g',
		9, 4, 'c', 'a', 'l', 'l',
		238, 13, 's', 'e', 't', '_', 'g', 'e', 't', '_', 's', 't', 'a', 't', 'e',
		104, 4, 97, 6, 103, 82, 0, 0, 0, 0, 85, 0, 0, 0, 0, 2, 82, 1, 82, 2, // control
		104, 3, 82, 3, 103, 82, 0, 0, 0, 0, 245, 0, 0, 0, 2, 2, // message
		104, 2, 82, 4, 109, 0, 0, 0, 128,
	}
	binary := make([]byte, 128)
	first := cat(head, binary[:100])
	second := cat([]byte{131, 70, 0, 0, 2, 168, 0, 0, 5, 83, 0, 0, 0, 0, 0, 0, 0, 1}, binary[100:])

	d := testDecoder(t, DefaultFlags)
	d.cache.store(4<<8|10, "a@host")
	d.cache.store(5, "b@host")
	got := decodeAll(t, d, first, second)
	want := []Control{RegSend{
		From: etf.Pid{Node: "a@host", ID: 85, Creation: 2},
		To:   "reg",
		Message: etf.Tuple{
			etf.Atom("call"),
			etf.Pid{Node: "a@host", ID: 245, Serial: 2, Creation: 2},
			etf.Tuple{etf.Atom("set_get_state"), etf.Binary(binary)},
		},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
	if len(d.partial) != 0 || d.partialBytes != 0 {
		t.Errorf("after the last fragment: %d partial messages of %d bytes", len(d.partial), d.partialBytes)
	}
}

func TestDecodeInterleavedFragments(t *testing.T) {
	// Two fragmented messages from different senders interleave, with a
	// whole message between their fragments; each completes in order.
	send := cat([]byte{104, 3, 97, 2, 119, 0}, pidBytes) // {2, '', Pid}
	packets := [][]byte{
		fragmentHead(1, 3, cat(send, []byte{109, 0, 0, 0, 3, 'a'})...), // <<"abc">> in 3 fragments
		fragmentHead(2, 2, cat(send, []byte{109, 0, 0, 0, 2, 'x'})...), // <<"xy">> in 2
		cat([]byte{131, 68, 0}, send, []byte{97, 1}),
		fragmentCont(1, 2, 'b'),
		fragmentCont(2, 1, 'y'),
		fragmentCont(1, 1, 'c'),
	}
	got := decodeAll(t, testDecoder(t, DefaultFlags), packets...)
	want := []Control{
		Send{To: pid, Message: etf.Int(1)},
		Send{To: pid, Message: etf.Binary("xy")},
		Send{To: pid, Message: etf.Binary("abc")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
}

// TestPartialDataRoom checks the buffer a fragmented message gets at its
// first fragment: after room for its atoms, room for the fragments announced, but never more than
// one readChunk beyond what arrived, nor than MaxMessageSize leaves, give
// or take bufpool's rounding up to its size class.
func TestPartialDataRoom(t *testing.T) {
	first := make([]byte, 1000)
	tests := []struct {
		name     string
		count    uint64
		maxBytes int
		want     int // the buffer's capacity, before bufpool rounds it up
	}{
		{name: "two fragments", count: 2, maxBytes: 1 << 30, want: 2000},
		{name: "the count a peer claims", count: math.MaxUint64, maxBytes: 1 << 30, want: 1000 + readChunk},
		{name: "bounded by MaxMessageSize", count: 100, maxBytes: 5000, want: 5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := testDecoder(t, DefaultFlags, func(c *Config) { c.MaxMessageSize = tt.maxBytes })
			if err := d.reserve(len(first)); err != nil {
				t.Fatal(err)
			}
			data := d.newPartialData(first, tt.count)
			// bufpool's classes are 64 KiB apart up to past readChunk, and
			// have 4 KiB of slack.
			most := max(bufpool.MinSize, tt.want) + 68<<10
			if got := data[partialFront:]; !bytes.Equal(got, first) || cap(got) < tt.want || cap(got) > most {
				t.Errorf("data of %d bytes, room for %d; want %d, %d to %d", len(got), cap(got), len(first), tt.want, most)
			}
		})
	}
}

func TestDecodeRawPayloads(t *testing.T) {
	tests := []struct {
		name   string
		packet []byte
		want   Control
	}{{
		name:   "kept as sent",
		packet: cat([]byte{131, 68, 0, 104, 3, 97, 2, 119, 0}, pidBytes, []byte{104, 2, 97, 1, 106}),
		want:   Send{To: pid, Message: etf.Raw{104, 2, 97, 1, 106}},
	}, {
		name: "atom cache references resolved",
		packet: cat(unhex("8344 01 08 00 02"), []byte("hi"),
			[]byte{104, 3, 97, 2, 119, 0}, pidBytes, []byte{104, 2, 82, 0, 106}),
		want: Send{To: pid, Message: etf.Raw{104, 2, 119, 2, 'h', 'i', 106}},
	}, {
		name:   "exit reasons decoded",
		packet: cat([]byte{131, 68, 0, 104, 3, 97, 24}, pidBytes, pidBytes, []byte{119, 4, 'k', 'i', 'l', 'l'}),
		want:   Exit{From: pid, To: pid, Reason: etf.Atom("kill")},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := testDecoder(t, DefaultFlags, func(c *Config) { c.RawPayloads = true })
			got := decodeAll(t, d, tt.packet)
			if !reflect.DeepEqual(got, []Control{tt.want}) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestDecodePacketErrors(t *testing.T) {
	sendCtl := cat([]byte{104, 3, 97, 2, 119, 0}, pidBytes)
	tests := []struct {
		name    string
		flags   Flags
		limits  func(*Config)
		packets [][]byte // all but the last must decode
		want    string
	}{
		{name: "empty", packets: [][]byte{{}}, want: "empty packet"},
		{name: "pass-through when a header was negotiated", packets: [][]byte{{'p', 131, 106}}, want: "packet starts 70 83, want a distribution header"},
		{name: "header when none was negotiated", flags: Mandatory, packets: [][]byte{{131, 68, 0}}, want: "packet type 131, want pass-through"},
		{name: "unknown header", packets: [][]byte{{131, 67}}, want: "distribution header tag 67"},
		{name: "fragment not negotiated", flags: Mandatory | FlagDistHdrAtomCache, packets: [][]byte{{131, 69}}, want: "distribution header tag 69"},
		{name: "no atom count", packets: [][]byte{{131, 68}}, want: "distribution header without its atom count"},
		{name: "atom flags truncated", packets: [][]byte{{131, 68, 3, 0}}, want: "atom cache flags truncated"},
		{name: "atom reference truncated", packets: [][]byte{{131, 68, 1, 8}}, want: "atom cache reference 0 truncated"},
		{name: "empty slot", packets: [][]byte{{131, 68, 1, 0, 7}}, want: "atom cache reference 0 to empty slot 7"},
		{name: "atom text truncated", packets: [][]byte{{131, 68, 1, 8, 7, 5, 'a'}}, want: "atom cache reference 0: atom of 5 bytes in 1"},
		{name: "atom length truncated", packets: [][]byte{{131, 68, 1, 0x18, 7, 0}}, want: "atom cache reference 0: atom length truncated"},
		{name: "atom not UTF-8", packets: [][]byte{{131, 68, 1, 8, 7, 1, 0xff}}, want: "atom cache reference 0: atom text is not UTF-8 of at most 255 characters"},
		{name: "control not a tuple", packets: [][]byte{{131, 68, 0, 97, 1}}, want: "control message etf.Int is not a tuple"},
		{name: "operation not an integer", packets: [][]byte{{131, 68, 0, 104, 1, 106}}, want: "control message operation etf.List"},
		{name: "wrong arity", packets: [][]byte{{131, 68, 0, 104, 2, 97, 1, 106}}, want: "LINK tuple of 2 elements, want 3"},
		{name: "wrong element", packets: [][]byte{cat([]byte{131, 68, 0, 104, 3, 97, 1, 106}, pidBytes)}, want: "LINK element 1 is etf.List, not a pid"},
		{name: "missing payload", packets: [][]byte{cat([]byte{131, 68, 0}, sendCtl)}, want: "SEND without its payload"},
		{name: "unexpected payload", packets: [][]byte{cat([]byte{131, 68, 0, 104, 3, 97, 1}, pidBytes, pidBytes, []byte{106})}, want: "LINK followed by a payload"},
		{name: "trailing bytes", packets: [][]byte{cat([]byte{131, 68, 0}, sendCtl, []byte{106, 106})}, want: "1 bytes after the SEND payload"},
		{name: "pass-through term without version", flags: Mandatory, packets: [][]byte{{'p', 104}}, want: "control message: term without its version byte"},
		{name: "fragment header truncated", packets: [][]byte{{131, 69, 0}}, want: "fragment header of 1 bytes"},
		{name: "zero fragments", packets: [][]byte{cat([]byte{131, 69}, make([]byte, 16), []byte{0})}, want: "fragmented message 0 of 0 fragments"},
		{
			name:    "started twice",
			packets: [][]byte{fragmentHead(1, 2, sendCtl...), fragmentHead(1, 2, sendCtl...)},
			want:    "fragmented message 1 started twice",
		},
		{name: "unknown sequence", packets: [][]byte{fragmentCont(1, 1)}, want: "fragment 1 of unknown message 1"},
		{
			name:    "fragment out of order",
			packets: [][]byte{fragmentHead(1, 3, sendCtl...), fragmentCont(1, 1)},
			want:    "fragment 1 of message 1, want 2",
		},
		{
			name:    "too many fragmented messages",
			limits:  func(c *Config) { c.MaxFragmentedMessages = 1 },
			packets: [][]byte{fragmentHead(1, 2, sendCtl...), fragmentHead(2, 2, sendCtl...)},
			want:    "more than 1 fragmented messages at once",
		},
		{
			name:    "fragmented messages too large",
			limits:  func(c *Config) { c.MaxMessageSize = len(sendCtl) + 2 },
			packets: [][]byte{fragmentHead(1, 3, sendCtl...), fragmentCont(1, 2, 1, 2, 3)},
			want:    "fragmented messages exceed 30 bytes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flags := tt.flags
			if flags == 0 {
				flags = DefaultFlags
			}
			var modify []func(*Config)
			if tt.limits != nil {
				modify = append(modify, tt.limits)
			}
			d := testDecoder(t, flags, modify...)
			last := len(tt.packets) - 1
			decodeAll(t, d, tt.packets[:last]...)
			_, err := d.packet(tt.packets[last], false)
			if err == nil || err.Error() != "protocol violation: "+tt.want {
				t.Errorf("error %v, want %q", err, "protocol violation: "+tt.want)
			}
		})
	}
}

func fragmentHead(seq, count byte, data ...byte) []byte {
	return cat([]byte{131, 69, 0, 0, 0, 0, 0, 0, 0, seq, 0, 0, 0, 0, 0, 0, 0, count, 0}, data)
}

func fragmentCont(seq, id byte, data ...byte) []byte {
	return cat([]byte{131, 70, 0, 0, 0, 0, 0, 0, 0, seq, 0, 0, 0, 0, 0, 0, 0, id}, data)
}

func TestDecodeErrorsWrapEtf(t *testing.T) {
	// A term the codec refuses is a protocol violation that says where.
	_, err := testDecoder(t, DefaultFlags).packet([]byte{131, 68, 0, 104, 3, 97}, false)
	if err == nil || !strings.HasPrefix(err.Error(), "protocol violation: control message: etf: ") {
		t.Errorf("error %v, want a protocol violation wrapping the codec's error", err)
	}
}

func TestDecodeOwnership(t *testing.T) {
	// A packet in a reused buffer is copied from; one the reader will not
	// reuse is shared, which saves copying large binaries.
	tests := []struct {
		name   string
		raw    bool
		owned  bool
		shared bool
	}{
		{"reused buffer", false, false, false},
		{"reused buffer, raw", true, false, false},
		{"owned buffer", false, true, true},
		{"owned buffer, raw", true, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			packet := cat([]byte{131, 68, 0, 104, 3, 97, 2, 119, 0}, pidBytes, []byte{109, 0, 0, 0, 3, 'a', 'b', 'c'})
			d := testDecoder(t, DefaultFlags, func(c *Config) { c.RawPayloads = tt.raw })
			m, err := d.packet(packet, tt.owned)
			if err != nil {
				t.Fatal(err)
			}
			packet[len(packet)-1] = 'X' // the reader reuses its buffer
			var last byte
			switch msg := m.(Send).Message.(type) {
			case etf.Binary:
				last = msg[len(msg)-1]
			case etf.Raw:
				last = msg[len(msg)-1]
			}
			if shared := last == 'X'; shared != tt.shared {
				t.Errorf("message shares the packet: %v, want %v", shared, tt.shared)
			}
		})
	}
}
