// Package abi is the host side of creo's guest ABI on wazero: it compiles
// guest modules, pools their instances and calls their gen_server
// callbacks. The ABI itself, what a guest in any language implements, is
// specified in ABI.md; its names are in internal/abiname, which the Go
// guest SDK (package sdk) shares.
//
// A [Runtime] loads modules; a [Module] runs callbacks for any number of
// servers, each callback on an instance borrowed from the module's pool.
// The host's process runtime reaches it through [Module] and gives each
// callback a [Process], the server's side of the host functions. abi does
// not import the host.
//
// # Decisions
//
// Compilation: once per content (SHA-256), in wazero's compiler engine, with
// a compilation cache in [Config.CacheDir] that survives restarts. Loads of
// the same bytes share one compiled module, however many arrive at once.
//
// Versions: a guest declares the ABI version it implements, and the host
// runs every version from 1 to the newest (ABI.md section 9); a version
// only adds to the one before. Version 2 hands the guest the ends of its
// argument's elements after the argument, which abi knows as it lays the
// argument out: without them a guest scans a large request to find the
// state after it, which under wasm cost more than the rest of a callback.
// A guest of version 1 gets nothing after its argument.
//
// Instances: a pool per module grows on demand, one instance at a time, up
// to [ModuleConfig.MaxInstances] (a Go guest costs about 5 ms and 3.6 MiB
// per instance, so pools stay small); a callback that finds it full waits
// at most [ModuleConfig.PoolWait], then fails with {wasm_unavailable, Msg}.
// A callback blocked in a call to another server holds its instance, so
// size the pool above the depth of call chains inside one module. Exports
// are looked up once per instance, the argument goes through one reused
// guest buffer, and CallWithStack uses a reused stack.
//
// Results are copied out of guest memory, which the instance's next
// callback writes over, but for one case: a handle_call reply of 64 KiB
// or more whose caller releases it once written (WithLentReply) stays
// where the guest wrote it, and its instance out of the pool until the
// Result's Release, when the pool can spare it (at most two at once per
// module, and never one a callback would wait for). The copy it saves is
// the largest of a 100 KB call's on the host. A lent reply dropped without
// Release throws its instance away once collected: never reused, since
// whoever dropped it may still read it.
//
// Deadline: a per-instance timer, armed per callback and paused during
// host calls that wait. It interrupts the guest through a global that the
// module checks at every loop head and at the entry of every function that
// calls (unless a loop head comes first in it), and wakes it from a WASI
// sleep. So it covers every way a guest runs long: loops, and recursion,
// whose time a stack overflow does not bound (a naive fib(60) without a
// loop runs for hours). abi adds those checks when it loads a module
// (abi/internal/interrupt), with a countdown that makes a trip into Go
// every 65536 checks: Go cannot preempt compiled wasm code, so without it
// a guest in a long loop or recursion stalls the host's garbage collector,
// and on a 2-core machine the whole host, deadline timer included.
// wazero's own mechanism,
// WithCloseOnContextDone, calls into Go at every loop back-edge and starts
// a goroutine per call: it remains only the fallback for modules abi cannot
// rewrite (SIMD, threads, exceptions). Figures are in the package's
// benchmarks and the report: a tight loop runs about 25 times faster
// checked than guarded by wazero.
//
// Trusted modules get the same checks, for the same reason, but no
// deadline: a runaway trusted guest is never stopped.
//
// Memory: each instance's linear memory is allocated by abi
// (experimental.WithMemoryAllocator), which enforces the module's page
// limit itself: limits differ per module in one runtime, and a refused
// grow marks the trap that follows as {wasm_memory_limit, Pages}.
//
// Results: each is checked to be one term of an allowed shape before the
// host acts on it, since the guest is not trusted; but an element that
// repeats, byte for byte, an etf.Raw argument of the callback is found by
// comparing bytes rather than read term by term. Such a part is the host's
// own, trusted as it was when the host passed it in (an etf.Raw is one
// term): a state returned unchanged, a request echoed. Binaries are never
// compared, since reading one costs nothing whatever its length.
//
// Failures: a trap, the deadline or the memory limit throw the instance
// away and return a [*Fault] whose ExitReason is what the server exits
// with; a result that is not an allowed return value is OTP's
// {bad_return_value, Result}. A Go guest's runtime is corrupt after any
// trap, which is why nothing of a failed instance is kept.
//
// # Measured
//
// Medians of runs of `go test -bench . ./abi` on the team's 2-core
// machine (shared, so CPU time per operation is quoted too; the callbacks:
// 3 runs with ABI version 2 and the SDK of the performance round, the
// requests by size 5 runs after the second, the rest 5 runs before them):
//
//	callback round trip, constant guest   241 ns CPU; trusted 209 ns
//	  the same, guarded by wazero         1005 ns CPU: 4.2x
//	guest loop of 10^6 iterations         1.02 ms; guarded by wazero 24.1 ms: 23.5x
//	Go echo guest (guests/echo) call      1.09 µs CPU; trusted 1.02 µs,
//	                                      so about 900,000 calls/s per core
//	  by request (BenchmarkCallbackSize)  small tuple 0.90 µs CPU, 1 KB binary
//	                                      1.25 µs, 100 KB binary 3.06 µs,
//	                                      1,000-key map 2.90 µs
//	instantiate a Go guest                4.85 ms, 5.2 MB of heap per instance
//	compile a Go guest                    856 ms cold, 42 ms from the file cache
//
// Sandbox: WASI is provided with no files, environment, arguments or
// sockets unless [ModuleConfig] grants directories (read-only) or
// environment variables; clocks are real, random is crypto/rand, and
// stdout and stderr go to the log.
package abi
