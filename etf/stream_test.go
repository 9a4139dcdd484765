package etf

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// countingWriter counts the calls to Write.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

func TestEncoder(t *testing.T) {
	var w countingWriter
	enc := NewEncoder(&w)
	values := []any{1, "two", user{Name: "three"}, Tuple{Atom("four")}}
	var want []byte
	for _, v := range values {
		if err := enc.Encode(v); err != nil {
			t.Fatalf("Encode(%v): %v", v, err)
		}
		data, err := Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, data...)
	}
	if !bytes.Equal(w.Bytes(), want) {
		t.Errorf("Encoder wrote % x, want % x", w.Bytes(), want)
	}
	if w.writes != len(values) {
		t.Errorf("Encoder made %d writes for %d terms", w.writes, len(values))
	}
	if err := enc.Encode(make(chan int)); err == nil || err.Error() != "etf: unsupported type: chan int" {
		t.Errorf("Encode(chan) = %v", err)
	}
	if err := enc.Encode(Atom(strings.Repeat("a", 256))); !errors.Is(err, ErrInvalid) {
		t.Errorf("Encode(long atom) = %v, want ErrInvalid", err)
	}
	if w.writes != len(values) {
		t.Errorf("failed Encodes wrote %d times", w.writes-len(values))
	}
}

// stream returns the encodings of the terms of texts, one after another.
func stream(t *testing.T, texts ...string) []byte {
	t.Helper()
	var b []byte
	for _, text := range texts {
		data, err := Marshal(mustParse(t, text))
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, data...)
	}
	return b
}

// compressed returns the encoding of the term of text, compressed as
// term_to_binary(T, [compressed]) does.
func compressed(t *testing.T, text string) []byte {
	t.Helper()
	plain := stream(t, text)[1:]
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(plain)
	zw.Close()
	return append(binary.BigEndian.AppendUint32([]byte{131, 80}, uint32(len(plain))), z.Bytes()...)
}

func TestDecoder(t *testing.T) {
	texts := []string{"1", `<<"two">>`, "{three, [3,3,3]}", "#{four => 4.0}", "[five, five, five, five]"}
	data := stream(t, texts[:4]...)
	data = append(data, compressed(t, texts[4])...)
	readers := []struct {
		name string
		r    func() io.Reader
	}{
		{name: "whole", r: func() io.Reader { return bytes.NewReader(data) }},
		{name: "one byte at a time", r: func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) }},
		{name: "half reads", r: func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) }},
		{name: "eof with data", r: func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) }},
	}
	for _, rd := range readers {
		t.Run(rd.name, func(t *testing.T) {
			dec := NewDecoder(rd.r())
			for _, text := range texts {
				var got Term
				if err := dec.Decode(&got); err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if want := mustParse(t, text); !Equal(got, want) {
					t.Errorf("Decode = %v, want %v", got, want)
				}
			}
			var got Term
			if err := dec.Decode(&got); err != io.EOF {
				t.Errorf("Decode at the end = %v, %v; want io.EOF", got, err)
			}
		})
	}
}

func TestDecoder_Errors(t *testing.T) {
	one := stream(t, "{a,1}")
	readErr := errors.New("connection reset")
	tests := []struct {
		name  string
		input io.Reader
		want  string // the error of the second Decode, after a first one of {a,1}
	}{
		{name: "ends inside a term", input: bytes.NewReader(append(one, one[:4]...)), want: io.ErrUnexpectedEOF.Error()},
		{name: "ends inside the version", input: bytes.NewReader(append(one, 131)), want: io.ErrUnexpectedEOF.Error()},
		{name: "bad version", input: bytes.NewReader(append(one, 130, 97, 1)), want: "etf: invalid term: version byte is 130, not 131 at offset 8"},
		{name: "bad tag", input: bytes.NewReader(append(one, 131, 200)), want: "etf: unknown tag: tag 200 at offset 9"},
		{name: "bad atom", input: bytes.NewReader(append(one, 131, 119, 1, 0xff)), want: "etf: invalid term: atom is not valid UTF-8 at offset 9"},
		{name: "bad compressed term", input: bytes.NewReader(append(one, 131, 80, 0, 0, 0, 2, 1, 2, 3)), want: "etf: invalid term: compressed term: zlib: invalid header at offset 9"},
		{name: "read error", input: io.MultiReader(bytes.NewReader(one[:3]), iotest.ErrReader(readErr)), want: "connection reset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec := NewDecoder(tt.input)
			var first Term
			if err := dec.Decode(&first); tt.name != "read error" && err != nil {
				t.Fatalf("first Decode: %v", err)
			}
			var got Term
			err := dec.Decode(&got)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Decode = %v, %v; want error %s", got, err, tt.want)
			}
			if again := dec.Decode(&got); again != err && again.Error() != tt.want {
				t.Errorf("Decode after the error = %v, want the same error", again)
			}
		})
	}
}

