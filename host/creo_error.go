package host

import (
	"errors"
	"strings"

	"github.com/creo-dev/creo/etf"
)

// ManagerError is a request the creo management server refused: Reason is
// the term its {error, Reason} reply carries, one of those the [Manager]
// doc lists.
type ManagerError struct {
	Reason etf.Term
}

// Error returns the reason in Erlang syntax after a "host: creo:" prefix.
func (e *ManagerError) Error() string { return "host: creo: " + etf.Format(e.Reason) }

// Is reports whether target is a *ManagerError with an equal reason, or
// whose reason is the atom that tags e's, so that errors.Is(err,
// &ManagerError{Reason: etf.Atom("invalid_module")}) holds for any
// {invalid_module, Message}.
func (e *ManagerError) Is(target error) bool {
	t, ok := target.(*ManagerError)
	if !ok {
		return false
	}
	if tuple, isTuple := e.Reason.(etf.Tuple); isTuple && len(tuple) > 0 && tuple[0] == t.Reason {
		return true
	}
	return etf.Equal(e.Reason, t.Reason)
}

// ErrNotFound is the refusal of a request for a name creo does not run.
var ErrNotFound = &ManagerError{Reason: etf.Atom("not_found")}

// refuse returns the refusal {Tag, Details...}, or Tag alone.
func refuse(tag etf.Atom, details ...etf.Term) *ManagerError {
	if len(details) == 0 {
		return &ManagerError{Reason: tag}
	}
	return &ManagerError{Reason: append(etf.Tuple{tag}, details...)}
}

// refuseWith returns the refusal {Tag, Message} for the error err, its
// message without the prefixes of the packages it went through.
func refuseWith(tag etf.Atom, err error) *ManagerError {
	return refuse(tag, etf.Binary(trimPrefixes(err.Error())))
}

// trimPrefixes drops the package prefixes that errors gather on
// their way up: the caller of creo wants what was wrong.
func trimPrefixes(msg string) string {
	for _, p := range []string{"host: wasm: ", "host: module store: ", "abi: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

// managerReply returns the reply of a request that answers {ok, Value},
// or ok when value is nil, or {error, Reason} for err.
func managerReply(value etf.Term, err error) etf.Term {
	if err != nil {
		return etf.Tuple{etf.Atom("error"), managerReason(err)}
	}
	if value == nil {
		return etf.Atom("ok")
	}
	return etf.Tuple{etf.Atom("ok"), value}
}

// managerReason returns the reason of err for an {error, Reason} reply:
// a refusal's own, an exit's, or the message of anything else.
func managerReason(err error) etf.Term {
	var me *ManagerError
	if errors.As(err, &me) {
		return me.Reason
	}
	return ExitReason(err)
}
