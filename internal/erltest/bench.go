package erltest

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
)

// Session is a testing.TB for a program that is not a test, such as the
// benchmark harness (bench/), so that it starts EPMD and nodes with this
// package as tests do. Code that takes the TB runs inside [Session.Run]:
// Fatal, FailNow and Skip end that Run with an error, and the cleanups
// registered meanwhile run, last first, when it returns. As in a test,
// those methods must be called from Run's own goroutine.
//
// Chdir, ArtifactDir and Attr are not provided; calling them panics.
type Session struct {
	// TB is nil, embedded only for the interface's unexported method.
	testing.TB
	name string
	ctx  context.Context
	log  io.Writer

	mu       sync.Mutex
	cleanups []func()
	errs     []string // what Error, Fatal and Skip said in this Run
	failed   bool
	skipped  bool
}

// NewSession returns a Session named name whose Context is ctx and whose
// Log goes to log.
func NewSession(ctx context.Context, name string, log io.Writer) *Session {
	return &Session{name: name, ctx: ctx, log: log}
}

// sessionEnd is what FailNow and SkipNow panic with to end a Run.
type sessionEnd struct{}

// Run runs f, then the cleanups f registered. It returns an error if f
// failed or skipped, with what it said.
func (s *Session) Run(f func()) (err error) {
	defer func() {
		r := recover()
		if _, ok := r.(sessionEnd); r != nil && !ok {
			s.runCleanups()
			panic(r)
		}
		s.runCleanups()
		s.mu.Lock()
		defer s.mu.Unlock()
		why := strings.TrimSpace(strings.Join(s.errs, ""))
		switch {
		case s.failed:
			err = fmt.Errorf("erltest: %s failed: %s", s.name, why)
		case s.skipped:
			err = fmt.Errorf("erltest: %s skipped: %s", s.name, why)
		}
		s.errs, s.failed, s.skipped = nil, false, false
	}()
	f()
	return nil
}

func (s *Session) runCleanups() {
	for {
		s.mu.Lock()
		if len(s.cleanups) == 0 {
			s.mu.Unlock()
			return
		}
		f := s.cleanups[len(s.cleanups)-1]
		s.cleanups = s.cleanups[:len(s.cleanups)-1]
		s.mu.Unlock()
		f()
	}
}

// Cleanup registers f to run when the current Run returns.
func (s *Session) Cleanup(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanups = append(s.cleanups, f)
}

// Helper does nothing: a Session reports no file and line.
func (s *Session) Helper() {}

// Name returns the session's name.
func (s *Session) Name() string { return s.name }

// Context returns the session's context.
func (s *Session) Context() context.Context { return s.ctx }

// Output returns where the session logs.
func (s *Session) Output() io.Writer { return s.log }

// Log logs its arguments as fmt.Sprintln formats them.
func (s *Session) Log(args ...any) { s.logLine(fmt.Sprintln(args...), false) }

// Logf logs as fmt.Sprintf formats.
func (s *Session) Logf(format string, args ...any) {
	s.logLine(fmt.Sprintf(format, args...)+"\n", false)
}

// logLine writes line to the log, and keeps it for Run's error if it says
// why the Run fails or skips.
func (s *Session) logLine(line string, why bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if why {
		s.errs = append(s.errs, line)
	}
	io.WriteString(s.log, line)
}

// Fail marks the current Run failed and goes on.
func (s *Session) Fail() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed = true
}

// Failed reports whether the current Run failed.
func (s *Session) Failed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// FailNow marks the current Run failed and ends it.
func (s *Session) FailNow() {
	s.Fail()
	panic(sessionEnd{})
}

// Error logs as Log does and marks the Run failed.
func (s *Session) Error(args ...any) { s.logLine(fmt.Sprintln(args...), true); s.Fail() }

// Errorf logs as Logf does and marks the Run failed.
func (s *Session) Errorf(format string, args ...any) {
	s.logLine(fmt.Sprintf(format, args...)+"\n", true)
	s.Fail()
}

// Fatal logs as Log does and ends the Run as failed.
func (s *Session) Fatal(args ...any) { s.Error(args...); s.FailNow() }

// Fatalf logs as Logf does and ends the Run as failed.
func (s *Session) Fatalf(format string, args ...any) { s.Errorf(format, args...); s.FailNow() }

// SkipNow ends the Run as skipped.
func (s *Session) SkipNow() {
	s.mu.Lock()
	s.skipped = true
	s.mu.Unlock()
	panic(sessionEnd{})
}

// Skipped reports whether the current Run skipped.
func (s *Session) Skipped() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.skipped
}

// Skip logs as Log does and ends the Run as skipped.
func (s *Session) Skip(args ...any) { s.logLine(fmt.Sprintln(args...), true); s.SkipNow() }

// Skipf logs as Logf does and ends the Run as skipped.
func (s *Session) Skipf(format string, args ...any) {
	s.logLine(fmt.Sprintf(format, args...)+"\n", true)
	s.SkipNow()
}

// TempDir returns a new directory, removed when the current Run returns.
func (s *Session) TempDir() string {
	dir, err := os.MkdirTemp("", "erltest-*")
	if err != nil {
		s.Fatalf("erltest: temp dir: %v", err)
	}
	s.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// Setenv sets an environment variable until the current Run returns.
func (s *Session) Setenv(key, value string) {
	old, had := os.LookupEnv(key)
	if err := os.Setenv(key, value); err != nil {
		s.Fatalf("erltest: setenv %s: %v", key, err)
	}
	s.Cleanup(func() {
		if had {
			os.Setenv(key, old)
		} else {
			os.Unsetenv(key)
		}
	})
}

var _ testing.TB = (*Session)(nil)
