//go:build !bufpoison

package bufpool

// Poisoned reports whether this build poisons released buffers (see
// poison_on.go, built with the tag bufpoison); it does not.
const Poisoned = false

// poison does nothing outside a poisoning build.
func poison([]byte) {}
