package etf

import (
	"math"
	"strconv"
)

// identifier parses the pid, reference and port forms Format prints:
// <'node'.ID.Serial.Creation>, #Ref<'node'.W...W.Creation> and
// #Port<'node'.ID.Creation>.
func (p *parser) identifier() (Term, error) {
	start := p.pos
	switch {
	case p.consume("#Ref<"):
		node, nums, err := p.idFields("reference", 2, 6)
		if err != nil {
			return nil, err
		}
		words := nums[:len(nums)-1]
		ref := Ref{Node: node, Len: uint8(len(words))}
		if ref.Creation, err = p.uint32Field(start, nums[len(nums)-1]); err != nil {
			return nil, err
		}
		for i, w := range words {
			if ref.ID[len(words)-1-i], err = p.uint32Field(start, w); err != nil {
				return nil, err
			}
		}
		return ref, nil
	case p.consume("#Port<"):
		node, nums, err := p.idFields("port", 2, 2)
		if err != nil {
			return nil, err
		}
		creation, err := p.uint32Field(start, nums[1])
		return Port{Node: node, ID: nums[0], Creation: creation}, err
	case p.consume("#Fun<"):
		return nil, p.errorf(start, "a local fun cannot be read back from text")
	case p.consume("<"):
		node, nums, err := p.idFields("pid", 3, 3)
		if err != nil {
			return nil, err
		}
		pid := Pid{Node: node}
		for i, field := range []*uint32{&pid.ID, &pid.Serial, &pid.Creation} {
			if *field, err = p.uint32Field(start, nums[i]); err != nil {
				return nil, err
			}
		}
		return pid, nil
	}
	return nil, p.expected("a term")
}

// idFields reads Node.N1.N2...> of an identifier, with from least to most
// numbers.
func (p *parser) idFields(what string, least, most int) (Atom, []uint64, error) {
	start := p.pos
	node, err := p.anyAtom()
	if err != nil {
		return "", nil, err
	}
	var nums []uint64
	for p.consume(".") {
		numStart := p.pos
		digits := p.digits(10)
		if digits == "" {
			return "", nil, p.expected("a number in a " + what)
		}
		n, err := strconv.ParseUint(digits, 10, 64)
		if err != nil {
			return "", nil, p.errorf(numStart, "number %s is out of range in a %s", digits, what)
		}
		nums = append(nums, n)
	}
	if !p.consume(">") {
		return "", nil, p.expected("'.' or '>' in a " + what)
	}
	if len(nums) < least || len(nums) > most {
		return "", nil, p.errorf(start, "a %s has %d to %d numbers after its node, not %d", what, least, most, len(nums))
	}
	return node, nums, nil
}

// uint32Field returns n if it fits 32 bits.
func (p *parser) uint32Field(start int, n uint64) (uint32, error) {
	if n > math.MaxUint32 {
		return 0, p.errorf(start, "number %d is over 32 bits", n)
	}
	return uint32(n), nil
}

// export parses the rest of fun Module:Function/Arity after fun.
func (p *parser) export() (Term, error) {
	var e Export
	var err error
	p.skipSpace()
	if e.Module, err = p.anyAtom(); err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.consume(":") {
		return nil, p.expected("':' after the module of a fun")
	}
	p.skipSpace()
	if e.Function, err = p.anyAtom(); err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.consume("/") {
		return nil, p.expected("'/' after the function of a fun")
	}
	p.skipSpace()
	start := p.pos
	arity, err := strconv.ParseUint(p.digits(10), 10, 8)
	if err != nil {
		return nil, p.errorf(start, "expected an arity from 0 to 255")
	}
	e.Arity = uint8(arity)
	return e, nil
}
