package etf

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// keywords are the words erl_scan reads as reserved words, not atoms.
var keywords = map[string]bool{
	"after": true, "and": true, "andalso": true, "band": true, "begin": true,
	"bnot": true, "bor": true, "bsl": true, "bsr": true, "bxor": true,
	"case": true, "catch": true, "cond": true, "div": true, "end": true,
	"fun": true, "if": true, "let": true, "not": true, "of": true, "or": true,
	"orelse": true, "receive": true, "rem": true, "try": true, "when": true,
	"xor": true,
}

// featureKeywords are reserved from OTP 27 on, with the maybe_expr feature.
// Format quotes them so that its text reads back on every release; Parse
// reads them bare, as releases before 27 do.
var featureKeywords = map[string]bool{"maybe": true, "else": true}

// atomNeedsQuotes reports whether a must be quoted to read back as an atom:
// unless it starts with a lowercase letter and goes on with letters, digits,
// _ and @ (Latin-1 letters included, as in erl_scan), or is a keyword.
func atomNeedsQuotes(a string) bool {
	for i, r := range a {
		if i == 0 && !isAtomStart(r) || !isNameChar(r) {
			return true
		}
	}
	return a == "" || keywords[a] || featureKeywords[a]
}

// isAtomStart reports whether r can start an unquoted atom: a lowercase
// ASCII or Latin-1 letter.
func isAtomStart(r rune) bool {
	return 'a' <= r && r <= 'z' || 'ß' <= r && r <= 'ÿ' && r != '÷'
}

// isNameChar reports whether r can continue an unquoted atom or a variable.
func isNameChar(r rune) bool {
	return isAtomStart(r) || 'A' <= r && r <= 'Z' || 'À' <= r && r <= 'Þ' && r != '×' ||
		'0' <= r && r <= '9' || r == '_' || r == '@'
}

func appendAtomText(dst []byte, a Atom) []byte {
	if !atomNeedsQuotes(string(a)) {
		return append(dst, a...)
	}
	return appendQuoted(dst, string(a), '\'')
}

// appendQuoted appends s between quote characters q, escaped as erl escapes
// it: the quote and backslash with a backslash, control characters by name
// (\n, \t...) or in octal, characters that do not print as \x{H}. Bytes that
// are not UTF-8 are taken as Latin-1 characters.
func appendQuoted(dst []byte, s string, q byte) []byte {
	dst = append(dst, q)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			r = rune(s[i])
		}
		i += size
		dst = appendEscapedRune(dst, r, q)
	}
	return append(dst, q)
}

// charEscapes maps characters to the letter of their escape: \n is newline.
var charEscapes = map[rune]byte{
	'\n': 'n', '\r': 'r', '\t': 't', '\v': 'v', '\b': 'b', '\f': 'f',
	0x1b: 'e', 0x7f: 'd',
}

func appendEscapedRune(dst []byte, r rune, q byte) []byte {
	switch {
	case r == rune(q) || r == '\\':
		return append(dst, '\\', byte(r))
	case ' ' <= r && r <= '~':
		return append(dst, byte(r))
	case charEscapes[r] != 0:
		return append(dst, '\\', charEscapes[r])
	case r < 0xa0:
		return append(dst, '\\', byte('0'+r>>6), byte('0'+r>>3&7), byte('0'+r&7))
	case unicode.IsPrint(r):
		return utf8.AppendRune(dst, r)
	default:
		dst = append(dst, `\x{`...)
		start := len(dst)
		dst = strconv.AppendUint(dst, uint64(r), 16)
		copy(dst[start:], strings.ToUpper(string(dst[start:])))
		return append(dst, '}')
	}
}

// binaryTextForm tells how a binary prints.
type binaryTextForm uint8

const (
	binaryAsBytes binaryTextForm = iota // <<1,2,3>>
	binaryAsASCII                       // <<"text">>
	binaryAsUTF8                        // <<"text"/utf8>>
)

// textFormOf returns how b prints: as a string when every character is
// printable or has a named escape, as bytes otherwise.
func textFormOf(b []byte) binaryTextForm {
	form := binaryAsASCII
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		i += size
		switch {
		case ' ' <= r && r <= '~' || r != 0x7f && charEscapes[r] != 0:
		case r >= 0xa0 && size > 1 && unicode.IsPrint(r):
			form = binaryAsUTF8
		default:
			return binaryAsBytes
		}
	}
	return form
}

func appendBinaryText(dst []byte, b []byte) []byte {
	dst = append(dst, "<<"...)
	switch textFormOf(b) {
	case binaryAsASCII:
		if len(b) > 0 {
			dst = appendQuoted(dst, string(b), '"')
		}
	case binaryAsUTF8:
		dst = appendQuoted(dst, string(b), '"')
		dst = append(dst, "/utf8"...)
	default:
		dst = appendDecimalBytes(dst, b)
	}
	return append(dst, ">>"...)
}

// appendBitstringText appends b as its whole bytes followed by the value of
// its last bits as a sized segment: <<255,1:2>>. A Bitstring with no bytes or
// a bit count outside 1 to 7 is malformed; it prints as the binary of its
// bytes.
func appendBitstringText(dst []byte, b Bitstring) []byte {
	if len(b.Bytes) == 0 || b.Bits < 1 || b.Bits > 7 {
		return appendBinaryText(dst, b.Bytes)
	}
	whole, last := b.Bytes[:len(b.Bytes)-1], b.Bytes[len(b.Bytes)-1]
	dst = append(dst, "<<"...)
	dst = appendDecimalBytes(dst, whole)
	if len(whole) > 0 {
		dst = append(dst, ',')
	}
	dst = strconv.AppendUint(dst, uint64(last>>(8-b.Bits)), 10)
	dst = append(dst, ':')
	dst = strconv.AppendUint(dst, uint64(b.Bits), 10)
	return append(dst, ">>"...)
}
