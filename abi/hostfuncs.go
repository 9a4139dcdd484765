package abi

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/abiname"
	"github.com/creo-dev/creo/internal/etfwire"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// hostFunc is one function of the creo import module (ABI.md section 5).
// Each reads its arguments from the stack and writes its result to
// stack[0]; a bad pointer or term becomes a status code, never a panic.
type hostFunc struct {
	name    string
	params  []api.ValueType
	results []api.ValueType
	fn      func(in *instance, mem api.Memory, stack []uint64)
	// server: the function acts for the server, so it fails outside a
	// callback (in _initialize) with reason no_process.
	server bool
}

var (
	i32 = api.ValueTypeI32
	i64 = api.ValueTypeI64
)

var hostFuncs = []hostFunc{
	{abiname.Self, []api.ValueType{i32, i32}, []api.ValueType{i32}, hostSelf, true},
	{abiname.Send, []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}, hostSend, true},
	{abiname.Call, []api.ValueType{i32, i32, i32, i32, i32, i32, i32}, []api.ValueType{i32}, hostCall, true},
	{abiname.Reply, []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}, hostReply, true},
	{abiname.SendAfter, []api.ValueType{i32, i32, i32, i32, i64, i32, i32}, []api.ValueType{i32}, hostSendAfter, true},
	{abiname.CancelTimer, []api.ValueType{i32, i32}, []api.ValueType{i64}, hostCancelTimer, true},
	{abiname.MonotonicTime, nil, []api.ValueType{i64}, hostMonotonicTime, false},
	{abiname.SystemTime, nil, []api.ValueType{i64}, hostSystemTime, false},
	{abiname.RandomBytes, []api.ValueType{i32, i32}, []api.ValueType{i32}, hostRandomBytes, false},
	{abiname.Log, []api.ValueType{i32, i32, i32}, []api.ValueType{i32}, hostLog, false},
	{abiname.Result, []api.ValueType{i32, i32}, []api.ValueType{i32}, hostResult, false},
	{abiname.Trap, []api.ValueType{i32, i32}, nil, hostTrap, false},
}

// instantiateHostModule adds the creo import module to a wazero runtime.
func instantiateHostModule(ctx context.Context, wz wazero.Runtime) error {
	b := wz.NewHostModuleBuilder(abiname.Module)
	for _, f := range hostFuncs {
		b.NewFunctionBuilder().
			WithGoModuleFunction(bind(f), f.params, f.results).
			WithName(f.name).
			Export(f.name)
	}
	_, err := b.Instantiate(ctx)
	return err
}

// bind finds the calling instance, which travels in the call's context,
// and drops the term a previous host call held unless f is result.
func bind(f hostFunc) api.GoModuleFunc {
	return func(ctx context.Context, mod api.Module, stack []uint64) {
		in := instanceFrom(ctx)
		if f.name != abiname.Result {
			in.held = nil
		}
		if f.server && in.proc == nil {
			// Called from _initialize: there is no server yet.
			in.hold(etf.Atom("no_process"))
			if f.results[0] == i64 {
				stack[0] = api.EncodeI64(abiname.ErrFailed)
			} else {
				setStatus(stack, abiname.ErrFailed)
			}
			return
		}
		f.fn(in, mod.Memory(), stack)
	}
}

func setStatus(stack []uint64, status int32) { stack[0] = api.EncodeI32(status) }

// guestTrap is the panic of the trap host function; wazero returns it
// wrapped in the callback's error.
type guestTrap struct{ msg string }

func (t *guestTrap) Error() string { return "guest trap: " + t.msg }

func hostSelf(in *instance, mem api.Memory, stack []uint64) {
	setStatus(stack, in.output(mem, in.proc.Self(), stack[0], stack[1]))
}

func hostSend(in *instance, mem api.Memory, stack []uint64) {
	if dest, msg, ok := readTarget(mem, stack, readDest); ok {
		setStatus(stack, in.status(in.proc.Send(dest, msg)))
	}
}

