package etf

import (
	"math/big"
	"strconv"
	"strings"
)

// number parses an integer, a float or a character, with an optional sign.
func (p *parser) number() (Term, error) {
	negative := false
	if r := p.peek(); r == '-' || r == '+' {
		p.next()
		p.skipSpace()
		negative = r == '-'
	}
	start := p.pos
	switch r := p.peek(); {
	case r == '$':
		p.next()
		c, err := p.char(start)
		if err != nil {
			return nil, err
		}
		if negative {
			c = -c
		}
		return Int(c), nil
	case '0' <= r && r <= '9':
		digits := p.digits(10)
		switch {
		case p.peek() == '#':
			return p.based(start, digits, negative)
		case strings.HasPrefix(p.text[p.pos:], ".") && isDigit(p.text, p.pos+1):
			return p.float(start, negative)
		}
		return intTerm(digits, 10, negative), nil
	default:
		return nil, p.expected("a number")
	}
}

// char reads the character after $ at start: $a, $\n, $\x{1F600}.
func (p *parser) char(start int) (rune, error) {
	switch r := p.next(); r {
	case endOfText:
		return 0, p.errorf(start, "character missing after $")
	case '\\':
		return p.escape(start + 1)
	default:
		return r, nil
	}
}

// isDigit reports whether text has a decimal digit at i.
func isDigit(text string, i int) bool {
	return i < len(text) && '0' <= text[i] && text[i] <= '9'
}

// digitValue returns the value of r as a digit of any base up to 36, or 36.
func digitValue(r rune) int {
	switch {
	case '0' <= r && r <= '9':
		return int(r - '0')
	case 'a' <= r && r <= 'z':
		return int(r-'a') + 10
	case 'A' <= r && r <= 'Z':
		return int(r-'A') + 10
	}
	return 36
}

// digits reads digits of base, which may be separated by single
// underscores (1_000), and returns them without the underscores.
func (p *parser) digits(base int) string {
	var b strings.Builder
	for {
		if digitValue(p.peek()) < base {
			b.WriteRune(p.next())
			continue
		}
		if p.peek() == '_' && b.Len() > 0 && p.pos+1 < len(p.text) &&
			digitValue(rune(p.text[p.pos+1])) < base {
			p.next()
			continue
		}
		return b.String()
	}
}

// based reads the digits of Base#Digits after Base.
func (p *parser) based(start int, base string, negative bool) (Term, error) {
	b, err := strconv.Atoi(base)
	if err != nil || b < 2 || b > 36 {
		return nil, p.errorf(start, "base %s is not between 2 and 36", base)
	}
	p.next()
	digits := p.digits(b)
	if digits == "" {
		return nil, p.expected("digits of base " + base)
	}
	return intTerm(digits, b, negative), nil
}

// float reads a float from start, where its integer digits begin.
func (p *parser) float(start int, negative bool) (Term, error) {
	p.next()
	text := p.text[start:p.pos] + p.digits(10)
	if r := p.peek(); r == 'e' || r == 'E' {
		p.next()
		text += "e"
		if r := p.peek(); r == '+' || r == '-' {
			text += string(p.next())
		}
		exp := p.digits(10)
		if exp == "" {
			return nil, p.expected("the exponent of a float")
		}
		text += exp
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(text, "_", ""), 64)
	if err != nil {
		return nil, p.errorf(start, "float %s is out of range", p.text[start:p.pos])
	}
	if negative {
		f = -f
	}
	return Float(f), nil
}

// intTerm returns the integer of digits in base, negated if negative, as an
// Int when it fits and a BigInt when it does not. digits are valid.
func intTerm(digits string, base int, negative bool) Term {
	if n, err := strconv.ParseInt(digits, base, 64); err == nil {
		if negative {
			n = -n
		}
		return Int(n)
	}
	n, _ := new(big.Int).SetString(digits, base)
	if negative {
		n.Neg(n)
	}
	if n.IsInt64() {
		return Int(n.Int64())
	}
	return BigInt{Value: n}
}
