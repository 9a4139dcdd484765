package etf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode checks that any input either fails to decode with a
// *SyntaxError, or decodes to a term that encodes (Encode and AppendTerm
// alike), decodes back to an equal term, and encodes to the same bytes
// again; and that SkipTerm and aliasing decodes agree with Decode. Its seeds
// are the golden corpus, the codec tables and testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.etf"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil && len(data) < 4096 {
			f.Add(data)
		}
	}
	for _, tt := range codecTests {
		f.Add(append([]byte{version}, tt.wire...))
	}
	for _, tt := range decodeTests {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		term, err := Decode(data)
		if err != nil {
			if se := (*SyntaxError)(nil); !errors.As(err, &se) {
				t.Fatalf("Decode error %T %v is not a *SyntaxError", err, err)
			}
			return
		}
		enc, err := Encode(term)
		if err != nil {
			t.Fatalf("Encode of a decoded %v: %v", term, err)
		}
		if app, err := AppendTerm([]byte{version}, term); err != nil || !bytes.Equal(app, enc) {
			t.Fatalf("AppendTerm = % x, %v; Encode wrote % x", app, err, enc)
		}
		back, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode of Encode(%v) = % x: %v", term, enc, err)
		}
		if !Equal(back, term) || Compare(back, term) != 0 {
			t.Fatalf("round trip gives %v, want %v", back, term)
		}
		if again, err := Encode(back); err != nil || !bytes.Equal(again, enc) {
			t.Fatalf("second encoding differs: % x, %v; first % x", again, err, enc)
		}
		if n, err := SkipTerm(data[1:]); err != nil || n != len(data)-1 {
			t.Fatalf("SkipTerm = %d, %v; Decode used %d bytes", n, err, len(data)-1)
		}
		aliased, err := DecodeOptions{Alias: true}.Decode(data)
		if err != nil || !Equal(aliased, term) {
			t.Fatalf("aliasing Decode = %v, %v; want %v", aliased, err, term)
		}
	})
}
