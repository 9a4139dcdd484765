package host

import "github.com/creo-dev/creo/etf"

// The atoms of global's messages (kernel's global.erl, protocol version
// 8; reference/erlang-global.md §2).
const (
	atomInitConnect      etf.Atom = "init_connect"
	atomInitConnectAck   etf.Atom = "init_connect_ack"
	atomCancelConnect    etf.Atom = "cancel_connect"
	atomLocker           etf.Atom = "locker"
	atomNoLongerAPid     etf.Atom = "no_longer_a_pid"
	atomLockSet          etf.Atom = "lock_set"
	atomLockIsSet        etf.Atom = "lock_is_set"
	atomExchange         etf.Atom = "exchange"
	atomResolved         etf.Atom = "resolved"
	atomNewNodes         etf.Atom = "new_nodes"
	atomInSync           etf.Atom = "in_sync"
	atomLostConnection   etf.Atom = "lost_connection"
	atomRemoveConnection etf.Atom = "remove_connection"
	atomRegister         etf.Atom = "register"
	atomRegisterExt      etf.Atom = "register_ext"
	atomUnregister       etf.Atom = "unregister"
	atomSetLock          etf.Atom = "set_lock"
	atomDelLock          etf.Atom = "del_lock"
	atomInsert           etf.Atom = "insert"
	atomDelete           etf.Atom = "delete"
	atomUnused           etf.Atom = "unused"
	atomVsn              etf.Atom = "vsn"
	atomLock             etf.Atom = "lock"
	atomYes              etf.Atom = "yes"
	atomOk               etf.Atom = "ok"
	atomNameConflict     etf.Atom = "global_name_conflict"

	// Messages of the name server's own processes and hooks, which
	// never cross the wire.
	atomNodeup        etf.Atom = "nodeup"
	atomNodedown      etf.Atom = "nodedown"
	atomExtraNodedown etf.Atom = "extra_nodedown"
	atomSync          etf.Atom = "sync"
	atomHisTheLocker  etf.Atom = "his_the_locker"
	atomCancel        etf.Atom = "cancel"
	atomNoFun         etf.Atom = "no_fun"
)

// tagged returns t as a tuple when it is a tuple of arity elements headed
// by tag.
func tagged(t etf.Term, tag etf.Atom, arity int) (etf.Tuple, bool) {
	tup, ok := t.(etf.Tuple)
	if !ok || len(tup) != arity || tup[0] != tag {
		return nil, false
	}
	return tup, true
}

// headOf returns the atom that heads the tuple t, or "".
func headOf(t etf.Term) etf.Atom {
	if tup, ok := t.(etf.Tuple); ok && len(tup) > 0 {
		a, _ := tup[0].(etf.Atom)
		return a
	}
	return ""
}

// listOf returns the elements of the proper list t.
func listOf(t etf.Term) ([]etf.Term, bool) {
	l, ok := t.(etf.List)
	return l, ok
}

// nodeOf returns the node of a pid.
func nodeOf(t etf.Term) (etf.Atom, bool) {
	pid, ok := t.(etf.Pid)
	return pid.Node, ok
}

// nodeVsn is a node with the global protocol version it speaks; 0 when
// the version is not known.
type nodeVsn struct {
	node etf.Atom
	vsn  int
}

// nodeVsns reads a list of nodes as global sends them: {Node, Vsn} pairs
// since version 7, bare node atoms before.
func nodeVsns(t etf.Term) []nodeVsn {
	elems, _ := listOf(t)
	out := make([]nodeVsn, 0, len(elems))
	for _, e := range elems {
		switch v := e.(type) {
		case etf.Atom:
			out = append(out, nodeVsn{node: v})
		case etf.Tuple:
			if len(v) != 2 {
				continue
			}
			node, ok1 := v[0].(etf.Atom)
			vsn, ok2 := v[1].(etf.Int)
			if ok1 && ok2 {
				out = append(out, nodeVsn{node: node, vsn: int(vsn)})
			}
		}
	}
	return out
}

// nodeVsnList returns nodes as global's known lists carry them since
// version 7: [{Node, Vsn}].
func nodeVsnList(nodes []nodeVsn) etf.List {
	l := make(etf.List, len(nodes))
	for i, nv := range nodes {
		l[i] = etf.Tuple{nv.node, etf.Int(nv.vsn)}
	}
	return l
}

// atomList returns nodes as a list of atoms.
func atomList(nodes []etf.Atom) etf.List {
	l := make(etf.List, len(nodes))
	for i, n := range nodes {
		l[i] = n
	}
	return l
}

// extraInfo returns the value of key in the property list that follows
// the names of a new_nodes message ([{vsn, V}, {lock, LockId}]).
func extraInfo(info etf.Term, key etf.Atom) etf.Term {
	elems, _ := listOf(info)
	for _, e := range elems {
		if t, ok := tagged(e, key, 2); ok {
			return t[1]
		}
	}
	return nil
}
