// Package dist implements one Erlang distribution connection: the handshake,
// framing, ticks, fragments, the atom cache and control messages. It knows
// nothing of processes: it hands decoded control messages to whoever owns the
// connection.
package dist
