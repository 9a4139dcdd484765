// Package epmd is a client of the Erlang Port Mapper Daemon, and an embedded
// EPMD server for machines where none runs.
package epmd
