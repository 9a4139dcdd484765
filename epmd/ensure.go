package epmd

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"
)

// Ensure makes sure an EPMD answers at addr. When one does, a real epmd or
// another process's embedded server, Ensure returns nil: use that one. When
// nothing listens there, it starts an embedded [Server] on addr and returns
// it; the caller owns it and closes it when done.
//
// Processes that call Ensure at once end with exactly one server: the
// kernel lets one of them listen, and the others, refused the address,
// find that server and return nil.
func Ensure(ctx context.Context, addr string, cfg ServerConfig) (*Server, error) {
	// A few rounds settle any race; an address that stays in use without
	// answering is held by something else.
	const rounds = 50
	for range rounds {
		// NAMES rather than a bare connect: it proves an EPMD answers, and
		// a server does not log it as a broken request.
		_, err := Names(ctx, addr)
		if err == nil {
			return nil, nil
		}
		if !isRefused(err) {
			return nil, fmt.Errorf("epmd: ensure an EPMD at %s: %w", addr, err)
		}
		s, err := Listen(addr, cfg)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			return nil, err
		}
		// Another process listened between our probe and our Listen; its
		// server answers the next probe.
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("epmd: ensure an EPMD at %s: %w", addr, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("epmd: ensure an EPMD at %s: the address is in use but nothing answers there", addr)
}

// isRefused reports whether err says nothing listens at the address dialled.
func isRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}
