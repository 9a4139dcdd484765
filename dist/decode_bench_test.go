package dist

import (
	"encoding/binary"
	"reflect"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// callAtoms are the atom cache slots (segment 0) an OTP 25 node fills for
// the packets of a gen:call to a registered name.
var callAtoms = []string{"bench@127.0.0.1", "echo", "", "$gen_call", "alias", "get"}

// cacheHeader returns a normal distribution header whose references name
// the given slots of callAtoms, defining them when define is set, as OTP
// does the first time it sends each atom.
func cacheHeader(define bool, slots ...byte) []byte {
	n := len(slots)
	flags := make([]byte, n/2+1)
	var refs []byte
	for i, s := range slots {
		if define {
			flags[i/2] |= 8 << (4 * (i % 2))
			refs = append(refs, s, byte(len(callAtoms[s])))
			refs = append(refs, callAtoms[s]...)
		} else {
			refs = append(refs, s)
		}
	}
	return cat([]byte{131, 68, byte(n)}, flags, refs)
}

// callPid and callRef are the caller and the monitor of a call, on the
// node of the header's reference 0.
var (
	callPid = cat([]byte{88, 82, 0}, unhex("00000123 00000000 6B07D8A5"))
	callRef = cat([]byte{90, 0, 3, 82, 0}, unhex("6B07D8A5 0003A2C1 00040001 9C2F0E11"))
)

// callPackets returns the MONITOR_P, REG_SEND and DEMONITOR_P packets of
// GenServer.call({:echo, node}, {:get, "user:42", 5000}) as an OTP 25 node
// sends them, its atoms cached (defined when define is set).
func callPackets(define bool) (monitor, regSend, demonitor []byte) {
	// {19, Pid, echo, Ref} and {20, ...}: the header names node and echo.
	monitor = cat(cacheHeader(define, 0, 1), []byte{104, 4, 97, 19}, callPid, []byte{82, 1}, callRef)
	demonitor = cat(cacheHeader(false, 0, 1), []byte{104, 4, 97, 20}, callPid, []byte{82, 1}, callRef)
	// {6, Pid, '', echo} then {'$gen_call', {Pid, [alias|Ref]}, {get, <<"user:42">>, 5000}}.
	key := binary.BigEndian.AppendUint32([]byte{109}, 7)
	regSend = cat(cacheHeader(define, 0, 2, 1, 3, 4, 5),
		[]byte{104, 4, 97, 6}, callPid, []byte{82, 1, 82, 2},
		[]byte{104, 3, 82, 3, 104, 2}, callPid, []byte{108, 0, 0, 0, 1, 82, 4}, callRef,
		[]byte{104, 3, 82, 5}, key, []byte("user:42"), []byte{98, 0, 0, 0x13, 0x88},
	)
	return monitor, regSend, demonitor
}

// callPacket is one of a call's packets, named.
type callPacket struct {
	name   string
	packet []byte
}

// callPacketTests returns the packets of callPackets with their atoms
// cached, and a decoder, with RawPayloads when raw is set, that has read
// the packets defining them.
func callPacketTests(t testing.TB, raw bool) ([]callPacket, *decoder) {
	t.Helper()
	d := testDecoder(t, DefaultFlags, func(c *Config) { c.RawPayloads = raw })
	defMonitor, defRegSend, _ := callPackets(true)
	decodeAll(t, d, defMonitor, defRegSend)
	monitor, regSend, demonitor := callPackets(false)
	return []callPacket{{"monitor", monitor}, {"reg_send", regSend}, {"demonitor", demonitor}}, d
}

// BenchmarkDecodeCall decodes the three control packets of a call, as they
// arrive from an OTP 25 node, with raw payloads as host reads them.
func BenchmarkDecodeCall(b *testing.B) {
	tests, _ := callPacketTests(b, true)
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			_, d := callPacketTests(b, true)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.packet(tt.packet, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDecodeCallPackets checks what the benchmark's packets decode to.
func TestDecodeCallPackets(t *testing.T) {
	pid := etf.Pid{Node: "bench@127.0.0.1", ID: 0x123, Creation: 0x6B07D8A5}
	ref := etf.Ref{Node: "bench@127.0.0.1", Creation: 0x6B07D8A5, Len: 3, ID: [5]uint32{0x3A2C1, 0x40001, 0x9C2F0E11}}
	msg, err := etf.AppendTerm(nil, etf.Tuple{
		etf.Atom("$gen_call"),
		etf.Tuple{pid, etf.ImproperList{Elems: etf.List{etf.Atom("alias")}, Tail: ref}},
		etf.Tuple{etf.Atom("get"), etf.Binary("user:42"), etf.Int(5000)},
	})
	if err != nil {
		t.Fatal(err)
	}
	mon := Monitor{From: pid, To: etf.Atom("echo"), Ref: ref}
	send := RegSend{From: pid, To: "echo", Message: etf.Raw(msg)}
	defMonitor, defRegSend, _ := callPackets(true)
	monitor, regSend, demonitor := callPackets(false)
	tests := []struct {
		name   string
		packet []byte
		want   Control
	}{
		{"monitor defining atoms", defMonitor, mon},
		{"reg_send defining atoms", defRegSend, send},
		{"monitor", monitor, mon},
		{"reg_send", regSend, send},
		{"demonitor", demonitor, Demonitor(mon)},
	}
	d := testDecoder(t, DefaultFlags, func(c *Config) { c.RawPayloads = true })
	for _, tt := range tests {
		got, err := d.packet(tt.packet, false)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %#v\nwant %#v", tt.name, got, tt.want)
		}
	}
}
