package etf

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Errors that [SyntaxError] and [EncodeError] wrap. Test for them with
// [errors.Is].
var (
	// ErrTruncated means the input ends inside a term, or a length field
	// claims more bytes than the input holds.
	ErrTruncated = errors.New("truncated input")
	// ErrUnknownTag means a byte where a term starts is not a tag this
	// package decodes.
	ErrUnknownTag = errors.New("unknown tag")
	// ErrInvalid means a term is well framed but not a valid Erlang term,
	// such as an atom of invalid UTF-8 or a map with a duplicate key, or that
	// a Go value cannot be encoded.
	ErrInvalid = errors.New("invalid term")
	// ErrTrailingData means bytes follow the single term Decode expects.
	ErrTrailingData = errors.New("trailing data after the term")
)

// SyntaxError reports input that does not decode.
//
// Offset is the position in the input of the term that failed (for a
// truncated input, possibly the end of the input). For a compressed term it
// counts in the uncompressed bytes, and the message says so. Path locates the
// term from the outermost one: each step is /N for element N (from 0) of a
// tuple or list, /tail for the tail of an improper list, /kN and /vN for the
// key and the value of the Nth pair of a map, and /freeN for free variable N
// of a fun. It is empty for the outermost term.
type SyntaxError struct {
	Offset int64
	Path   string
	Err    error
}

// Error returns "etf: <what> at offset N", followed by the path if there is
// one.
func (e *SyntaxError) Error() string {
	s := "etf: " + e.Err.Error() + " at offset " + strconv.FormatInt(e.Offset, 10)
	if e.Path != "" {
		s += " (" + e.Path + ")"
	}
	return s
}

// Unwrap returns the underlying error, one of the sentinels such as
// [ErrTruncated], possibly wrapped with detail.
func (e *SyntaxError) Unwrap() error { return e.Err }

// EncodeError reports a Go value that is not a valid Erlang term, such as an
// atom longer than 255 characters. Path locates it as in [SyntaxError].
type EncodeError struct {
	Path string
	Err  error
}

// Error returns "etf: <what>", followed by the path if there is one.
func (e *EncodeError) Error() string {
	s := "etf: " + e.Err.Error()
	if e.Path != "" {
		s += " (" + e.Path + ")"
	}
	return s
}

// Unwrap returns the underlying error, usually wrapping [ErrInvalid].
func (e *EncodeError) Unwrap() error { return e.Err }

// errorf returns an error that wraps sentinel with a detail message.
func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...))
}

// truncated reports that what, at offset pos, needs n bytes where only have
// remain.
func truncated(what tag, need, have int) error {
	return errorf(ErrTruncated, "%v needs %d bytes, %d left", what, need, have)
}

// pathBuilder writes the steps of an error path.
type pathBuilder struct{ strings.Builder }

func (b *pathBuilder) index(prefix string, i int) {
	b.WriteString("/")
	b.WriteString(prefix)
	b.WriteString(strconv.Itoa(i))
}
