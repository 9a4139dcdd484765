//go:build bufpoison

package bufpool

// Poisoned reports whether this build poisons released buffers: built
// with the tag bufpoison, Put writes PoisonByte over every byte of a
// buffer it is given, pooled or not, so that a holder that reads it after
// its release reads garbage a test can see, and, under -race, a holder on
// another goroutine races with Put's writes.
const Poisoned = true

// poison writes PoisonByte over the whole capacity of b.
func poison(b []byte) {
	b = b[:cap(b)]
	for i := range b {
		b[i] = PoisonByte
	}
}
