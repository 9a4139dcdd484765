// Package host is a creo node: processes, names, links, monitors and exit
// signals, gen_server semantics, supervisors, and the hooks through which
// the distribution glue, the system processes and the Wasm adapter plug
// in. Its rules are OTP's, so that an Elixir developer's habits hold; the
// places where it departs from OTP are listed at the end.
//
// # Processes
//
// A [Process] has a pid (its slot in the node's process table and the
// slot's generation, as on the BEAM), a mailbox that is unbounded and
// keeps arrival order, links, monitors, aliases and a registered name.
// Every process runs a gen_server: a [Behaviour] whose callbacks take and
// return terms, with a state the runtime keeps and never looks into, so
// that a Wasm module can keep its state encoded ([etf.Raw]). Messages that
// arrive encoded stay encoded: only the outer tuple of gen_server's own
// messages is read.
//
// An idle process has no goroutine. The first message to arrive marks it
// running and hands it to a runner, a goroutine from a pool shared by all
// nodes; the runner handles messages in arrival order until the mailbox is
// empty (letting others run every 64 messages) and then parks, waiting
// for the next process to run. At most one runner holds a process, so the
// messages between two processes keep their order. A callback may block —
// in a call to another server, say — and only holds its runner meanwhile;
// Init runs on the goroutine that starts the server, which waits for it
// anyway, so a start creates no goroutine.
//
// That choice was measured (BenchmarkIdleMemory, BenchmarkSpawn, on a
// shared 2-core machine, Go 1.26, medians): an idle process costs 464
// bytes, where a parked goroutine alone, the cost a goroutine per process
// would add to it, costs 1.6 to 4.2 KB (Go sizes new stacks after the
// ones it has seen), 3.5 to 9 times more; 1,000,000 idle processes take
// 464 MB and half a second to spawn. A server starts with its Init in
// 0.55 µs (1.8 million a second), with one allocation. Parked runners are
// reused rather than new goroutines started because a new goroutine's
// stack grows on every activation: reuse halved the cost of a call, to
// 1.0 µs and one allocation, 1.85 times a round trip over two Go channels
// in the same run (BenchmarkCall); a message costs 0.13 µs and no
// allocation, 2.1 times a send on a buffered channel (BenchmarkSend).
//
// # Signals
//
// Links, monitors and exit signals act when they are delivered, under the
// receiving process's lock, rather than through a second queue: a trapped
// exit becomes an {'EXIT', From, Reason} message in order with the
// sender's other messages, a fatal one marks the process to end, and a
// link or monitor to a process that is dead or unknown fails at once
// (noproc). A process ends at its next safe point: between callbacks, or
// in a wait ([Process.Call], a supervisor's shutdown), which an exit
// signal interrupts. A callback cannot be cut short: when one that was
// killed returns, its result is dropped and terminate does not run, as if
// the process had died at once; one that never returns keeps its process
// (the Wasm adapter bounds callbacks with a deadline).
//
// The exit rules are OTP's: a link's signal with reason normal is ignored
// unless the process traps exits; kill sent with exit/2 ends any process
// with reason killed, but kill as a link's reason is an ordinary reason;
// exit(self(), normal) ends the process; trapped signals become messages.
// Links to other nodes follow the new link protocol: an unlink leaves the
// link inactive until the peer acknowledges it (UNLINK_ID, UNLINK_ID_ACK).
//
// # Calls
//
// A call monitors the server with a reference that is also the caller's
// alias, and sends {'$gen_call', {Pid, [alias | Ref]}, Request}, as
// gen:call does since OTP 24: a missing server gives noproc at once, a
// lost node {nodedown, Node}, and the reply is taken from the alias, or
// from a message to the caller's pid with the same tag (net_kernel replies
// that way). The caller's other messages wait in its mailbox meanwhile.
// Calls between processes of one node skip building the wire tuples.
//
// # The rest of the cluster
//
// Every signal for a process of another node goes through one [Cluster],
// which the distribution glue implements with one control message per
// method; signals that arrive from peers come in through the Node's Peer
// methods, and [Node.NodeDown] fires the links and monitors across a lost
// connection with noconnection. A node without a Cluster is on its own:
// links and monitors to other nodes fire at once with noconnection.
//
// # Distribution
//
// [StartNode] makes a node other nodes connect to, with the rules of
// OTP's net_kernel:
//
//   - One connection per peer node. A peer that connects while this node
//     is dialling it is settled by [dist.TieBreak]; one that connects
//     again while its old connection still looks up is asked (status
//     alive) and, if it says the old one is dead, replaces it. A new
//     connection to a node carries signals only once the links and
//     monitors of its previous one have fired with noconnection.
//   - A connection is opened on the first signal to a node. Signals sent
//     meanwhile wait, in order, and go first on it; when it cannot be made
//     (the EPMD lookup and the TCP connection get net_setuptime each, the
//     handshake's steps too) they are dropped and the node is reported
//     down, so links and monitors fire noconnection and calls fail with
//     {nodedown, Node}, as on the BEAM.
//   - Each connection's reader hands its control messages to the Peer
//     methods in arrival order; mailboxes are unbounded, so it never
//     waits on a process. Messages reach processes still encoded
//     (dist.Config.RawPayloads).
//   - A peer that names a process of another node as the sender of a
//     link, exit or monitor breaks the protocol: its connection is closed
//     and the reason logged, as erts does with an invalid message.
//     Signals to pids of another node find no process.
//   - The creation EPMD gives at the start stays the node's for its whole
//     life, since every pid and reference carries it: should the EPMD
//     registration be lost and made again under a new creation, the node
//     keeps announcing its first one. Peers find it by its port, which
//     does not change.
//   - SPAWN_REQUEST, what rpc:call and erpc:call send, goes to the spawn
//     handler ([Node.SetSpawnHandler]); without one it is refused with
//     notsup, and rpc:call returns {badrpc, notsup}. net_kernel answers
//     pings; rex answers features requests and refuses block_call; the
//     log events sent to logger_proxy are dropped; system processes leave
//     other requests unanswered rather than crash.
//   - [Node.MonitorNodes], [Node.Nodes], [Node.Connect] and
//     [Node.Disconnect] are net_kernel's monitor_nodes, nodes(),
//     connect_node and disconnect_node, for global and for Go code.
//   - [Node.Close] stops accepting and leaves EPMD, shuts the tree down,
//     then closes the connections. Closing is abrupt for the wire: what a
//     connection has queued and not written is lost, as at
//     erlang:disconnect_node/1.
//
// # Supervision
//
// Supervisors are OTP's: one_for_one, one_for_all, rest_for_one and
// simple_one_for_one ([Strategy], one per file); permanent, transient and
// temporary children; an intensity within a period, counted on an
// injectable clock, past which a supervisor terminates its children and
// exits with shutdown; a shutdown per child (brutal_kill, a timeout during
// which terminate runs, or infinity); children added and removed at run
// time. A restart that fails is retried through the supervisor's own
// mailbox, each try counting towards the intensity, so no goroutine ever
// sleeps. [Node.Boot] starts the node's own tree: creo_sup over
// creo_system_sup (the system processes) and creo_user_sup (the user
// servers, each under a transient supervisor of its own, which gives up
// alone).
//
// # Where creo departs from OTP
//
//   - A callback that panics ends its process with {panic, Message}, the
//     stack going to the log; [Exit] ends it with a reason of its own, as
//     exit/1 does.
//   - When the Init of a linked start fails, the link is removed before
//     the start returns the reason, so the starter gets an error and never
//     also an exit signal (as proc_lib does since OTP 26 for trapping
//     starters).
//   - :sys.replace_state with an Erlang fun cannot run the fun: the reply
//     is the error OTP gives for a fun that failed,
//     {callback_failed, {gen_server, system_replace_state}, {error, notsup}}.
//     [Node.ReplaceState] takes a Go function.
//   - A supervisor answers calls it does not know with
//     {error, {unknown_call, Request}} where OTP's would crash, and a
//     start_child with a child spec from another node (which names Erlang
//     code) with {error, notsup}.
//   - Hibernate releases the mailbox's buffer; there is no heap to shrink.
//   - sys debugging (trace, log, statistics) is not kept: its reads answer
//     as on a server that never turned it on.
package host
