// Package etf implements Erlang's External Term Format, the encoding Erlang
// nodes use on the wire and in term_to_binary/1, and a lossless Go model of
// Erlang terms.
//
// A term decoded from any input an Erlang node produces encodes back to a term
// equal under Erlang's =:=. Lists stay lists and binaries stay binaries: a list
// of small integers is never guessed to be a string.
//
// The specification is erts/doc/guides/erl_ext_dist.md in Erlang/OTP.
package etf
