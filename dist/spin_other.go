//go:build !linux

package dist

import "io"

// neverPoll does nothing: off Linux a reader never polls (see
// spin_linux.go).
func neverPoll(io.Reader) {}
