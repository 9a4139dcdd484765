package dist

import (
	"fmt"
	"unicode/utf8"

	"github.com/creo-dev/creo/etf"
)

// atomCacheSize is the number of slots of an atom cache: 8 segments of 256.
const atomCacheSize = 2048

// atomCache holds the atoms a peer has defined in the distribution headers it
// sent on one connection (erl_ext_dist.md, "Normal Distribution Header").
type atomCache struct {
	atoms [atomCacheSize]etf.Atom
	// encoded holds each atom as etf.AppendTerm writes it, for the raw
	// payloads that name it: encoded once when defined, not per message.
	encoded [atomCacheSize][]byte
	// set marks the slots defined so far: the empty atom is a valid entry.
	set [atomCacheSize / 64]uint64
}

func (c *atomCache) store(slot int, a etf.Atom) error {
	enc, err := etf.AppendTerm(nil, a)
	if err != nil {
		return err
	}
	c.atoms[slot], c.encoded[slot] = a, enc
	c.set[slot/64] |= 1 << (slot % 64)
	return nil
}

func (c *atomCache) load(slot int) (a etf.Atom, encoded []byte, ok bool) {
	return c.atoms[slot], c.encoded[slot], c.set[slot/64]&(1<<(slot%64)) != 0
}

// header reads the atom cache part of a distribution header:
//
//	u8 NumberOfAtomCacheRefs | Flags | AtomCacheRefs
//
// It updates the cache with new entries, leaves in d.atoms the atom each
// ATOM_CACHE_REF index of the following terms stands for (and its encoding
// in d.encoded), and returns the bytes after the header.
func (d *decoder) header(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: distribution header without its atom count", ErrProtocol)
	}
	n := int(b[0])
	d.atoms, d.encoded = d.atoms[:0], d.encoded[:0]
	if n == 0 {
		return b[1:], nil
	}
	// One flag nibble per reference, then one for the whole header.
	flagBytes := n/2 + 1
	if len(b) < 1+flagBytes {
		return nil, fmt.Errorf("%w: atom cache flags truncated", ErrProtocol)
	}
	flags, b := b[1:1+flagBytes], b[1+flagBytes:]
	nibble := func(i int) byte { return flags[i/2] >> (4 * (i % 2)) & 0xf }
	longAtoms := nibble(n)&1 != 0
	for i := range n {
		f := nibble(i)
		if len(b) == 0 {
			return nil, fmt.Errorf("%w: atom cache reference %d truncated", ErrProtocol, i)
		}
		slot := int(f&7)<<8 | int(b[0])
		b = b[1:]
		if f&8 == 0 {
			a, enc, ok := d.cache.load(slot)
			if !ok {
				return nil, fmt.Errorf("%w: atom cache reference %d to empty slot %d", ErrProtocol, i, slot)
			}
			d.atoms, d.encoded = append(d.atoms, a), append(d.encoded, enc)
			continue
		}
		text, rest, err := atomText(b, longAtoms)
		if err != nil {
			return nil, fmt.Errorf("%w: atom cache reference %d: %w", ErrProtocol, i, err)
		}
		b = rest
		a := etf.Atom(text)
		if err := d.cache.store(slot, a); err != nil {
			return nil, fmt.Errorf("%w: atom cache reference %d: %w", ErrProtocol, i, err)
		}
		_, enc, _ := d.cache.load(slot)
		d.atoms, d.encoded = append(d.atoms, a), append(d.encoded, enc)
	}
	return b, nil
}

// atomText reads the length (1 byte, or 2 with LongAtoms) and the UTF-8 text
// of a new atom cache entry.
func atomText(b []byte, long bool) (text, rest []byte, err error) {
	var n int
	switch {
	case long && len(b) >= 2:
		n, b = int(b[0])<<8|int(b[1]), b[2:]
	case !long && len(b) >= 1:
		n, b = int(b[0]), b[1:]
	default:
		return nil, nil, fmt.Errorf("atom length truncated")
	}
	if len(b) < n {
		return nil, nil, fmt.Errorf("atom of %d bytes in %d", n, len(b))
	}
	text = b[:n]
	if !utf8.Valid(text) || utf8.RuneCount(text) > 255 {
		return nil, nil, fmt.Errorf("atom text is not UTF-8 of at most 255 characters")
	}
	return text, b[n:], nil
}