func hostCall(in *instance, mem api.Memory, stack []uint64) {
	dest, req, ok := readTarget(mem, stack, readDest)
	if !ok {
		return
	}
	timeout := time.Duration(-1)
	if ms := api.DecodeI32(stack[4]); ms >= 0 {
		timeout = time.Duration(ms) * time.Millisecond
	}
	left := in.deadline.pause()
	reply, err := in.proc.Call(in.caller, dest, req, timeout)
	in.deadline.resume(left)
	if err != nil {
		setStatus(stack, in.status(err))
		return
	}
	setStatus(stack, in.output(mem, reply, stack[5], stack[6]))
}

func hostReply(in *instance, mem api.Memory, stack []uint64) {
	if from, reply, ok := readTarget(mem, stack, readTerm); ok {
		setStatus(stack, in.status(in.proc.Reply(from, reply)))
	}
}

func hostSendAfter(in *instance, mem api.Memory, stack []uint64) {
	dest, msg, ok := readTarget(mem, stack, readDest)
	if !ok {
		return
	}
	delay := int64(stack[4])
	if delay < 0 {
		setStatus(stack, abiname.ErrFailed)
		in.hold(etf.Atom("badarg"))
		return
	}
	ref, err := in.proc.SendAfter(dest, msg, time.Duration(delay)*time.Millisecond)
	if err != nil {
		setStatus(stack, in.status(err))
		return
	}
	setStatus(stack, in.output(mem, ref, stack[5], stack[6]))
}

// readTarget reads the first two arguments of send, call, reply and
// send_after, each a (ptr, len) pair: a target, decoded by read, and a
// message kept encoded. On a bad argument it sets the status and returns
// false.
func readTarget(mem api.Memory, stack []uint64, read func(api.Memory, uint64, uint64) (etf.Term, int32)) (etf.Term, etf.Raw, bool) {
	target, status := read(mem, stack[0], stack[1])
	if status != abiname.OK {
		setStatus(stack, status)
		return nil, nil, false
	}
	msg, status := readRaw(mem, stack[2], stack[3])
	if status != abiname.OK {
		setStatus(stack, status)
		return nil, nil, false
	}
	return target, msg, true
}

func hostCancelTimer(in *instance, mem api.Memory, stack []uint64) {
	t, status := readTerm(mem, stack[0], stack[1])
	ref, ok := t.(etf.Ref)
	switch {
	case status != abiname.OK:
		stack[0] = api.EncodeI64(int64(status))
	case !ok:
		stack[0] = api.EncodeI64(abiname.ErrBadTerm)
	default:
		left, active := in.proc.CancelTimer(ref)
		if !active {
			stack[0] = api.EncodeI64(abiname.ErrNoTimer)
			return
		}
		stack[0] = api.EncodeI64(left.Milliseconds())
	}
}

func hostMonotonicTime(_ *instance, _ api.Memory, stack []uint64) {
	stack[0] = uint64(nanotime())
}

func hostSystemTime(_ *instance, _ api.Memory, stack []uint64) {
	stack[0] = uint64(time.Now().UnixNano())
}

func hostRandomBytes(_ *instance, mem api.Memory, stack []uint64) {
	view, ok := mem.Read(api.DecodeU32(stack[0]), api.DecodeU32(stack[1]))
	if !ok {
		setStatus(stack, abiname.ErrMemory)
		return
	}
	_, _ = rand.Read(view) // crypto/rand.Read never fails (Go 1.24+)
	setStatus(stack, abiname.OK)
}

var logLevels = [...]slog.Level{
	abiname.LevelDebug:   slog.LevelDebug,
	abiname.LevelInfo:    slog.LevelInfo,
	abiname.LevelWarning: slog.LevelWarn,
	abiname.LevelError:   slog.LevelError,
}

func hostLog(in *instance, mem api.Memory, stack []uint64) {
	level := api.DecodeU32(stack[0])
	view, ok := mem.Read(api.DecodeU32(stack[1]), api.DecodeU32(stack[2]))
	switch {
	case !ok:
		setStatus(stack, abiname.ErrMemory)
	case level >= uint32(len(logLevels)):
		setStatus(stack, abiname.ErrFailed)
		in.hold(etf.Atom("badarg"))
	default:
		log, ctx := in.module.log, context.Background()
		if in.proc != nil {
			log, ctx = in.proc.Logger(), in.caller
		}
		log.LogAttrs(ctx, logLevels[level], string(view))
		setStatus(stack, abiname.OK)
	}
}

