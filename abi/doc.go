// Package abi is the host side of creo's guest ABI on wazero: it compiles
// guest modules, pools their instances and calls their gen_server callbacks.
// The ABI itself is specified in ABI.md.
package abi
