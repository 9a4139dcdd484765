package host

import (
	"testing"

	"github.com/creo-dev/creo/etf"
)

// TestRawCall holds rawCall to what classify and FromTerm make of the
// same message, and to leaving what it does not read to them.
func TestRawCall(t *testing.T) {
	pid := etf.Pid{Node: "a@b", ID: 1, Serial: 2, Creation: 3}
	ref := etf.Ref{Node: "a@b", Creation: 3, Len: 3, ID: [5]uint32{4, 5, 6}}
	req := etf.Tuple{etf.Atom("req"), etf.Int(7)}
	for _, tc := range []struct {
		name string
		msg  etf.Term
		read bool // rawCall reads it, rather than leaving it to classify
	}{
		{name: "a call tagged [alias | Ref]", msg: etf.Tuple{atomGenCall, etf.Tuple{pid, aliasTag(ref)}, req}, read: true},
		{name: "a call tagged with a Ref", msg: etf.Tuple{atomGenCall, etf.Tuple{pid, ref}, req}, read: true},
		{name: "a call tagged with another term", msg: etf.Tuple{atomGenCall, etf.Tuple{pid, etf.List{etf.Atom("alias"), ref}}, req}, read: true},
		{name: "a call tagged [other | Ref]", msg: etf.Tuple{atomGenCall, etf.Tuple{pid, etf.ImproperList{Elems: []etf.Term{etf.Atom("other")}, Tail: ref}}, req}, read: true},
		{name: "a call whose From has no pid", msg: etf.Tuple{atomGenCall, etf.Tuple{etf.Atom("x"), ref}, req}},
		{name: "a call whose From is not a pair", msg: etf.Tuple{atomGenCall, etf.Tuple{pid, ref, ref}, req}},
		{name: "a system message", msg: etf.Tuple{atomSystem, etf.Tuple{pid, aliasTag(ref)}, req}},
		{name: "a cast", msg: etf.Tuple{atomGenCast, req}},
		{name: "a call of the wrong arity", msg: etf.Tuple{atomGenCall, etf.Tuple{pid, aliasTag(ref)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := raw(t, tc.msg)
			from, gotReq, ok := rawCall(r)
			if ok != tc.read {
				t.Fatalf("rawCall read it: %v, want %v", ok, tc.read)
			}
			if !ok {
				return
			}
			kind, a, b := classify(r)
			want, wantOK := FromTerm(a)
			if kind != msgCall || !wantOK {
				t.Fatalf("classify = %v, From %v: not a call", kind, a)
			}
			if !etf.Equal(from.Term(), want.Term()) || from.alias != want.alias || (from.tag == nil) != (want.tag == nil) {
				t.Fatalf("From = %v, want %v", from.Term(), want.Term())
			}
			if string(gotReq) != string(b.(etf.Raw)) {
				t.Fatalf("request = %v, want %v", gotReq, b)
			}
		})
	}
	t.Run("a truncated call is left to classify", func(t *testing.T) {
		r := raw(t, etf.Tuple{atomGenCall, etf.Tuple{pid, aliasTag(ref)}, req})
		for n := range len(r) {
			if _, _, ok := rawCall(r[:n]); ok && n < len(r)-len(raw(t, req)) {
				t.Fatalf("rawCall read a From from %d of its bytes", n)
			}
		}
	})
}
