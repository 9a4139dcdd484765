package abi

import "github.com/tetratelabs/wazero/experimental"

// pageSize is the size of a WebAssembly page.
const pageSize = 65536

// linearMemory backs one instance's memory and enforces its module's page
// limit itself, rather than through wazero's runtime-wide
// WithMemoryLimitPages, for two reasons: the limit can differ per module in
// one runtime, and a refused grow is recorded, which is how a trap that
// follows is told apart as {wasm_memory_limit, Pages}.
//
// Only the goroutine running the instance touches it, so refused needs no
// synchronisation.
type linearMemory struct {
	buf     []byte
	limit   uint64 // bytes
	refused bool
}

var _ experimental.LinearMemory = (*linearMemory)(nil)

func newLinearMemory(limitPages uint32) *linearMemory {
	return &linearMemory{limit: uint64(limitPages) * pageSize}
}

// Allocate implements experimental.MemoryAllocator; wazero calls it once per
// instance.
func (m *linearMemory) Allocate(capacity, _ uint64) experimental.LinearMemory {
	m.buf = make([]byte, 0, min(capacity, m.limit))
	return m
}

// Reallocate grows the memory to size bytes, or returns nil past the limit,
// which memory.grow reports to the guest as -1. The bytes between len and cap
// were never written (memory never shrinks), so they are zero as grown pages
// must be.
func (m *linearMemory) Reallocate(size uint64) []byte {
	if size > m.limit {
		m.refused = true
		return nil
	}
	if size > uint64(cap(m.buf)) {
		grown := make([]byte, size, min(size+size/4, m.limit))
		copy(grown, m.buf)
		m.buf = grown
	}
	m.buf = m.buf[:size]
	return m.buf
}

// Free drops the memory; the Go GC reclaims it.
func (m *linearMemory) Free() { m.buf = nil }
