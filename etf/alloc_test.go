package etf

import "testing"

// TestAppendTermAllocs locks in that encoding into a buffer with room
// allocates nothing, whatever the term.
func TestAppendTermAllocs(t *testing.T) {
	cases := benchCorpus()
	for _, tt := range codecTests {
		cases = append(cases, struct {
			name string
			term Term
		}{tt.name, tt.term})
	}
	for _, c := range cases {
		buf, err := AppendTerm(nil, c.term)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(10, func() {
			buf, _ = AppendTerm(buf[:0], c.term)
		})
		if allocs != 0 {
			t.Errorf("AppendTerm(%s) allocates %v times, want 0", c.name, allocs)
		}
	}
}
