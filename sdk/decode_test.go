package sdk

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// TestDecodeAsEtf checks that decode gives what etf's decoder gives, for
// the terms it decodes itself and for those it leaves to etf, twice each,
// so that the second time an atom comes from the memo.
func TestDecodeAsEtf(t *testing.T) {
	tests := []struct {
		name string
		raw  etf.Raw
	}{
		{"nil", etf.Raw{106}},
		{"small integer", etf.Raw{97, 200}},
		{"integer", etf.Raw{98, 0xff, 0xff, 0xff, 0x85}},
		{"big integer", etf.Raw{110, 1, 1, 5}},
		{"binary", etf.Raw{109, 0, 0, 0, 3, 'v', 's', 'n'}},
		{"empty binary", etf.Raw{109, 0, 0, 0, 0}},
		{"utf-8 atom", etf.Raw{119, 3, 'g', 'e', 't'}},
		{"long utf-8 atom", append(etf.Raw{118, 0, 5}, "héé"...)},
		{"latin-1 atom", etf.Raw{115, 2, 'h', 0xe9}},
		{"old atom", etf.Raw{100, 0, 3, 'i', 'n', 'c'}},
		{"tuple", etf.Raw{104, 2, 119, 3, 'a', 'd', 'd', 97, 1}},
		{"empty tuple", etf.Raw{104, 0}},
		{"tuple of every scalar", etf.Raw{104, 6, 119, 4, 'p', 'i', 'n', 'g', 109, 0, 0, 0, 1, 'x', 106, 98, 0xff, 0xff, 0xff, 0xfb, 115, 1, 0xe9, 100, 0, 1, 'a'}},
		{"tuple in a tuple", etf.Raw{104, 2, 119, 1, 'a', 104, 1, 97, 1}},
		{"tuple of a pid", append(etf.Raw{104, 1}, encodeTerm(t, caller)...)},
		{"large tuple", etf.Raw{105, 0, 0, 0, 1, 97, 3}},
		{"list", etf.Raw{108, 0, 0, 0, 1, 97, 1, 106}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, _, err := etf.DecodeTerm(tt.raw, nil)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				got, err := decode(tt.raw)
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Fatalf("decoded %#v, %v; want %#v", got, err, want)
				}
			}
		})
	}
}

// TestDecodeRefusesAsEtf checks that bytes etf refuses are refused, not
// taken for a term decode knows.
func TestDecodeRefusesAsEtf(t *testing.T) {
	for _, raw := range []etf.Raw{
		{97},
		{98, 0, 0, 1},
		{109, 0, 0, 0, 4, 'a'},
		{119, 3, 'g', 'e'},
		{119, 2, 0xff, 0xfe},
		{104, 2, 97, 1},
		{104, 1, 119, 2, 0xff, 0xfe},
		{104, 1, 109, 0, 0, 0, 9, 'a'},
		{},
	} {
		if got, err := decode(raw); err == nil {
			t.Errorf("decoded % x as %#v", []byte(raw), got)
		}
	}
}

// TestDecodeAtomMemo checks the memo of atoms against more atoms than it
// has slots, some of the same bytes as others but a byte, and that an
// atom it holds decodes with no allocation.
func TestDecodeAtomMemo(t *testing.T) {
	enc := func(a etf.Atom) etf.Raw { return encodeTerm(t, a) }
	for round := range 3 {
		for i := range 3 * len(atoms) {
			a := etf.Atom(fmt.Sprintf("atom_%d", i))
			if got, err := decode(enc(a)); err != nil || got != a {
				t.Fatalf("round %d: decoded %v as %#v, %v", round, a, got, err)
			}
		}
	}
	get := enc("get")
	if _, err := decode(get); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		if got, _ := decode(get); got != etf.Atom("get") {
			t.Fatalf("decoded get as %#v", got)
		}
	}); n != 0 {
		t.Errorf("decoding a remembered atom allocated %v times", n)
	}
	long := etf.Atom(strings.Repeat("x", 255))
	if got, err := decode(enc(long)); err != nil || got != long {
		t.Errorf("decoded a long atom as %#v, %v", got, err)
	}
}

// TestDecodeAtomMemoGoroutines decodes atoms from several goroutines at
// once, as a server's native tests may: under -race it shows that the
// memo's slots are read and written whole.
func TestDecodeAtomMemoGoroutines(t *testing.T) {
	names := make([]etf.Atom, 2*len(atoms))
	encoded := make([]etf.Raw, len(names))
	for i := range names {
		names[i] = etf.Atom(fmt.Sprintf("goroutine_atom_%d", i))
		encoded[i] = encodeTerm(t, names[i])
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range names {
				j := (i + g) % len(names)
				if got, err := decode(encoded[j]); err != nil || got != names[j] {
					t.Errorf("decoded %v as %#v, %v", names[j], got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
