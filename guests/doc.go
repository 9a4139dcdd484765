// Package guests holds example guest modules, each a main package built
// with the stock toolchain, for example:
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o counter.wasm ./guests/counter
//
// The guests:
//
//   - example: the server of the seed blog post.
//   - echo: replies every call with its request; a cast {send, Pid, Msg}
//     sends Msg.
//   - counter: an integer counter (get, inc, {add, K}); its server is in
//     guests/internal/counter, which counter_v2 extends.
//   - counter_v2: the counter, whose get replies {v2, N}, with a
//     code_change that keeps N.
//   - crasher: fails on request (crash, loop, alloc) to test the bounds.
package guests
