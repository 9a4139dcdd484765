package sdk

import (
	"fmt"
	"runtime"
	"time"
	"unsafe"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/abiname"
)

// ExitError is a host function's failure with an Erlang reason, such as a
// Call that exited with timeout or noproc.
type ExitError struct {
	Reason etf.Term
}

func (e *ExitError) Error() string { return fmt.Sprintf("sdk: exit %v", e.Reason) }

// Level is the level of a [Log] message.
type Level int32

// The levels of [Log].
const (
	LevelDebug   Level = abiname.LevelDebug
	LevelInfo    Level = abiname.LevelInfo
	LevelWarning Level = abiname.LevelWarning
	LevelError   Level = abiname.LevelError
)

// Self returns the pid of the server the callback runs for.
func Self() etf.Pid {
	t, err := output(func(out []byte) int32 { return self(address(out), uint32(len(out))) })
	if err != nil {
		panic(err)
	}
	return t.(etf.Pid)
}

// Send sends msg to dest: a pid, a registered name (an atom) or
// {Name, Node}. Sending to a name that is not registered fails with badarg,
// as in Erlang.
func Send(dest, msg any) error {
	b, lens := encode(dest, msg)
	status := send(address(b), lens[0], address(b[lens[0]:]), lens[1])
	runtime.KeepAlive(b)
	return statusError(status)
}

// Call makes a gen_server call to dest and returns the reply; a negative
// timeout waits without limit. It fails with an [ExitError] whose reason
// is what GenServer.call would exit with (timeout, noproc...). The
// callback's deadline does not count the time spent waiting here.
func Call(dest, req any, timeout time.Duration) (etf.Term, error) {
	ms := int32(abiname.Infinity)
	if timeout >= 0 {
		ms = int32(min(timeout.Milliseconds(), 1<<31-1))
	}
	b, lens := encode(dest, req)
	defer runtime.KeepAlive(b)
	return output(func(out []byte) int32 {
		return call(address(b), lens[0], address(b[lens[0]:]), lens[1], ms, address(out), uint32(len(out)))
	})
}

// ReplyTo answers a call that handle_call deferred with [NoReply].
func ReplyTo(from From, msg any) error {
	b, lens := encode(from.Term(), msg)
	status := reply(address(b), lens[0], address(b[lens[0]:]), lens[1])
	runtime.KeepAlive(b)
	return statusError(status)
}

// SendAfter sends msg to dest after delay and returns the timer's
// reference, as Process.send_after/3 does.
func SendAfter(dest, msg any, delay time.Duration) (etf.Ref, error) {
	b, lens := encode(dest, msg)
	defer runtime.KeepAlive(b)
	t, err := output(func(out []byte) int32 {
		return sendAfter(address(b), lens[0], address(b[lens[0]:]), lens[1], delay.Milliseconds(), address(out), uint32(len(out)))
	})
	if err != nil {
		return etf.Ref{}, err
	}
	return t.(etf.Ref), nil
}

// CancelTimer cancels a timer of [SendAfter] and returns the time that was
// left, or false if the timer is not active.
func CancelTimer(ref etf.Ref) (time.Duration, bool) {
	b, lens := encode(ref)
	left := cancelTimer(address(b), lens[0])
	runtime.KeepAlive(b)
	if left < 0 {
		return 0, false
	}
	return time.Duration(left) * time.Millisecond, true
}

// MonotonicTime returns the host's monotonic clock, from an arbitrary
// origin.
func MonotonicTime() time.Duration { return time.Duration(monotonicTime()) }

// SystemTime returns the host's wall clock.
func SystemTime() time.Time { return time.Unix(0, systemTime()) }

// RandomBytes fills b with cryptographically random bytes from the host.
func RandomBytes(b []byte) {
	if len(b) == 0 {
		return
	}
	status := randomBytes(address(b), uint32(len(b)))
	runtime.KeepAlive(b)
	if err := statusError(status); err != nil {
		panic(err)
	}
}

// Log writes msg to the host's structured log, with the server's pid.
func Log(level Level, msg string) {
	b := []byte(msg)
	status := logMsg(int32(level), address(b), uint32(len(b)))
	runtime.KeepAlive(b)
	if err := statusError(status); err != nil {
		panic(err)
	}
}

// scratch receives host function output that fits; larger output is
// fetched with result.
var scratch = make([]byte, 512)

// output runs a host function that writes a term, fetching it with result
// when it does not fit in scratch, and decodes it.
func output(fn func(out []byte) int32) (etf.Term, error) {
	n := fn(scratch)
	if n < 0 {
		return nil, statusError(n)
	}
	out := scratch
	if int(n) > len(out) {
		out = make([]byte, n)
		if got := result(address(out), uint32(n)); got != n {
			return nil, statusError(got)
		}
	}
	runtime.KeepAlive(out)
	return etf.Decode(out[:n])
}

// encode encodes terms one after the other, each with its version byte,
// and returns their lengths.
func encode(terms ...any) ([]byte, [2]uint32) {
	var b []byte
	var lens [2]uint32
	for i, v := range terms {
		t, err := etf.ToTerm(v)
		if err != nil {
			panic(fmt.Sprintf("sdk: %v", err))
		}
		start := len(b)
		if b, err = etf.AppendTerm(append(b, 131), t); err != nil {
			panic(fmt.Sprintf("sdk: %v", err))
		}
		lens[i] = uint32(len(b) - start)
	}
	return b, lens
}

// statusError turns a host function's status into an error: nil for OK,
// an [ExitError] for ErrFailed with the reason the host holds.
func statusError(status int32) error {
	switch status {
	case abiname.ErrFailed:
		reason, err := output(func(out []byte) int32 { return result(address(out), uint32(len(out))) })
		if err != nil {
			return err
		}
		return &ExitError{Reason: reason}
	case abiname.ErrMemory:
		return fmt.Errorf("sdk: host function status %d: memory", status)
	case abiname.ErrBadTerm:
		return fmt.Errorf("sdk: host function status %d: bad term", status)
	}
	if status < 0 {
		return fmt.Errorf("sdk: host function status %d", status)
	}
	return nil
}

// address is the guest-memory address of b's first byte. Go's GC does not
// move objects, so the address stays valid while b is alive.
func address(b []byte) uint32 { return uint32(uintptr(unsafe.Pointer(unsafe.SliceData(b)))) }
