// Package bufpool keeps large byte buffers for reuse, so that a node
// handling many large messages does not leave the garbage collector one
// new buffer to mark and sweep, and the runtime fresh pages to fault in
// and clear, for each message.
//
// Buffers come in size classes from 64 KiB to 16 MiB, each a power of two
// or one and a half times one, so a buffer is at most half as large again
// as asked. Each class is a sync.Pool: what the program stops reusing is
// freed by the collector within two cycles, so the pool bounds itself.
//
// A buffer given back with [Put] must have no other holder: whoever reads
// it after Put reads the next user's bytes. Packages that lend a buffer
// say in their types who owns it and when it may go back.
package bufpool

import (
	"math/bits"
	"sync"
)

const (
	// MinSize is the smallest buffer kept: smaller ones cost the collector
	// little, and a pool would cost them more than it saves.
	MinSize = 64 << 10
	// maxSize is the largest buffer kept: larger messages are rare, and
	// keeping them would pin much memory.
	maxSize = 16 << 20
)

// numClasses counts the sizes 2^k and 3·2^(k-1) from MinSize to maxSize.
var numClasses = 2*(bits.Len(maxSize)-bits.Len(MinSize)) + 1

var pools = make([]sync.Pool, numClasses)

// classSize returns the size of class c: MinSize, 1.5·MinSize,
// 2·MinSize, 3·MinSize, 4·MinSize...
func classSize(c int) int {
	if c%2 == 0 {
		return MinSize << (c / 2)
	}
	return 3 * MinSize << (c / 2) >> 1
}

// classFor returns the smallest class that holds n bytes, for
// n <= maxSize.
func classFor(n int) int {
	if n <= MinSize {
		return 0
	}
	c := 2 * (bits.Len(uint(n-1)) - bits.Len(MinSize))
	if n > classSize(c+1) {
		return c + 2
	}
	return c + 1
}

// classOf returns the largest class that a buffer of capacity n fills,
// for MinSize <= n.
func classOf(n int) int {
	c := 2 * (bits.Len(uint(n)) - bits.Len(MinSize))
	if n >= classSize(c+1) {
		return c + 1
	}
	return c
}

// Get returns an empty buffer with room for n bytes: a kept one of n's size
// class when there is one, else a new one. Its bytes are not cleared.
func Get(n int) []byte {
	if n > maxSize {
		return make([]byte, 0, n)
	}
	c := classFor(n)
	if b, ok := pools[c].Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return make([]byte, 0, classSize(c))
}

// Put gives b back for reuse. The caller must be b's only holder, and
// must not use b after. Buffers smaller than MinSize or larger than the
// largest class are left to the collector.
func Put(b []byte) {
	if cap(b) < MinSize || cap(b) > maxSize {
		return
	}
	c := classOf(cap(b))
	b = b[:0:classSize(c)]
	pools[c].Put(&b)
}
