package dist

import (
	"reflect"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// TestReadCallControlAgreesWithDecode checks that whatever readCallControl
// reads, from a call's control tuples and from every one-byte change and
// truncation of them, is what decoding the tuple and decodeControl make of
// it; what it leaves to them is theirs to read or report.
func TestReadCallControlAgreesWithDecode(t *testing.T) {
	tests, _ := callPacketTests(t, false)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, d := callPacketTests(t, false)
			rest, err := d.header(tt.packet[2:])
			if err != nil {
				t.Fatal(err)
			}
			if _, _, ok := readCallControl(rest, d.atoms); !ok {
				t.Fatal("readCallControl left the packet to decodeControl")
			}
			read, left := 0, 0
			var name etf.Term // shared, as a decoder's is
			check := func(b []byte) {
				c, n, ok := readCallControl(b, d.atoms)
				if !ok {
					left++
					return
				}
				read++
				ctl, m, err := etf.DecodeOptions{Atoms: d.atoms}.DecodeTerm(b)
				if err != nil || m != n {
					t.Fatalf("% x: read %d bytes, decoded %d: %v", b, n, m, err)
				}
				var payload etf.Term
				if carriesMessage(c.op) {
					payload = etf.Atom("message")
				}
				want, err := decodeControl(ctl, payload)
				if got := c.control(payload, &name); err != nil || !reflect.DeepEqual(got, want) {
					t.Fatalf("% x: read %#v, decoded %#v (%v)", b, got, want, err)
				}
			}
			for i := range rest {
				check(rest[:i])
				b := append([]byte(nil), rest...)
				for v := range 256 {
					b[i] = byte(v)
					check(b)
				}
			}
			if read == 0 || left == 0 {
				t.Errorf("%d variants read, %d left to decodeControl: want some of each", read, left)
			}
		})
	}
}
