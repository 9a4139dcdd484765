package etf

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// ParseError is a syntax error in the text given to [Parse]. Line and Column
// count from 1; Column counts characters, not bytes.
type ParseError struct {
	Line, Column int
	Msg          string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("etf: %d:%d: %s", e.Line, e.Column, e.Msg)
}

// Parse reads one Erlang term from text, written as erl_scan and
// file:consult read it: atoms bare or quoted ('hello world', with escapes),
// integers (-5, 16#FF, 1_000, $a, any size), floats (1.0, 2.5e-3), strings
// ("hi", a list of character codes, as in Erlang), binaries (<<"hi">>,
// <<1,2>>, <<"é"/utf8>>, <<1:3>>), lists ([1,2], [a|b]), tuples, maps
// (#{a => 1}) and fun M:F/A. It also reads the pid, reference and port forms
// [Format] prints, so it reads back every term Format prints but local funs
// and LOCAL_EXT terms, and what erl prints with ~p and ~w but local pids,
// references, ports and funs. Whitespace and % comments may surround the
// term, and it may end with a full stop.
//
// A map has its pairs in key order, and of equal keys the last, as in
// Erlang. Binary segments are integers, characters or strings, each with an
// optional size in bits (at most 1024) and the type specifiers integer,
// signed, unsigned, big or utf8. Unlike erl, which truncates, Parse refuses
// a character of a string that does not fit its segment: <<"日">> is an
// error, <<"日"/utf8>> is not.
//
// Terms may nest at most 10000 levels deep. Errors are [*ParseError]s that
// give the line and column of the problem.
func Parse(text string) (Term, error) {
	p := parser{text: text}
	if !utf8.ValidString(text) {
		return nil, p.errorf(invalidUTF8At(text), "text is not valid UTF-8")
	}
	p.skipSpace()
	t, err := p.term()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.consume(".") {
		p.skipSpace()
	}
	if p.pos < len(p.text) {
		return nil, p.errorf(p.pos, "unexpected %s after the term", p.found())
	}
	return t, nil
}

// invalidUTF8At returns the offset of the first byte of s that is not UTF-8.
func invalidUTF8At(s string) int {
	for i, r := range s {
		if _, size := utf8.DecodeRuneInString(s[i:]); r == utf8.RuneError && size == 1 {
			return i
		}
	}
	return len(s)
}

// parser reads a term from text, one rune at a time from pos.
type parser struct {
	text  string
	pos   int
	depth int
}

// endOfText is what peek returns when no text is left.
const endOfText rune = -1

func (p *parser) peek() rune {
	if p.pos >= len(p.text) {
		return endOfText
	}
	r, _ := utf8.DecodeRuneInString(p.text[p.pos:])
	return r
}

// next returns the rune at pos and moves past it.
func (p *parser) next() rune {
	if p.pos >= len(p.text) {
		return endOfText
	}
	r, size := utf8.DecodeRuneInString(p.text[p.pos:])
	p.pos += size
	return r
}

// consume moves past s if the text goes on with it.
func (p *parser) consume(s string) bool {
	if strings.HasPrefix(p.text[p.pos:], s) {
		p.pos += len(s)
		return true
	}
	return false
}

// found describes what is at pos, for error messages.
func (p *parser) found() string {
	if r := p.peek(); r != endOfText {
		return fmt.Sprintf("%q", r)
	}
	return "end of text"
}

// errorf returns a ParseError at the byte offset off.
func (p *parser) errorf(off int, format string, args ...any) error {
	before := p.text[:off]
	lineStart := strings.LastIndexByte(before, '\n') + 1
	return &ParseError{
		Line:   1 + strings.Count(before, "\n"),
		Column: 1 + utf8.RuneCountInString(before[lineStart:]),
		Msg:    fmt.Sprintf(format, args...),
	}
}

// expected returns the error for finding, at pos, something other than
// what.
func (p *parser) expected(what string) error {
	return p.errorf(p.pos, "expected %s, found %s", what, p.found())
}

