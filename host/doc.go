// Package host is a creo node: the processes and gen_servers of an Erlang
// node, in Go, on a node that joins a cluster of BEAM nodes as one of them
// and runs servers whose callbacks are WebAssembly modules. It is a big
// package; this is its map. Each part keeps its decisions in the doc
// comment of its main type.
//
// # The runtime
//
// A [Node] holds processes ([Process]): pids, mailboxes, registered names,
// links, monitors, aliases, exit signals ([ExitError]) and timers. Every
// process runs a gen_server, a [Behaviour] whose callbacks return a
// [Result], started with [Node.Start] and called with [Node.Call]. Its
// decisions (no goroutine for an idle process, signals acted on when
// delivered, calls through aliases, and where creo departs from OTP) are
// in [Node]'s doc. Files: node.go, process.go, sched.go, mailbox.go,
// send.go, call.go, link.go, monitor.go, exit.go, start.go, server.go,
// sys.go and their neighbours.
//
// # Supervisors
//
// OTP's supervisors ([SupervisorSpec], [ChildSpec], a [Strategy] per file
// strategy_*.go) and the node's own tree, started by [Node.Boot]: system
// processes under one supervisor, user servers under another, each in a
// supervisor of its own ([Node.StartUserServer]). Files: supervisor*.go,
// child*.go, strategy*.go, tree.go.
//
// # Distribution
//
// [StartNode] makes a node other nodes connect to ([NetConfig]): it
// registers with EPMD, holds one dist connection per peer node, carries
// the signals for other nodes (the [Cluster] it implements), and runs the
// system processes every Erlang node has (net_kernel, rex,
// logger_proxy). Its rules on the wire are in [StartNode]'s doc. Files:
// net*.go, cluster.go, system.go, netkernel.go, rex.go, spawn.go.
//
// # Global
//
// A visible node takes part in Erlang's global name registry ([Global],
// [Node.Global]), so that :global.sync() completes across it and global
// names work both ways. Its decisions are in [Global]'s doc. Files:
// global*.go.
//
// # The Wasm adapter
//
// [Wasm] loads WebAssembly modules ([WasmModule], a [Behaviour]) and runs
// supervised servers of them ([Wasm.StartServer]), reloaded in place by
// [Wasm.Reload]. Its decisions and measurements are in [Wasm]'s doc.
// Files: wasm*.go.
//
// # The manager, rpc and the store
//
// [StartManager] starts a [Manager], registered as creo ([ManagerName]),
// which deploys, reloads, stops and lists Wasm servers for Go code and
// for any node of the cluster, and keeps what it accepts in the node's
// data directory (modstore*.go), so that a restart brings it back. A node
// running StartManager also answers rpc:call and erpc:call from other
// nodes for creo's functions and a few of erlang's (rpc*.go); without it,
// rpc is refused with notsup. The manager's calls, refusals, storage and
// hot reload are in [Manager]'s doc. Files: creo*.go, modstore*.go,
// rpc*.go.
package host
