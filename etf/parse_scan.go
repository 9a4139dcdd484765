package etf

import (
	"strconv"
	"unicode/utf8"
)

// skipSpace moves past white space and % comments. White space is what
// erl_scan takes for it: control characters, space, and U+0080 to U+00A0.
func (p *parser) skipSpace() {
	for {
		switch r := p.peek(); {
		case r == '%':
			for r != '\n' && r != endOfText {
				r = p.next()
			}
		case 0 <= r && r <= ' ' || 0x80 <= r && r <= 0xa0:
			p.next()
		default:
			return
		}
	}
}

// isVariableStart reports whether r starts a variable: an uppercase ASCII
// or Latin-1 letter, or _.
func isVariableStart(r rune) bool {
	return 'A' <= r && r <= 'Z' || 'À' <= r && r <= 'Þ' && r != '×' || r == '_'
}

// name returns the run of name characters at pos and moves past it.
func (p *parser) name() string {
	start := p.pos
	for isNameChar(p.peek()) {
		p.next()
	}
	return p.text[start:p.pos]
}

func (p *parser) bareAtom() (Term, error) {
	start := p.pos
	name := p.name()
	switch {
	case name == "fun":
		return p.export()
	case keywords[name]:
		return nil, p.errorf(start, "keyword %s is not an atom; quote it: '%s'", name, name)
	}
	return p.atom(start, name)
}

// atom returns the atom text that started at start, if it is not too long.
func (p *parser) atom(start int, text string) (Term, error) {
	if n := utf8.RuneCountInString(text); n > maxAtomChars {
		return nil, p.errorf(start, "atom of %d characters, longer than %d", n, maxAtomChars)
	}
	return Atom(text), nil
}

// anyAtom parses an atom, bare or quoted.
func (p *parser) anyAtom() (Atom, error) {
	start := p.pos
	var t Term
	var err error
	switch r := p.peek(); {
	case r == '\'':
		t, err = p.quotedAtom()
	case isAtomStart(r):
		t, err = p.atom(start, p.name())
	default:
		return "", p.expected("an atom")
	}
	if err != nil {
		return "", err
	}
	return t.(Atom), nil
}

func (p *parser) quotedAtom() (Term, error) {
	start := p.pos
	chars, err := p.quoted('\'', "quoted atom")
	if err != nil {
		return nil, err
	}
	text := make([]byte, 0, len(chars))
	for _, r := range chars {
		if !utf8.ValidRune(r) {
			return nil, p.errorf(start, "atom holds \\x{%X}, which is not a Unicode character", r)
		}
		text = utf8.AppendRune(text, r)
	}
	return p.atom(start, string(text))
}

// str parses a string and the strings right after it, which Erlang joins:
// "ab" "c" is "abc". A string is the list of its character codes.
func (p *parser) str() (Term, error) {
	codes := List{}
	for p.peek() == '"' {
		chars, err := p.quoted('"', "string")
		if err != nil {
			return nil, err
		}
		for _, r := range chars {
			codes = append(codes, Int(r))
		}
		p.skipSpace()
	}
	return codes, nil
}

// quoted reads the characters between quote characters q, resolving
// escapes.
func (p *parser) quoted(q rune, what string) ([]rune, error) {
	start := p.pos
	p.next()
	var chars []rune
	for {
		at := p.pos
		switch r := p.next(); r {
		case q:
			return chars, nil
		case endOfText:
			return nil, p.errorf(start, "%s not terminated", what)
		case '\\':
			r, err := p.escape(at)
			if err != nil {
				return nil, err
			}
			chars = append(chars, r)
		default:
			chars = append(chars, r)
		}
	}
}

// escape reads the escape sequence after the backslash at start and
// returns the character it stands for, as erl_scan does.
func (p *parser) escape(start int) (rune, error) {
	r := p.next()
	switch {
	case '0' <= r && r <= '7':
		code := r - '0'
		for i := 0; i < 2 && '0' <= p.peek() && p.peek() <= '7'; i++ {
			code = code*8 + p.next() - '0'
		}
		return code, nil
	case r == 'x':
		return p.hexEscape(start)
	case r == '^':
		if c := p.next(); c != endOfText {
			return c & 31, nil
		}
	case r == endOfText:
	default:
		if c, ok := escapedChars[r]; ok {
			return c, nil
		}
		return r, nil
	}
	return 0, p.errorf(start, "escape sequence not finished")
}

// escapedChars maps escape letters to their characters: \n is newline.
var escapedChars = map[rune]rune{
	'b': '\b', 'd': 0x7f, 'e': 0x1b, 'f': '\f', 'n': '\n', 'r': '\r', 's': ' ',
	't': '\t', 'v': '\v',
}

// hexEscape reads the rest of \xHH or \x{H...}.
func (p *parser) hexEscape(start int) (rune, error) {
	var digits string
	if p.consume("{") {
		from := p.pos
		for p.peek() != '}' && p.peek() != endOfText {
			p.next()
		}
		digits = p.text[from:p.pos]
		if !p.consume("}") {
			return 0, p.errorf(start, "escape sequence not finished")
		}
	} else {
		from := p.pos
		p.next()
		p.next()
		digits = p.text[from:p.pos]
	}
	code, err := strconv.ParseUint(digits, 16, 32)
	if err != nil || code > utf8.MaxRune {
		return 0, p.errorf(start, "invalid escape sequence \\x%s", digits)
	}
	return rune(code), nil
}
