// Package epmd is a client of the Erlang Port Mapper Daemon, and an embedded
// EPMD server for machines where none runs.
//
// EPMD maps the short names of the distribution nodes of one host to their
// listen ports (erl_dist_protocol.md, "EPMD Protocol"). A node registers
// with [Register] and stays registered while the [Registration]'s connection
// stays open; other nodes find its port with [Lookup], or [Resolve] a full
// name@host to the address to dial; [Names] lists what is registered. [Addr] gives EPMD's address as OTP finds it (ERL_EPMD_PORT, else
// 4369). [Listen] starts a [Server] that real erl and elixir nodes use as
// they use epmd.
//
// A node normally calls [Keep]: it registers with the EPMD already running,
// real or embedded, or, when nothing answers, starts an embedded server first
// ([Ensure]); and it registers again whenever the registration is lost.
//
// # Decisions
//
//   - Register sends what OTP 23 and later send: node type 'M' (visible) or
//     'H' (hidden), protocol 0, highest version 6 and lowest 5. Zero values of
//     [Node] take these defaults.
//   - EPMD answers every refused registration alike; the client checks names
//     before it sends them, so a refusal is reported as [ErrNameInUse].
//   - A name is 1 to 255 characters of UTF-8, as epmd requires, and may not
//     contain control characters: epmd accepts them, but they would corrupt
//     the line-based NAMES reply. No BEAM node name contains them.
//   - [Registration.Close] ends its side of the connection and waits, up to
//     5 s, for EPMD to close the other, which epmd does only once it has
//     freed the name: when Close returns, lookups find nothing and the name
//     can be registered again, so a node that closes and starts again in
//     one process needs no retry. It costs a round trip to EPMD.
//   - The client parses replies strictly: trailing or missing bytes are errors
//     that say which reply was malformed and how.
//   - Server creations start at a random 32-bit value and count up, skipping
//     0 to 3 as epmd does, so a name registered again never gets its earlier
//     creation; version 5 nodes get 1 to 3. The counter is shared by all names
//     (epmd keeps one per name) so no two live nodes share a creation.
//   - The server refuses KILL_REQ ("NO"): it belongs to the process that
//     started it. STOP_REQ (off in epmd by default) and DUMP_REQ are not
//     served; like malformed requests they are logged and the connection is
//     closed.
//   - Bounds: a request longer than the largest valid ALIVE2_REQ (2053 bytes)
//     is refused before it is read; a connection has [ServerConfig]
//     RequestTimeout (10 s) to send its request and read the reply; at most
//     MaxConns (1024) connections are served at once. A registered node's
//     connection has no timeout; any byte it sends ends its registration, as
//     in epmd.
//   - [Ensure] probes with a NAMES request rather than a bare connect, so a
//     non-EPMD at the address is reported, and decides "nothing answers" only
//     on a refused connection. Racing processes are settled by the kernel:
//     one Listen succeeds, the others get EADDRINUSE and find its server.
//   - The embedded server lives in the process that started it. When that
//     process exits, every node registered there loses its registration. A
//     [Keeper] then starts a server if none answers and registers again; the
//     node gets a new creation, reported through [KeepConfig] OnCreation,
//     because EPMD cannot give back the old one. BEAM nodes never register
//     again (erl_epmd forgets its socket when it closes): they stay up but
//     cannot be found by name until restarted. On a machine that also runs
//     BEAM nodes, a real epmd (erl starts one) or a long-lived creo process
//     should hold port 4369.
//   - A Keeper's first attempt after a loss is immediate, later ones back off
//     from 100 ms to 5 s, and the backoff only resets once a registration has
//     lasted 30 s: a registration that keeps dropping cannot make it churn
//     connections, as reconnect loops did for ergo (#87: TIME_WAIT storms).
package epmd
