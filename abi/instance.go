package abi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/creo-dev/creo/abi/internal/interrupt"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/abiname"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// instance is one instantiated guest with everything a callback needs
// looked up once: the exports, the argument buffer and the call stack.
// Only the goroutine that borrowed it from the pool uses it.
type instance struct {
	module *module
	mod    api.Module
	mem    api.Memory
	memory *linearMemory
	alloc  api.Function
	fns    [numCallbacks]api.Function

	// ctx carries the instance to host functions; cancelling it interrupts
	// a module wazero guards (see deadline).
	ctx      context.Context
	cancel   context.CancelFunc
	deadline *deadline
	console  *guestOutput

	stack  [2]uint64 // CallWithStack's params and results
	bufPtr uint32    // the guest buffer of the latest creo_alloc
	bufCap uint32
	arg    args // the argument of the callback to run
	// argEnds: the guest's ABI version gives it the ends of the
	// argument's elements after the argument.
	argEnds bool

	// During a callback: the server it runs for, the context of the
	// caller, and for host functions an output buffer and a held term.
	proc   Process
	caller context.Context
	out    []byte
	held   []byte
}

type instanceKey struct{}

// instanceFrom returns the instance a host function was called from.
func instanceFrom(ctx context.Context) *instance {
	in, _ := ctx.Value(instanceKey{}).(*instance)
	return in
}

// newInstance instantiates m's compiled module, runs its _initialize under
// the deadline and checks its ABI version.
func (m *module) newInstance() (*instance, error) {
	in := &instance{module: m, memory: newLinearMemory(m.cfg.MemoryPages), console: newGuestOutput(m.log)}
	in.ctx, in.cancel = context.WithCancel(context.WithValue(context.Background(), instanceKey{}, in))
	mod, err := m.engine.wz.InstantiateModule(
		experimental.WithMemoryAllocator(in.ctx, experimental.MemoryAllocatorFunc(in.memory.Allocate)),
		m.compiled.cm, m.instanceConfig.WithStdout(in.console).WithStderr(in.console).WithNanosleep(in.sleep))
	if err != nil {
		in.cancel()
		return nil, in.fault(Unavailable, Init, fmt.Errorf("instantiate: %w", err), false)
	}
	in.mod, in.mem = mod, mod.Memory()
	in.alloc = mod.ExportedFunction(abiname.Alloc)
	for cb := range numCallbacks {
		in.fns[cb] = mod.ExportedFunction(cb.String())
	}
	stop := in.cancel
	if flag, ok := mod.ExportedGlobal(interrupt.Export).(api.MutableGlobal); ok && m.interruptible {
		stop = func() {
			flag.Set(1)
			in.cancel() // wakes a guest sleeping in WASI
		}
	}
	in.deadline = newDeadline(m.deadlineLimit(), stop)
	if err := in.start(); err != nil {
		in.close()
		return nil, err
	}
	return in, nil
}

// start runs _initialize, the Go runtime's and packages' init, under the
// deadline, and checks the ABI version.
func (in *instance) start() error {
	if initialize := in.mod.ExportedFunction(abiname.Initialize); initialize != nil {
		in.deadline.start()
		err := initialize.CallWithStack(in.ctx, nil)
		if expired := in.deadline.stop(); err != nil || expired {
			return in.fault(Unavailable, Init, fmt.Errorf("%s: %w", abiname.Initialize, err), expired)
		}
	}
	if err := in.checkVersion(); err != nil {
		return &Fault{Kind: Unavailable, Callback: Init, Detail: etf.Binary(err.Error()), Err: err}
	}
	return nil
}

func (in *instance) checkVersion() error {
	if err := in.mod.ExportedFunction(abiname.ABIVersion).CallWithStack(in.ctx, in.stack[:]); err != nil {
		return fmt.Errorf("%s: %w", abiname.ABIVersion, err)
	}
	v := int32(in.stack[0])
	if v < abiname.OldestVersion || v > abiname.Version {
		return fmt.Errorf("%s is %d, want %d to %d", abiname.ABIVersion, v, abiname.OldestVersion, abiname.Version)
	}
	in.argEnds = v >= abiname.ArgEndsVersion
	return nil
}

