// Package bufpool keeps large byte buffers for reuse, so that a node
// handling many large messages does not leave the garbage collector one
// new buffer to mark and sweep, and the runtime fresh pages to fault in
// and clear, for each message.
//
// Buffers come in size classes from 64 KiB to 16 MiB. Up to 1 MiB and a
// fragment the classes are 64 KiB apart, since what is asked is mostly a number of
// 64 KiB fragments and a little room, and a buffer that is not given back
// should cost no more than one made to measure; past that each class is
// half as large again as the one before, or twice. Every class has 4 KiB
// of slack for that room. Each class is a sync.Pool: what the program
// stops reusing is freed by the collector within two cycles, so the pool
// bounds itself.
//
// A buffer given back with [Put] must have no other holder: whoever reads
// it after Put reads the next user's bytes. Packages that lend a buffer
// say in their types who owns it and when it may go back.
package bufpool

import (
	"slices"
	"sync"
)

// MinSize is the size from which buffers are pooled: smaller ones cost
// the collector little, and a pool would cost them more than it saves.
const MinSize = 64 << 10

// slack is added to every class, for the room a buffer's user keeps
// beside a whole number of fragments.
const slack = 4 << 10

// classSizes are the sizes of the classes, ascending.
var classSizes = func() []int {
	var sizes []int
	for n := MinSize; n <= 1<<20+64<<10; n += 64 << 10 {
		sizes = append(sizes, n+slack)
	}
	for n := 1 << 20; n < 16<<20; n *= 2 {
		sizes = append(sizes, n*3/2+slack, 2*n+slack)
	}
	return sizes
}()

var pools = make([]sync.Pool, len(classSizes))

// Get returns an empty buffer with room for n bytes: a kept one of the
// smallest class that holds n when there is one, else a new one of that
// class's size. Its bytes are not cleared. A buffer for more than the
// largest class is made to measure.
func Get(n int) []byte {
	c, _ := slices.BinarySearch(classSizes, n)
	if c == len(classSizes) {
		return make([]byte, 0, n)
	}
	if b, ok := pools[c].Get().(*[]byte); ok {
		return (*b)[:0]
	}
	return make([]byte, 0, classSizes[c])
}

// Put gives b back for reuse, in the largest class it holds. The caller
// must be b's only holder, and must not use b after. Buffers smaller than
// the smallest class or larger than the largest are left to the
// collector. Tests built with the tag bufpoison see a use after Put: it
// writes over b first (see Poisoned).
func Put(b []byte) {
	poison(b)
	c, found := slices.BinarySearch(classSizes, cap(b))
	if !found {
		c-- // the largest class under cap(b)
	}
	if c < 0 || cap(b) > classSizes[len(classSizes)-1] {
		return
	}
	b = b[:0:classSizes[c]]
	pools[c].Put(&b)
}
