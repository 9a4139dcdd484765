// Package host is a creo node: processes, names, links, monitors and exit
// signals, gen_server semantics, supervisors, the module store and hot
// reload, and the system processes an Erlang node expects.
package host
