package host

import (
	"github.com/creo-dev/creo/etf"
)

// exchangeNames compares the names of the other side of a session, node,
// with ours (global's exchange_names/4). It returns the ops for our
// partition, his names that are new to us or won a conflict, and those
// for his, the names of ours that won. On a conflict the side with the
// smaller node name resolves it; the other side leaves it alone.
func (s *globalServer) exchangeNames(p *Process, node etf.Atom, names etf.Term) (ops, res []etf.Term) {
	elems, _ := listOf(names)
	for _, e := range elems {
		n, ok := e.(etf.Tuple)
		if !ok || len(n) != 3 {
			continue
		}
		pid, ok := n[1].(etf.Pid)
		if !ok {
			continue
		}
		s.g.mu.RLock()
		mine := s.g.tables.name(n[0])
		s.g.mu.RUnlock()
		switch {
		case mine == nil:
			ops = append(ops, insertOp(n[0], pid, n[2]))
		case mine.pid == pid || p.node.name > node:
		default:
			switch winner := resolveConflict(p, n[0], pid, mine.pid, mine.method); winner {
			case pid:
				ops = append(ops, insertOp(n[0], pid, n[2]))
			case mine.pid:
				res = append(res, insertOp(n[0], mine.pid, mine.method))
			default:
				del := etf.Tuple{atomDelete, n[0]}
				ops, res = append(ops, del), append(res, del)
			}
		}
	}
	return ops, res
}

func insertOp(name etf.Term, pid etf.Pid, method etf.Term) etf.Tuple {
	return etf.Tuple{atomInsert, etf.Tuple{name, pid, method}}
}

// resolveConflict decides which of his and mine keeps name, by the
// method of our registration, as Method(Name, His, Mine) would, with p
// sending the signals: for a session's names and for global:resolve_it
// alike. creo runs
// no Erlang funs: it knows global's three methods by name and takes any
// other for random_exit_name, the default. It returns the winner, or
// the zero Pid when neither keeps the name.
func resolveConflict(p *Process, name etf.Term, his, mine etf.Pid, method etf.Term) etf.Pid {
	first, second := mine, his // global's minmax/2: by node
	if his.Node < mine.Node {
		first, second = his, mine
	}
	switch method {
	case etf.Export{Module: "global", Function: "notify_all_name", Arity: 3}:
		_ = p.Send(his, etf.Tuple{atomNameConflict, name, mine})
		_ = p.Send(mine, etf.Tuple{atomNameConflict, name, his})
		return etf.Pid{}
	case etf.Export{Module: "global", Function: "random_notify_name", Arity: 3}:
		_ = p.Send(second, etf.Tuple{atomNameConflict, name})
		return first
	}
	p.node.log.Info("host: global name conflict, terminating a holder", "name", name, "pid", second)
	p.Exit(second, Kill)
	return first
}
