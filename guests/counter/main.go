// Command counter is an integer counter: init with an integer (else 0);
// call get replies N, inc replies N+1 and {add, K} N+K, keeping it; cast
// inc counts one. The server is in guests/internal/counter.
package main

import (
	"github.com/creo-dev/creo/guests/internal/counter"
	"github.com/creo-dev/creo/sdk"
)

func init() { sdk.Serve[int](counter.Counter{}, sdk.RawArgs()) }

func main() {}
