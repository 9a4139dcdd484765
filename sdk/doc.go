// Package sdk is the Go guest SDK for creo: a guest implements a gen_server
// in Go, and the SDK provides the exports, memory and encoding of creo's
// guest ABI (abi/ABI.md). A guest is a main package with an empty main that
// registers its server in an init function:
//
//	type counter struct{}
//
//	func (counter) Init(args etf.Term) sdk.Result[int] { return sdk.Ok(0) }
//
//	func (counter) HandleCall(req etf.Term, _ sdk.From, n int) sdk.Result[int] {
//		return sdk.Reply(n, n)
//	}
//
//	func init() { sdk.Serve[int](counter{}) }
//	func main() {}
//
// and is built as a WASI reactor:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o counter.wasm .
//
// # State and globals
//
// A server's state is a Go value of the type the server chooses. The host
// keeps it, encoded as an Erlang term by etf's Go mapping, and passes it to
// every callback; a callback returns the new one in its [Result]. A state of
// type etf.Term is the decoded term; a state of type etf.Raw is passed
// still encoded, never decoded, for servers that do not look at it (the
// fastest: see guests/echo).
//
// Globals do not survive between callbacks in any way a server can use:
// consecutive callbacks of one server may run on different instances of the
// module, and one instance serves many servers. Everything a server
// remembers belongs in its state.
//
// # Callbacks
//
// Init is required ([Server]); the other callbacks are optional interfaces
// ([CallHandler], [CastHandler], [InfoHandler], [ContinueHandler],
// [Terminator], [CodeChanger]). A server without one gets Elixir's
// GenServer default: a call stops it with {bad_call, Request}, a cast with
// {bad_cast, Msg}, a message is ignored, code_change keeps the state.
//
// A panic in a callback ends it as a trap whose message is the panic's: the
// server exits with {wasm_trap, Message} and the instance is thrown away.
// Every 32nd callback of an instance ends with runtime.Gosched(), without
// which a Go guest that allocates steadily can stall its own garbage
// collector; goroutines a guest starts run only then, or while it waits in a
// host function.
//
// # Speed
//
// Go compiled to wasm runs roughly twenty times slower than native Go, so
// what a callback decodes and encodes is most of its cost. A server whose
// state is etf.Raw never decodes or encodes its state, and one served with
// [RawArgs] gets its requests and messages encoded too and decodes only
// what it looks at: guests/echo, which passes everything on, costs a
// fraction of a server that decodes every request.
//
// A state of a plain Go scalar type (an integer kind, float64, bool,
// string or []byte, not a named type) is read from its bytes and written
// as etf writes its term, without etf's mapping, which goes through
// reflection: a counter's int state cost about 2 µs a callback that way,
// as much as the rest of the callback. So is a reply or a reason of type
// int, int64, bool, float64, string or []byte. Only the forms etf writes
// are read so (a small integer, not a bignum; a binary, not an atom, for
// a string); any other form, and a value that does not fit, goes to etf's
// mapping, which reads it or says why not, as it would without this.
// Likewise, an argument that is [], an integer, a binary, an atom, or a
// small tuple of those ({add, 2}) is decoded without etf's decoder, whose
// setting up costs more than such a term: the atoms a server is sent are
// kept in a small memo of 64 slots, by their bytes, so that decoding a
// request such as get allocates nothing. An atom is immutable, so handing
// the same one out again is safe; a binary is a new copy each time.
//
// guests/counter takes its arguments raw: it reads its requests with
// [Match] and never looks at code_change's OldVsn and Extra, so a reload
// does not decode the old version's vsn for each of its servers. A server
// that lacks a callback gets Elixir's default result written around its
// message and state, with nothing decoded or encoded.
//
// The SDK implements version 2 of the ABI: the host tells it where each
// element of a callback's argument ends, so it splits the argument without
// reading it, however large the request before the state. A raw message
// of a length met before in the same argument buffer reuses the box made
// for it then (boxing a slice as an etf.Term allocates, and an allocation
// costs about 0.3 µs under wasm), so a callback of a server with RawArgs
// and an etf.Raw state allocates nothing. Such a server's handle_call that
// replies with its request as it came has its result written around the
// request where it lies, in the argument buffer, so a large request is
// not copied in the guest at all.
//
// Host functions ([Self], [Send], [Call], [ReplyTo], [SendAfter],
// [CancelTimer], [Log]...) work only during a callback, and only under
// GOOS=wasip1; on other platforms the package builds, so guests can be
// vetted, but they panic.
package sdk
