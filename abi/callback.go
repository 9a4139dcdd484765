package abi

import (
	"fmt"

	"github.com/creo-dev/creo/internal/abiname"
)

// Callback names one of a guest's gen_server callbacks.
type Callback uint8

// The callbacks, in the order of ABI.md section 2.
const (
	Init Callback = iota
	HandleCall
	HandleCast
	HandleInfo
	HandleContinue
	Terminate
	CodeChange
	numCallbacks
)

var callbackExports = [numCallbacks]string{
	Init:           abiname.Init,
	HandleCall:     abiname.HandleCall,
	HandleCast:     abiname.HandleCast,
	HandleInfo:     abiname.HandleInfo,
	HandleContinue: abiname.HandleContinue,
	Terminate:      abiname.Terminate,
	CodeChange:     abiname.CodeChange,
}

// String returns the callback's export name, such as "handle_call".
func (c Callback) String() string {
	if c < numCallbacks {
		return callbackExports[c]
	}
	return fmt.Sprintf("Callback(%d)", uint8(c))
}
