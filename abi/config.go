package abi

import (
	"log/slog"
	"time"
)

// Config configures a [Runtime].
type Config struct {
	// CacheDir is the directory of the compilation cache, normally under
	// the host's data directory. Empty: compiled code is cached in memory
	// only, so a restart compiles again.
	CacheDir string
	// Logger receives what guests write to stdout and stderr, and the
	// instance life cycle at debug level. Nil: slog.Default().
	Logger *slog.Logger
}

// Defaults of [ModuleConfig]; they are safe for untrusted code.
const (
	DefaultMemoryPages  = 256 // 16 MiB; a Go guest needs about 40 to start
	DefaultDeadline     = 5 * time.Second
	DefaultMaxInstances = 32
	DefaultPoolWait     = 5 * time.Second
)

// ModuleConfig bounds one loaded module and grants it what it may reach.
// Zero fields take the defaults.
type ModuleConfig struct {
	// MemoryPages is the most 64 KiB pages an instance's memory may grow to.
	MemoryPages uint32
	// Deadline bounds each callback's running time, leaving out the time
	// spent waiting in a call to another server.
	Deadline time.Duration
	// Trusted lifts the deadline: the module's callbacks run as long as
	// they take.
	Trusted bool
	// MaxInstances is the most instances the module's pool holds at once.
	MaxInstances int
	// PoolWait is how long a callback waits for an instance when all
	// MaxInstances are busy, before it fails as {wasm_unavailable, Msg}.
	PoolWait time.Duration
	// Env grants environment variables.
	Env map[string]string
	// Dirs grants host directories, mounted read-only at their guest paths.
	Dirs []Dir
}

// Dir is a host directory granted to a guest.
type Dir struct {
	HostPath, GuestPath string
}

func (c ModuleConfig) withDefaults() ModuleConfig {
	if c.MemoryPages == 0 {
		c.MemoryPages = DefaultMemoryPages
	}
	if c.Deadline == 0 {
		c.Deadline = DefaultDeadline
	}
	if c.MaxInstances == 0 {
		c.MaxInstances = DefaultMaxInstances
	}
	if c.PoolWait == 0 {
		c.PoolWait = DefaultPoolWait
	}
	return c
}
