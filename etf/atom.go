package etf

import (
	"encoding/binary"
	"unicode/utf8"
)

// maxAtomChars is the most characters an Erlang atom may have.
const maxAtomChars = 255

// appendAtom appends a as OTP 26 does: SMALL_ATOM_UTF8_EXT, or ATOM_UTF8_EXT
// when its UTF-8 form is longer than 255 bytes.
func appendAtom(dst []byte, a Atom) ([]byte, error) {
	if err := checkAtom(a); err != nil {
		return dst, err
	}
	if len(a) <= 255 {
		return appendSmallAtom(dst, a), nil
	}
	dst = append(dst, byte(tagAtomUTF8), byte(len(a)>>8), byte(len(a)))
	return append(dst, a...), nil
}

// appendSmallAtom appends a, a valid atom of at most 255 bytes, as
// SMALL_ATOM_UTF8_EXT.
func appendSmallAtom(dst []byte, a Atom) []byte {
	dst = append(dst, byte(tagSmallAtomUTF8), byte(len(a)))
	return append(dst, a...)
}

// checkAtom reports whether a is valid UTF-8 of at most 255 characters.
func checkAtom(a Atom) error {
	if len(a) <= maxAtomChars && isASCII(a) {
		return nil // the common case, checked faster than by utf8
	}
	if !utf8.ValidString(string(a)) {
		return errAtomUTF8
	}
	// Every character takes at least one byte, so only long atoms need
	// counting.
	if len(a) > maxAtomChars {
		return checkAtomLength(utf8.RuneCountInString(string(a)))
	}
	return nil
}

// isASCII reports whether a is all ASCII.
func isASCII(a Atom) bool {
	for i := 0; i < len(a); i++ {
		if a[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// checkAtomText is checkAtom for atom text still in the input.
func checkAtomText(text []byte) error {
	if !utf8.Valid(text) {
		return errAtomUTF8
	}
	if len(text) > maxAtomChars {
		return checkAtomLength(utf8.RuneCount(text))
	}
	return nil
}

var errAtomUTF8 = errorf(ErrInvalid, "atom is not valid UTF-8")

func checkAtomLength(chars int) error {
	if chars > maxAtomChars {
		return errorf(ErrInvalid, "atom of %d characters, the limit is %d", chars, maxAtomChars)
	}
	return nil
}

// atom decodes the atom at data[pos:], in any of its encodings or as an
// atom cache reference.
func (dec *decoder) atom(data []byte, pos int) (Term, int, error) {
	if pos >= len(data) {
		return nil, 0, errorf(ErrTruncated, "an atom needs at least 2 bytes, 0 left")
	}
	tg := tag(data[pos])
	var n, head int
	switch tg {
	case tagSmallAtomUTF8, tagSmallAtom, tagAtomCacheRef:
		head = 2
		if len(data)-pos < head {
			return nil, 0, truncated(tg, head, len(data)-pos)
		}
		n = int(data[pos+1])
	case tagAtomUTF8, tagAtom:
		head = 3
		if len(data)-pos < head {
			return nil, 0, truncated(tg, head, len(data)-pos)
		}
		n = int(binary.BigEndian.Uint16(data[pos+1:]))
	default:
		return nil, 0, errorf(ErrInvalid, "%v where an atom belongs", tg)
	}
	if tg == tagAtomCacheRef {
		if n >= len(dec.atoms) {
			return nil, 0, errorf(ErrInvalid, "atom cache reference %d, the header has %d", n, len(dec.atoms))
		}
		t, err := dec.cache.internName(dec.atoms[n])
		return t, pos + 2, err
	}
	end := pos + head + n
	if end > len(data) {
		return nil, 0, truncated(tg, head+n, len(data)-pos)
	}
	text := data[pos+head : end]
	if tg == tagAtomUTF8 || tg == tagSmallAtomUTF8 {
		t, err := dec.cache.internChecked(text)
		return t, end, err
	}
	if n > maxAtomChars {
		return nil, 0, errorf(ErrInvalid, "%v of %d characters, the limit is %d", tg, n, maxAtomChars)
	}
	return dec.cache.intern(dec.latin1ToUTF8(text)), end, nil
}

// latin1ToUTF8 returns the UTF-8 form of Latin-1 text, which is text itself
// when it is ASCII, and otherwise lives in the decoder's scratch buffer until
// the next call.
func (dec *decoder) latin1ToUTF8(text []byte) []byte {
	for i, c := range text {
		if c >= utf8.RuneSelf {
			b := append(dec.scratch[:0], text[:i]...)
			for _, c := range text[i:] {
				b = utf8.AppendRune(b, rune(c))
			}
			dec.scratch = b
			return b
		}
	}
	return text
}

// atomCache maps recently decoded atom texts to their terms, so that an atom
// that comes again, as most do, costs neither a string allocation nor an
// interface conversion. It is direct-mapped: a slot holds the last atom that
// hashed to it.
type atomCache [256]struct {
	name Atom
	term Term
}

// intern returns the term for atom text s, which must be valid.
func (c *atomCache) intern(text []byte) Term {
	e := &c[atomHash(text)]
	if e.term == nil || string(e.name) != string(text) {
		e.name = Atom(text)
		e.term = e.name
	}
	return e.term
}

// internChecked is intern for text not known to be a valid atom yet: it is
// checked the first time it is seen.
func (c *atomCache) internChecked(text []byte) (Term, error) {
	e := &c[atomHash(text)]
	if e.term != nil && string(e.name) == string(text) {
		return e.term, nil
	}
	if err := checkAtomText(text); err != nil {
		return nil, err
	}
	e.name = Atom(text)
	e.term = e.name
	return e.term, nil
}

// internName is internChecked for a name from a distribution atom cache.
func (c *atomCache) internName(name Atom) (Term, error) {
	e := &c[atomHash(name)]
	if e.term != nil && e.name == name {
		return e.term, nil
	}
	if err := checkAtom(name); err != nil {
		return nil, err
	}
	e.name = name
	e.term = name
	return e.term, nil
}

// atomHash hashes atom text to a slot of an atomCache (FNV-1a).
func atomHash[S ~string | ~[]byte](s S) uint8 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return uint8(h ^ h>>8 ^ h>>16 ^ h>>24)
}
