package etf

import (
	"bytes"
	"errors"
	"io"
)

// An Encoder writes Go values to a stream as successive terms in the
// external term format, each with its version byte, as term_to_binary/1
// makes them. An Encoder is not safe for use by several goroutines at once.
type Encoder struct {
	w   io.Writer
	buf []byte
}

// NewEncoder returns an Encoder that writes to w.
func NewEncoder(w io.Writer) *Encoder {
	return &Encoder{w: w}
}

// maxKeptBuffer is the largest buffer an Encoder keeps for the next term,
// so that one huge term does not pin its memory.
const maxKeptBuffer = 64 << 10

// Encode writes the external term format of v, as [Marshal] returns it, with
// one call to the writer's Write.
func (enc *Encoder) Encode(v any) error {
	t, err := ToTerm(v)
	if err != nil {
		return err
	}
	buf, err := AppendTerm(append(enc.buf[:0], version), t)
	if err != nil {
		return err
	}
	if cap(buf) <= maxKeptBuffer {
		enc.buf = buf
	}
	_, err = enc.w.Write(buf)
	return err
}

// A Decoder reads successive terms in the external term format, each with
// its version byte, from a stream, and stores them in Go values. A Decoder
// is not safe for use by several goroutines at once.
type Decoder struct {
	r       io.Reader
	buf     []byte // bytes read; buf[start:] are not decoded yet
	start   int
	offset  int64 // in the stream, of buf[start]
	readErr error // from r, returned once the buffered terms are decoded
	err     error // a term that did not decode, which ends the stream
}

// NewDecoder returns a Decoder that reads from r.
//
// The Decoder reads ahead: each read asks for as many bytes as it holds
// of the term it is reading, or 4096 bytes if that is more, so data after
// the last term it returns may be in its buffer; [Decoder.Buffered] returns
// it. Its buffer grows with the bytes it has read, never with the lengths
// the input claims. While a term is incomplete, the Decoder measures it again
// after each read; a reader that returns large terms a few bytes at a time
// makes that quadratic, so wrap such a reader in a [bufio.Reader].
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: r}
}

// minRead is the least room the Decoder offers a Read.
const minRead = 4096

// Decode reads the next term from the stream and stores it in the value v
// points to, as [FromTerm] does; decode into a *[Term] to get the term
// itself. At the end of the stream it returns io.EOF, or
// io.ErrUnexpectedEOF if the stream ends inside a term.
//
// A term that does not decode gives a [*SyntaxError] whose Offset counts
// from the start of the stream, and ends the stream: every later call
// returns the same error. A compressed term that does not decode is only
// found out when the stream ends, since until then it may be incomplete. A term that decodes but does not fit v gives the
// error of FromTerm, and the next call reads the next term.
func (dec *Decoder) Decode(v any) error {
	if dec.err != nil {
		return dec.err
	}
	data, err := dec.next()
	if err != nil {
		return err
	}
	t, err := Decode(data)
	if err != nil {
		dec.err = dec.inStream(err)
		return dec.err
	}
	dec.advance(len(data))
	return FromTerm(t, v)
}

// next returns the bytes of the next term, from its version byte on,
// reading until they are all buffered. They stay in buf until advance.
func (dec *Decoder) next() ([]byte, error) {
	for {
		data := dec.buf[dec.start:]
		if len(data) > 0 {
			if data[0] != version {
				dec.err = dec.inStream(&SyntaxError{Err: errorf(ErrInvalid, "version byte is %d, not %d", data[0], version)})
				return nil, dec.err
			}
			n, err := SkipTerm(data[1:])
			switch {
			case err == nil:
				return data[:1+n], nil
			case errors.Is(err, ErrTruncated):
			case len(data) > 1 && data[1] == byte(tagCompressed) && dec.readErr == nil:
				// zlib cannot tell a compressed term that has not all
				// arrived from a corrupt one, so it is measured again
				// after each read until the stream ends.
			default:
				if se, ok := err.(*SyntaxError); ok {
					se.Offset++ // for the version byte
				}
				dec.err = dec.inStream(err)
				return nil, dec.err
			}
		}
		if dec.readErr != nil {
			if dec.readErr == io.EOF && len(data) > 0 {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, dec.readErr
		}
		dec.fill()
	}
}

// maxEmptyReads is how many reads in a row may return nothing before the
// Decoder gives up with io.ErrNoProgress, as bufio.Reader does.
const maxEmptyReads = 100

// fill reads into buf once, offering room for as many bytes as are
// buffered, or minRead.
func (dec *Decoder) fill() {
	unread := copy(dec.buf, dec.buf[dec.start:])
	dec.buf, dec.start = dec.buf[:unread], 0
	room := max(unread, minRead)
	if cap(dec.buf)-unread < room {
		dec.buf = append(make([]byte, 0, unread+room), dec.buf...)
	}
	for range maxEmptyReads {
		n, err := dec.r.Read(dec.buf[unread : unread+room])
		dec.buf = dec.buf[:unread+n]
		dec.readErr = err
		if n > 0 || err != nil {
			return
		}
	}
	dec.readErr = io.ErrNoProgress
}

// advance consumes the n bytes of the term next returned.
func (dec *Decoder) advance(n int) {
	dec.start += n
	dec.offset += int64(n)
}

// inStream makes the offset of a SyntaxError count from the start of the
// stream rather than from the start of the term.
func (dec *Decoder) inStream(err error) error {
	if se, ok := err.(*SyntaxError); ok {
		se.Offset += dec.offset
	}
	return err
}

// Buffered returns the data the Decoder has read but not decoded yet.
func (dec *Decoder) Buffered() io.Reader {
	return bytes.NewReader(dec.buf[dec.start:])
}