func hostResult(in *instance, mem api.Memory, stack []uint64) {
	if in.held == nil {
		setStatus(stack, abiname.ErrNoResult)
		return
	}
	setStatus(stack, writeFitting(mem, in.held, stack[0], stack[1]))
}

func hostTrap(_ *instance, mem api.Memory, stack []uint64) {
	msg := "trap message outside memory"
	if view, ok := mem.Read(api.DecodeU32(stack[0]), api.DecodeU32(stack[1])); ok {
		msg = string(view)
	}
	panic(&guestTrap{msg: msg})
}

// output encodes t and writes it at the guest's (ptr, capacity) when it
// fits, else holds it for result. It returns the encoded length.
func (in *instance) output(mem api.Memory, t etf.Term, ptr, capacity uint64) int32 {
	b, err := etf.AppendTerm(append(in.out[:0], etfwire.VersionByte), t)
	if err != nil {
		in.module.log.Error("abi: host function output", "err", err)
		return abiname.ErrBadTerm
	}
	in.out = b
	if uint64(len(b)) > uint64(api.DecodeU32(capacity)) {
		in.held = append([]byte(nil), b...)
	}
	return writeFitting(mem, b, ptr, capacity)
}

// writeFitting copies b to the guest's (ptr, capacity) if it fits, and
// returns len(b), or ErrMemory.
func writeFitting(mem api.Memory, b []byte, ptr, capacity uint64) int32 {
	if uint64(len(b)) <= uint64(api.DecodeU32(capacity)) && !mem.Write(api.DecodeU32(ptr), b) {
		return abiname.ErrMemory
	}
	return int32(len(b))
}

// status turns a Process error into ErrFailed, holding its reason.
func (in *instance) status(err error) int32 {
	if err == nil {
		return abiname.OK
	}
	in.hold(ExitReason(err))
	return abiname.ErrFailed
}

// hold encodes t for result.
func (in *instance) hold(t etf.Term) {
	b, err := etf.AppendTerm([]byte{etfwire.VersionByte}, t)
	if err != nil {
		in.module.log.Error("abi: host function reason", "err", err)
		b = nil
	}
	in.held = b
}

// readRaw reads one ETF term with its version byte from the guest and
// returns a copy without it.
func readRaw(mem api.Memory, ptr, size uint64) (etf.Raw, int32) {
	view, ok := mem.Read(api.DecodeU32(ptr), api.DecodeU32(size))
	if !ok {
		return nil, abiname.ErrMemory
	}
	if checkTerm(view) != nil {
		return nil, abiname.ErrBadTerm
	}
	return etf.Raw(append([]byte(nil), view[1:]...)), abiname.OK
}

// readTerm reads and decodes one ETF term with its version byte.
func readTerm(mem api.Memory, ptr, size uint64) (etf.Term, int32) {
	view, ok := mem.Read(api.DecodeU32(ptr), api.DecodeU32(size))
	if !ok {
		return nil, abiname.ErrMemory
	}
	t, err := etf.Decode(view)
	if err != nil {
		return nil, abiname.ErrBadTerm
	}
	return t, abiname.OK
}

// readDest reads a destination: a pid, a name or {Name, Node}.
func readDest(mem api.Memory, ptr, size uint64) (etf.Term, int32) {
	t, status := readTerm(mem, ptr, size)
	if status != abiname.OK {
		return nil, status
	}
	switch d := t.(type) {
	case etf.Pid, etf.Atom:
		return t, abiname.OK
	case etf.Tuple:
		if len(d) == 2 {
			_, name := d[0].(etf.Atom)
			_, node := d[1].(etf.Atom)
			if name && node {
				return t, abiname.OK
			}
		}
	}
	return nil, abiname.ErrBadTerm
}