// TestDecoderMismatch checks that a term that does not fit the value is
// consumed, so that the next Decode reads the next term.
func TestDecoderMismatch(t *testing.T) {
	dec := NewDecoder(bytes.NewReader(stream(t, "a", "2")))
	var n int
	if err := dec.Decode(&n); err == nil || err.Error() != "etf: cannot unmarshal atom a into Go value of type int" {
		t.Fatalf("Decode(a) = %v", err)
	}
	if err := dec.Decode(&n); err != nil || n != 2 {
		t.Errorf("Decode after a mismatch = %d, %v; want 2", n, err)
	}
}

// readCounter counts the bytes read through it.
type readCounter struct {
	r io.Reader
	n int
}

func (c *readCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestDecoderReadAhead checks that the Decoder reads a buffer's worth past
// the term it returns at the most, and that its buffer grows with the bytes
// that arrive, by minRead at the most beyond them, not with the lengths the
// input claims.
func TestDecoderReadAhead(t *testing.T) {
	small := stream(t, "ok")
	large, err := Marshal(make([]byte, 100000))
	if err != nil {
		t.Fatal(err)
	}
	tail := bytes.Repeat(small, 100000)
	tests := []struct {
		name     string
		input    []byte
		maxRead  int
		maxBuf   int
		wantTerm bool
	}{
		{name: "small term", input: append(small, tail...), maxRead: minRead, maxBuf: minRead, wantTerm: true},
		{name: "large term", input: append(large, tail...), maxRead: 2 * len(large), maxBuf: 2 * len(large), wantTerm: true},
		{name: "binary claiming 4 GiB", input: []byte{131, 109, 0xff, 0xff, 0xff, 0xff, 1, 2, 3}, maxRead: 9, maxBuf: 9 + minRead},
		{name: "list claiming 4 G elements", input: append([]byte{131, 108, 0xff, 0xff, 0xff, 0xff}, bytes.Repeat([]byte{97, 1}, 1000)...), maxRead: 2006, maxBuf: 2006 + minRead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &readCounter{r: bytes.NewReader(tt.input)}
			dec := NewDecoder(c)
			var got Term
			err := dec.Decode(&got)
			if tt.wantTerm && err != nil || !tt.wantTerm && err != io.ErrUnexpectedEOF {
				t.Fatalf("Decode: %v", err)
			}
			if c.n > tt.maxRead {
				t.Errorf("read %d bytes, want at most %d", c.n, tt.maxRead)
			}
			if cap(dec.buf) > tt.maxBuf {
				t.Errorf("buffer of %d bytes, want at most %d", cap(dec.buf), tt.maxBuf)
			}
		})
	}
}

func TestDecoderBuffered(t *testing.T) {
	data := append(stream(t, "ok"), "rest"...)
	dec := NewDecoder(bytes.NewReader(data))
	var a Atom
	if err := dec.Decode(&a); err != nil || a != "ok" {
		t.Fatalf("Decode = %v, %v", a, err)
	}
	rest, _ := io.ReadAll(dec.Buffered())
	if !reflect.DeepEqual(rest, []byte("rest")) {
		t.Errorf("Buffered = %q, want %q", rest, "rest")
	}
}
