// Package dist implements one Erlang distribution connection: the handshake,
// framing, ticks, fragments, the atom cache and control messages. It knows
// nothing of processes: it hands decoded control messages to whoever owns the
// connection.
//
// The protocol is erts/doc/guides/erl_dist_protocol.md and the
// "Distribution Header" section of erl_ext_dist.md in Erlang/OTP; what OTP 25
// does on the wire is in the team's reference/erlang-distribution.md.
//
// # Use
//
// A node listens and calls [Accept] on each connection a peer opens, and
// calls [Dial] (or [Initiate] on a connection it opened) to reach a peer. Both
// run the handshake and return a running [*Conn]. Config.Handler receives
// every control message the peer sends, in arrival order, on the
// connection's reader goroutine; [Conn.Send] queues a control message for the
// connection's writer goroutine. [Conn.Done] and [Conn.Err] tell the owner
// when and why the connection ended.
//
// Control messages are the types that implement [Control]: [Send],
// [RegSend], [AliasSend], [Link], [UnlinkID], [UnlinkIDAck], [Exit],
// [Exit2], [Monitor], [Demonitor], [MonitorExit], [SpawnRequest],
// [SpawnReply], [GroupLeader], and [Unknown] for the rest.
//
// # Errors
//
// Two kinds, as in golang.org/x/net/http2: a [*ConnectionError] ends the
// connection (a failed handshake, malformed input, a dead peer, Close), and
// a [*MessageError] concerns one message that could not be sent, leaving the
// connection up. Their causes match sentinel errors such as [ErrBadCookie]
// and [ErrTickTimeout] under errors.Is. Refused handshakes, malformed input
// and ended connections are logged.
//
// # Decisions
//
//   - Handshake version 6 only is sent. As acceptor, the version 5
//     send_name of OTP 23 and 24 (followed by the complement message) is
//     accepted; peers older than that lack mandatory flags anyway.
//   - A peer must advertise [Mandatory], what OTP 26 to 28 require, after
//     FlagMandatory25Digest is expanded; otherwise the acceptor answers
//     not_allowed and the initiator closes, as dist_util does. creo sends
//     the digest bit and every bit it stands for ([DefaultFlags]).
//   - The acceptor's challenge carries Config.Name. The initiator checks it
//     equals the name it dialed, so a node must be configured with exactly
//     the name its peers use for it (host part included).
//   - Dynamic node names (FlagNameMe) are not supported: creo never asks
//     for one, and a peer that asks names itself by host alone, which the
//     acceptor refuses as no node name.
//   - Whether an accepted peer is welcome is the node's decision
//     (Config.Admit): only it knows of pending and live connections. When
//     it is itself dialing the peer, [TieBreak] gives OTP's answer. As
//     initiator, creo answers true to status alive: the node dials only when
//     it has no live connection, so the old one the peer sees is dead.
//   - Input: 'p' pass-through packets when neither FlagDistHdrAtomCache nor
//     FlagFragments was negotiated, the normal distribution header with the
//     atom cache otherwise, and fragments. Output never uses the atom cache:
//     creo sends the header 131 68 0 (or 'p' packets), which OTP accepts.
//     The cache would save the atom bytes of each message at the cost of a
//     per-connection encoder state; a control tuple's atoms are few and
//     short.
//   - Fragments: a message whose control message and payload exceed 64 KiB
//     goes out in fragments of 64 KiB, like OTP's. They are written one
//     after the other: interleaving another message between them would let
//     it overtake the large one when both have the same sender and receiver,
//     which would break Erlang's ordering guarantee unless senders were
//     tracked.
//   - Encoding happens in Send, on the caller's goroutine, so encoding errors
//     are returned at once and many senders encode in parallel; the writer
//     only frames and writes. The queue is unbounded up to
//     Config.MaxQueuedBytes, past which the peer is not keeping up and the
//     connection is closed rather than messages dropped.
//   - A large payload already encoded (an etf.Raw over 64 KiB, alone or
//     ending the payload's tuples, as in a reply {Tag, Raw}) is not
//     copied: the writer writes it from the Raw's memory, in one writev
//     with the fragments' headers. Terms are values in creo, never changed
//     once made, so the sender's Raw holds still until written; a large
//     reply of a Wasm server, a copy of the guest's result, is one.
//   - Work on the reader: a handler may leave the work a message started,
//     such as running the process it woke, to the reader ([Conn.RunInline]),
//     which then writes what was sent meanwhile itself: once no whole packet
//     is left buffered, and in the middle of a burst once 16 messages or
//     16 KiB wait, without waking the writer, since each wake of the writer
//     woke a thread. A call is then served on the thread that read it, as
//     a BEAM scheduler serves a message, where handing it to other
//     goroutines woke a second thread on every call. A run that holds the
//     reader for a millisecond is taken over by a watchdog, and reading
//     goes on in a new goroutine, so that a slow or blocked run never stops
//     the connection's other messages.
//   - The socket is read and written with raw system calls through the
//     runtime's poller (socket_linux.go): a read or write that would block
//     parks on the poller as net.Conn's do, but none wakes the runtime's
//     monitor thread, which net.Conn's system calls did whenever the node
//     had been idle, and which then polled every 20 µs: a context switch
//     or more a call for a node serving calls. Off Linux, net.Conn is used.
//   - A reader whose packets come in a stream polls its empty socket for up
//     to 100 µs before it parks, while the CPUs are free (CPU pressure of
//     the machine and of the process's cgroup under 15% in the last 40 ms,
//     and no CPU quota that binds; spin_linux.go, cgroup_linux.go), so
//     that a peer that is the bound does not pay a wake of this node's
//     thread a packet; on a busy machine, in a container whose quota
//     binds, and on a connection without traffic, it parks at once.
//     [Config.DisableBusyPoll] turns the poll off.
//   - Ticks: the writer writes an empty packet when it has written nothing
//     for a quarter of the tick time; the reader ends the connection with
//     [ErrTickTimeout] when nothing arrived for the tick time, as OTP's
//     net_kernel does.
//   - A fragmented message is put together in a buffer of
//     internal/bufpool. One whose payload is kept raw, a message to a
//     process, lends it to the handler ([Send.Buffer], [RegSend.Buffer]),
//     who may give it back with [Buffer.Release] once nothing refers to
//     the message, so the next large message is read into memory already
//     faulted in, and leaves no garbage. Only the handler knows whether the
//     message was kept or passed on; a buffer never released is collected.
//     The buffers of other fragmented messages, whose decoded terms may
//     share them, are always left to the collector.
//   - Bounds on input: a packet over Config.MaxPacketSize closes the
//     connection before it is read; a large packet is read and allocated in
//     1 MiB chunks as its bytes arrive; fragmented messages in progress are
//     bounded in number and in total bytes.
//   - Payload exits: the reason of PAYLOAD_EXIT and its kin is put in the
//     Reason field, so Exit looks the same in both forms. Only message
//     payloads can be kept raw (Config.RawPayloads): the node must read exit
//     reasons and spawn arguments.
//   - Close is abrupt: messages queued and not yet written are lost, as with
//     erlang:disconnect_node/1. [Conn.Shutdown] is the graceful end, for a
//     node that goes away: it writes what is queued, half closes the TCP
//     stream, and ends when the peer, having read all, closes its side,
//     or when its context ends. A node's last signals, the exit signals of
//     its processes, then reach its peers instead of noconnection.
//
// # Performance
//
// Measured on the team's machine (2 shared cores, OTP 25.2.3, Elixir 1.14),
// medians of 5 runs:
//
//   - Go to Go over loopback TCP (BenchmarkSend): 850,000 small messages a
//     second, 1.1 million with RawPayloads; 1 MiB messages, fragmented, at
//     2.2 GB/s, allocating 2.2 MB each (encode, and one buffer the
//     fragments are read into).
//   - One loopback connection, 200,000 small REG_SENDs
//     (BenchmarkInteropThroughput): Elixir to Go 243,000 a second, Go to
//     Elixir 411,000, Elixir to Elixir 177,000 in the same run; per run,
//     Elixir to Go is 1.18 times Elixir to Elixir and Go to Elixir 1.94
//     times. The Elixir end is the limit both ways: a CPU profile of Elixir
//     to Go shows the Go reader mostly idle, and Go alone sends 850,000 a
//     second.
//   - A 100 KB raw payload (BenchmarkSend "100KB raw both ways"), sent as a
//     Raw and kept raw: 140 KB allocated a message, the one buffer its two
//     fragments are read into, where its atoms are also resolved; about
//     47 µs of CPU a message for both ends, when the collector runs per
//     bytes allocated (GOGC=off, GOMEMLIMIT=256MiB). When the handler
//     gives that buffer back ("100KB raw both ways, released"), as a node
//     does after a Wasm server copied its request: 0.9 KB allocated a
//     message, and 13 to 19 µs a message against 55 to 75 µs without, in
//     one run of 3 each (wall time, both ends on the 2 cores): the buffer
//     is reused while its pages are mapped and in cache.
//   - Decoding a raw payload that names cached atoms
//     (BenchmarkDecodeRawPayload): a call 0.53 µs, a 1,000-key map 12 µs,
//     mostly the walk that finds its references and checks the term.
package dist
