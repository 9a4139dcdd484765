package dist

import (
	"bytes"
	"context"
	"encoding/binary"
	"log/slog"
	"net"
	"reflect"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

// scriptConn is a net.Conn whose peer sends fixed bytes and takes whatever
// is written, so that fuzzing runs without goroutines on the other end.
type scriptConn struct {
	in *bytes.Reader
}

func (c scriptConn) Read(p []byte) (int, error)       { return c.in.Read(p) }
func (c scriptConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c scriptConn) Close() error                     { return nil }
func (c scriptConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c scriptConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c scriptConn) SetDeadline(time.Time) error      { return nil }
func (c scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c scriptConn) SetWriteDeadline(time.Time) error { return nil }

// frames2 joins handshake messages with their 2-byte lengths.
func frames2(msgs ...[]byte) []byte {
	var b []byte
	for _, m := range msgs {
		b = append(binary.BigEndian.AppendUint16(b, uint16(len(m))), m...)
	}
	return b
}

// frames4 joins packets with their 4-byte lengths.
func frames4(packets ...[]byte) []byte {
	var b []byte
	for _, p := range packets {
		b = append(binary.BigEndian.AppendUint32(b, uint32(len(p))), p...)
	}
	return b
}

// FuzzHandshake feeds what a peer sends to both sides of the handshake.
// Whatever it is, the handshake ends with a connection or an error, and
// never panics.
func FuzzHandshake(f *testing.F) {
	name := appendName(nil, nameMsg{flags: DefaultFlags, creation: 1, name: "a@host"})
	f.Add(frames2(name, appendReply(nil, 1, genDigest(2, "cookie"))))
	f.Add(frames2(append([]byte{'n', 0, 5}, append(binary.BigEndian.AppendUint32(nil, uint32(DefaultFlags&0xffffffff)), "a@h"...)...),
		[]byte{'c', 0, 0, 0, 4, 0, 0, 0, 1}, appendReply(nil, 1, genDigest(2, "cookie"))))
	f.Add(frames2(name, []byte("strue")))
	f.Add(frames2([]byte("sok"), appendChallenge(nil, challengeMsg{flags: DefaultFlags, challenge: 3, creation: 1, name: "b@host"}),
		appendAck(nil, genDigest(4, "cookie"))))
	f.Add(frames2([]byte("salive"), []byte("snamed:")))
	f.Fuzz(func(t *testing.T, peer []byte) {
		cfg, _ := testConfig("b@host")
		cfg.Logger = slog.New(slog.DiscardHandler)
		cfg.Admit = func(p etf.Atom, _ Flags) Status { return Status(len(p) % 5) }
		ctx := context.Background()
		if c, err := Accept(ctx, scriptConn{bytes.NewReader(peer)}, cfg); err == nil {
			c.Close()
			<-c.Done()
		}
		if c, err := Initiate(ctx, scriptConn{bytes.NewReader(peer)}, "b@host", cfg); err == nil {
			c.Close()
			<-c.Done()
		}
	})
}

// FuzzReadPacket feeds a stream of packets to a connection's reader. The
// first byte chooses the flags. Whatever the stream, the reader ends with an
// error rather than a panic, and every control message it delivers encodes
// and decodes back to itself.
func FuzzReadPacket(f *testing.F) {
	link := cat([]byte{104, 3, 97, 1}, pidBytes, pidBytes)
	f.Add(cat([]byte{0}, frames4(cat([]byte{131, 68, 0}, link), nil)))
	f.Add(cat([]byte{1}, frames4(cat([]byte{'p', 131}, link))))
	f.Add(cat([]byte{0}, frames4(
		cat(unhex("8344 02 9F00 DA 07"), []byte("real@vm"), unhex("AF 0A"), []byte("net_kernel"),
			[]byte{104, 4, 97, 19, 88, 82, 0}, unhex("00000009 00000000 6B07D8A5"),
			[]byte{82, 1, 90, 0, 3, 82, 0}, unhex("6B07D8A5 00000001 00000002 00000003")),
		cat(unhex("8344 02 1700 DA AF"), []byte{104, 2, 97, 7, 82, 0}),
	)))
	send := cat([]byte{104, 3, 97, 2, 119, 0}, pidBytes)
	f.Add(cat([]byte{0}, frames4(
		fragmentHead(1, 3, cat(send, []byte{109, 0, 0, 0, 3, 'a'})...),
		fragmentCont(1, 2, 'b'),
		fragmentCont(1, 1, 'c'),
	)))
	f.Add(cat([]byte{3}, frames4( // raw payloads: a fragmented message naming cached atoms
		cat([]byte{131, 69, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2}, unhex("01 08 00 02"), []byte("hi"),
			send, []byte{104, 2, 82, 0, 109, 0, 0, 0, 3, 'a'}),
		fragmentCont(1, 1, 'b', 'c'),
	)))
	for _, tt := range everyControl {
		body, _, _, err := appendControl(nil, tt.msg, DefaultFlags, false, 0)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(cat([]byte{0}, frames4(cat([]byte{131, 68, 0}, body))))
	}
	flagSets := []Flags{DefaultFlags, Mandatory, Mandatory | FlagFragments}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		flags := flagSets[int(in[0])%len(flagSets)]
		raw := in[0]/byte(len(flagSets))%2 == 1 // payloads kept encoded, their atoms resolved
		cfg, _ := testConfig("a@host")
		cfg.Logger = slog.New(slog.DiscardHandler)
		cfg.MaxPacketSize, cfg.MaxMessageSize, cfg.MaxFragmentedMessages = 1<<16, 1<<16, 4
		cfg.RawPayloads = raw
		// Delivered messages are checked with every flag, so that what the
		// peer sends without having negotiated it can be encoded.
		check := testDecoder(t, DefaultFlags, func(c *Config) { c.RawPayloads = raw })
		cfg.Handler = func(_ *Conn, m Control) {
			m = withoutBuffer(m) // output knows nothing of it
			packet, _, _, err := appendControl([]byte{131, 68, 0}, m, DefaultFlags, false, 0)
			if err != nil {
				if _, unknown := m.(Unknown); !unknown {
					t.Errorf("decoded %#v but cannot encode it: %v", m, err)
				}
				return
			}
			again, err := check.packet(packet, false)
			if err != nil || !reflect.DeepEqual(again, m) {
				t.Errorf("decoded %#v\nencoded and decoded again %#v, %v", m, again, err)
			}
		}
		s, err := cfg.settings()
		if err != nil {
			t.Fatal(err)
		}
		c := newConn(scriptConn{bytes.NewReader(in[1:])}, s, "b@host", 1, flags)
		<-c.Done()
		if err := c.Err(); err == nil {
			t.Error("the reader ended without an error")
		}
	})
}