// call runs callback cb with the argument prepared in in.arg, followed by
// its elements' ends for a guest that takes them, and returns its result
// as it lies in guest memory: valid until the instance runs again. Any
// error is a *Fault, after which the instance must be thrown away.
func (in *instance) call(cb Callback) ([]byte, error) {
	in.deadline.start()
	size, need := uint32(in.arg.size), uint32(in.arg.size)
	if in.argEnds {
		need += uint32(in.arg.endsSize())
	}
	buf, err := in.reserve(need)
	if err == nil {
		in.arg.writeTo(buf)
		in.stack[0], in.stack[1] = uint64(in.bufPtr), uint64(size)
		err = in.fns[cb].CallWithStack(in.ctx, in.stack[:])
	}
	expired := in.deadline.stop()
	in.held = nil
	in.arg.clear()
	if err != nil || expired {
		return nil, in.fault(Trap, cb, err, expired)
	}
	rptr, rlen := uint32(in.stack[0]>>32), uint32(in.stack[0])
	res, ok := in.mem.Read(rptr, rlen)
	if !ok {
		msg := fmt.Sprintf("result at %d, %d bytes, is outside memory of %d bytes", rptr, rlen, in.mem.Size())
		return nil, &Fault{Kind: BadResult, Callback: cb, Detail: etf.Binary(msg)}
	}
	return res, nil
}

// minArgBuffer is the smallest buffer asked of creo_alloc, so that small
// arguments of different sizes do not each grow it.
const minArgBuffer = 256

// reserve makes sure the guest buffer holds n bytes, asking creo_alloc for
// a larger one only when it does not, and returns the buffer's first n
// bytes: a view of guest memory, to write the argument into.
func (in *instance) reserve(n uint32) ([]byte, error) {
	if n > in.bufCap || in.bufPtr == 0 {
		size := max(n, minArgBuffer)
		in.stack[0] = uint64(size)
		if err := in.alloc.CallWithStack(in.ctx, in.stack[:]); err != nil {
			return nil, err
		}
		in.bufPtr, in.bufCap = uint32(in.stack[0]), size
		if _, ok := in.mem.Read(in.bufPtr, size); !ok || in.bufPtr == 0 {
			err := fmt.Errorf("%s(%d) returned %d, not a buffer inside memory", abiname.Alloc, size, in.bufPtr)
			in.bufPtr = 0
			return nil, err
		}
	}
	// Read again: creo_alloc may have grown memory, which moves it.
	buf, _ := in.mem.Read(in.bufPtr, n) // inside the buffer checked above
	return buf, nil
}

// fault classifies a failed call: a deadline that fired, a trap the guest
// asked for, a trap after a refused memory grow, or another trap (kind).
func (in *instance) fault(kind FaultKind, cb Callback, err error, expired bool) *Fault {
	switch {
	case expired:
		return &Fault{Kind: Deadline, Callback: cb, Detail: etf.Int(in.module.cfg.Deadline.Milliseconds()), Err: err}
	case in.memory.refused:
		return &Fault{Kind: MemoryLimit, Callback: cb, Detail: etf.Int(in.module.cfg.MemoryPages), Err: err}
	}
	var gt *guestTrap
	if errors.As(err, &gt) {
		return &Fault{Kind: Trap, Callback: cb, Detail: etf.Binary(gt.msg), Err: err}
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	if last := in.console.lastLine(); last != "" {
		msg += " (guest output: " + last + ")"
	}
	return &Fault{Kind: kind, Callback: cb, Detail: etf.Binary(msg), Err: err}
}

// sleep is the guest's WASI sleep (time.Sleep, and poll_oneoff's clock): a
// real one, which the deadline cuts short so that an interrupted guest
// wakes and meets its next interrupt check.
func (in *instance) sleep(ns int64) {
	t := time.NewTimer(time.Duration(ns))
	defer t.Stop()
	select {
	case <-t.C:
	case <-in.ctx.Done():
	}
}

// reusable reports whether the instance can serve another callback: a
// deadline that fired after its callback returned closes the module.
func (in *instance) reusable() bool {
	return in.ctx.Err() == nil && !in.mod.IsClosed()
}

func (in *instance) close() {
	in.deadline.close()
	in.cancel()
	_ = in.mod.Close(context.Background())
}
