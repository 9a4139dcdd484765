package abi

import (
	"testing"

	"github.com/creo-dev/creo/etf"
)

// TestGoGuestCollectsGarbage replays the stall of a Go guest's garbage
// collector that reference/wazero-notes.md (section 3) found: after 400,000
// small messages, 2,000 callbacks that each drop 64 KiB made the guest's GC
// stop for good and its memory grow from 144 to 2,152 pages, unless every
// callback yielded. The SDK yields every 32nd callback; the collector must
// keep running and the memory stay within a small multiple of the live
// heap.
func TestGoGuestCollectsGarbage(t *testing.T) {
	m := loadGo(t, "testdata/garbage", ModuleConfig{})
	p := newFakeProcess()
	s := encode(t, etf.List{})
	stats := func() (numGC, sys int64) {
		res, err := call(etf.Atom("stats"))(m, p, s)
		if err != nil {
			t.Fatal(err)
		}
		reply, err := etf.Decode(append([]byte{131}, res.Reply...))
		if err != nil {
			t.Fatal(err)
		}
		tup := reply.(etf.Tuple)
		return int64(tup[0].(etf.Int)), int64(tup[1].(etf.Int))
	}
	for i := range 400_000 {
		if _, err := call(etf.Tuple{etf.Atom("small"), etf.Int(i)})(m, p, s); err != nil {
			t.Fatal(err)
		}
	}
	gcBefore, sysBefore := stats()
	for range 2000 {
		if _, err := call(etf.Tuple{etf.Atom("drop"), etf.Int(64 << 10)})(m, p, s); err != nil {
			t.Fatal(err)
		}
	}
	gcAfter, sysAfter := stats()
	t.Logf("GCs %d → %d, memory obtained from the system %d → %d KiB", gcBefore, gcAfter, sysBefore>>10, sysAfter>>10)
	// 125 MiB dropped over a heap of a few MiB: dozens of cycles.
	if gcAfter-gcBefore < 10 {
		t.Errorf("%d garbage collections while dropping 125 MiB, want at least 10", gcAfter-gcBefore)
	}
	const limit = 32 << 20
	if sysAfter > limit {
		t.Errorf("the guest holds %d MiB, more than %d: its collector fell behind", sysAfter>>20, limit>>20)
	}
}
