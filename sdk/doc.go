// Package sdk is the Go guest SDK for creo: a guest implements a gen_server
// behaviour in Go and the SDK provides the exports, memory and encoding of
// creo's guest ABI. It builds with GOOS=wasip1 GOARCH=wasm.
package sdk
