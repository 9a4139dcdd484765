// Package guests holds example guest modules, each a Go package built with
// GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared.
package guests
