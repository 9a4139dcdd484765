package abi

import (
	"bytes"
	"context"
	"log/slog"
)

// maxLine bounds one line of guest output kept or logged.
const maxLine = 512

// guestOutput is an instance's stdout and stderr: each line goes to the
// host's log, and the last one is kept because a Go guest's runtime prints
// why it died ("fatal error: out of memory") just before it traps.
type guestOutput struct {
	log     *slog.Logger
	partial []byte
	last    string
}

func newGuestOutput(log *slog.Logger) *guestOutput { return &guestOutput{log: log} }

// Write logs each complete line of p and keeps the rest for the next call.
func (o *guestOutput) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		line, rest, found := bytes.Cut(p, []byte{'\n'})
		if len(o.partial) < maxLine {
			o.partial = append(o.partial, line[:min(len(line), maxLine-len(o.partial))]...)
		}
		if !found {
			break
		}
		if len(o.partial) > 0 {
			o.last = string(o.partial)
			o.log.LogAttrs(context.Background(), slog.LevelWarn, "guest output", slog.String("line", o.last))
		}
		o.partial, p = o.partial[:0], rest
	}
	return n, nil
}

// lastLine returns the last line the guest wrote, complete or not.
func (o *guestOutput) lastLine() string {
	if len(o.partial) > 0 {
		return string(o.partial)
	}
	return o.last
}