func (p *parser) term() (Term, error) {
	start := p.pos
	switch r := p.peek(); {
	case isAtomStart(r):
		return p.bareAtom()
	case r == '\'':
		return p.quotedAtom()
	case '0' <= r && r <= '9', r == '-', r == '+', r == '$':
		return p.number()
	case r == '"':
		return p.str()
	case r == '[':
		return p.nested(p.list)
	case r == '{':
		return p.nested(p.tuple)
	case strings.HasPrefix(p.text[p.pos:], "#{"):
		return p.nested(p.mapTerm)
	case strings.HasPrefix(p.text[p.pos:], "<<"):
		return p.binary()
	case r == '<' || r == '#':
		return p.identifier()
	case isVariableStart(r):
		name := p.name()
		return nil, p.errorf(start, "variable %s is not a term", name)
	default:
		return nil, p.expected("a term")
	}
}

// nested parses a compound term with parse, one level deeper.
func (p *parser) nested(parse func() (Term, error)) (Term, error) {
	if p.depth >= maxNesting {
		return nil, p.errorf(p.pos, "terms nest deeper than %d levels", maxNesting)
	}
	p.depth++
	t, err := parse()
	p.depth--
	return t, err
}

// elems parses terms separated by commas up to the rune end, after open.
// It stops before any other rune, for the caller to handle.
func (p *parser) elems(open string, end rune) ([]Term, error) {
	p.pos += len(open)
	p.skipSpace()
	var elems []Term
	if p.peek() == end {
		return elems, nil
	}
	for {
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		elems = append(elems, t)
		p.skipSpace()
		if !p.consume(",") {
			return elems, nil
		}
		p.skipSpace()
	}
}

func (p *parser) list() (Term, error) {
	elems, err := p.elems("[", ']')
	if err != nil {
		return nil, err
	}
	if len(elems) > 0 && p.consume("|") {
		p.skipSpace()
		tail, err := p.term()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if !p.consume("]") {
			return nil, p.expected("']' after the tail of a list")
		}
		return withTail(elems, tail), nil
	}
	if !p.consume("]") {
		return nil, p.expected("',', '|' or ']' in a list")
	}
	return List(elems), nil
}

// withTail returns the list of elems followed by tail: [a|[b]] is [a,b].
func withTail(elems []Term, tail Term) Term {
	switch tail := tail.(type) {
	case List:
		return append(List(elems), tail...)
	case ImproperList:
		return ImproperList{Elems: append(elems, tail.Elems...), Tail: tail.Tail}
	}
	return ImproperList{Elems: elems, Tail: tail}
}

func (p *parser) tuple() (Term, error) {
	elems, err := p.elems("{", '}')
	if err != nil {
		return nil, err
	}
	if !p.consume("}") {
		return nil, p.expected("',' or '}' in a tuple")
	}
	return Tuple(elems), nil
}

func (p *parser) mapTerm() (Term, error) {
	p.pos += len("#{")
	p.skipSpace()
	m := Map{}
	if p.consume("}") {
		return m, nil
	}
	for {
		key, err := p.term()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if !p.consume("=>") {
			return nil, p.expected("'=>' after a map key")
		}
		p.skipSpace()
		value, err := p.term()
		if err != nil {
			return nil, err
		}
		m = append(m, Pair{Key: key, Value: value})
		p.skipSpace()
		if p.consume("}") {
			return lastOfEqualKeys(m), nil
		}
		if !p.consume(",") {
			return nil, p.expected("',' or '}' in a map")
		}
		p.skipSpace()
	}
}

// lastOfEqualKeys returns m with its pairs in key order and, of pairs whose
// keys are equal, only the last, as Erlang builds #{a => 1, a => 2}.
func lastOfEqualKeys(m Map) Map {
	slices.SortStableFunc(m, func(a, b Pair) int { return compareTerms(a.Key, b.Key, true) })
	kept := m[:0]
	for i, p := range m {
		if i+1 < len(m) && compareTerms(p.Key, m[i+1].Key, true) == 0 {
			continue
		}
		kept = append(kept, p)
	}
	return kept
}
