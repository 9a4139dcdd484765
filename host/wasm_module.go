package host

import (
	"context"
	"sync"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
)

// WasmModule is a loaded WebAssembly module as a gen_server's callback
// module: a [Behaviour] that any number of servers run at once, each
// callback on an instance borrowed from the module's pool. Get one from
// [Wasm.Load]; start servers of it with [Wasm.StartServer], or with
// [Node.Start] and the other starts like any Behaviour, while it is loaded.
//
// A server's state is the etf.Raw its guest returned, never decoded, and
// requests and messages that arrived encoded reach the guest as they came.
// A callback that fails in the guest (a trap, the deadline, the memory
// limit, a result gen_server does not allow) ends its server with the
// reason of the [abi.Fault], such as {wasm_trap, Msg}; terminate then runs
// on another instance, as OTP runs it after a crash.
type WasmModule struct {
	mod  abi.Module
	name etf.Atom // wasm_ and the start of the vsn, for introspection
	wasm *Wasm
	key  string // in wasm.modules: the vsn and conf
	// source is a copy of the bytes the module was compiled from, and conf
	// the configuration it was loaded under, printed: what a Load of the
	// same module matches (Wasm.Load).
	source []byte
	conf   string

	refs int // Loads not Released, and servers of wasm that run it; under wasm.mu

	closeOnce sync.Once
}

var (
	_ Behaviour = (*WasmModule)(nil)
	_ Moduler   = (*WasmModule)(nil)
)

// Vsn returns the module's version: the SHA-256 of its bytes, in hex.
func (m *WasmModule) Vsn() string { return m.mod.Vsn() }

// Module returns the module's name as introspection shows it:
// wasm_ and the first 12 hex digits of its vsn.
func (m *WasmModule) Module() etf.Atom { return m.name }

// Stats counts the module's instances.
func (m *WasmModule) Stats() abi.PoolStats { return m.mod.Stats() }

// Release gives back the module a [Wasm.Load] returned. Once every Load is
// released and no server started by [Wasm.StartServer] runs it, its
// instances are thrown away; servers started otherwise must be stopped
// first, or their callbacks fail with {wasm_unavailable, Msg}.
func (m *WasmModule) Release() { m.wasm.release(m) }

// The callbacks get no deadline from their context: the module's own
// deadline bounds them, and a wait in a call is bounded by the call's
// timeout.
var callbackCtx = context.Background()

// Init runs the guest's init.
func (m *WasmModule) Init(p *Process, args etf.Term) Result {
	r, err := m.mod.Init(callbackCtx, (*wasmProcess)(p), args)
	return callbackResult(r, err, nil)
}

// HandleCall runs the guest's handle_call.
func (m *WasmModule) HandleCall(p *Process, req etf.Term, from From, state etf.Term) Result {
	r, err := m.mod.HandleCall(p.callCtx(from), (*wasmProcess)(p), req, p.wasmFrom(from), state)
	return callbackResult(r, err, state)
}

// copiesMessages marks a module as a messageCopier: a callback writes
// its argument into guest memory, and keeps nothing of it.
func (m *WasmModule) copiesMessages() {}

// HandleCast runs the guest's handle_cast.
func (m *WasmModule) HandleCast(p *Process, msg, state etf.Term) Result {
	r, err := m.mod.HandleCast(callbackCtx, (*wasmProcess)(p), msg, state)
	return callbackResult(r, err, state)
}

// HandleInfo runs the guest's handle_info.
func (m *WasmModule) HandleInfo(p *Process, msg, state etf.Term) Result {
	r, err := m.mod.HandleInfo(callbackCtx, (*wasmProcess)(p), msg, state)
	return callbackResult(r, err, state)
}

// HandleContinue runs the guest's handle_continue.
func (m *WasmModule) HandleContinue(p *Process, cont, state etf.Term) Result {
	r, err := m.mod.HandleContinue(callbackCtx, (*wasmProcess)(p), cont, state)
	return callbackResult(r, err, state)
}

// Terminate runs the guest's terminate. If it fails, the server exits
// with the failure's reason instead, as when an Erlang terminate crashes.
func (m *WasmModule) Terminate(p *Process, reason, state etf.Term) {
	if err := m.mod.Terminate(callbackCtx, (*wasmProcess)(p), reason, state); err != nil {
		Exit(abi.ExitReason(err))
	}
}

// CodeChange runs the guest's code_change when a server switches to this
// module. Its {error, Reason}, or a failure in the guest, leaves the
// server on its old module; the error's reason says why.
func (m *WasmModule) CodeChange(p *Process, oldVsn, state, extra etf.Term) (etf.Term, error) {
	r, err := m.mod.CodeChange(callbackCtx, (*wasmProcess)(p), oldVsn, state, extra)
	if err != nil {
		return nil, &ExitError{Reason: abi.ExitReason(err)}
	}
	if r.Tag == abi.TagError {
		return nil, &ExitError{Reason: decoded(r.Reason)}
	}
	m.wasm.switched(p, m)
	return r.State, nil
}

// callbackResult returns a guest callback's result for the runtime, or
// ends the callback with the reason of its failure; old is the state the
// callback was given.
func callbackResult(r abi.Result, err error, old etf.Term) Result {
	if err == nil {
		var res Result
		if res, err = wasmResult(r, old); err == nil {
			return res
		}
	}
	Exit(abi.ExitReason(err))
	return Result{} // not reached: Exit does not return
}
