// Package etf implements Erlang's External Term Format, the encoding Erlang
// nodes use on the wire and in term_to_binary/1, and a lossless Go model of
// Erlang terms.
//
// A term decoded from any input an Erlang node produces encodes back to a term
// equal under Erlang's =:=. Lists stay lists and binaries stay binaries: a list
// of small integers is never guessed to be a string.
//
// The specification is erts/doc/guides/erl_ext_dist.md in Erlang/OTP.
//
// # Decoding
//
// [Decode] reads a whole term_to_binary/1 result, compressed or not;
// [DecodeTerm] reads one term of a distribution message, resolving atom cache
// references through the table the connection supplies; [DecodeOptions] adds
// decoding whose binaries alias the input instead of copying it. Every tag
// OTP 25 to 28 writes is read, including the old forms (ATOM_EXT, FLOAT_EXT,
// PID_EXT, PORT_EXT, REFERENCE_EXT, NEW_REFERENCE_EXT), and each decodes to
// the one representation term.go documents. Decoding follows binary_to_term
// where the specification is silent: a LIST_EXT of no elements is its tail,
// a sign byte other than 0 means negative, the unused bits of a bitstring's
// last byte are dropped, a map with two equal keys is an error, and the Size
// of a NEW_FUN_EXT is checked against the input but not required to be exact.
//
// Hostile input costs at most memory in proportion to its size: decoding
// keeps an explicit stack rather than recursing, and every length is checked
// against the bytes left before anything is allocated for it (a compressed
// term may claim at most 1032 times its zlib data, zlib's largest ratio).
// Every malformed input returns a [*SyntaxError] with the offset and path of
// the term at fault, never a panic. One limit goes beyond Erlang's: maps may
// nest at most 100 deep inside the keys of other maps, since checking map
// keys for duplicates compares those maps recursively.
//
// A decoded term's container slots, map pairs and small binaries are cut
// from three allocations shared by the whole term, which makes decoding a
// message a few allocations rather than one for each container. The price is
// that a part of a term, kept after the rest is dropped, keeps those
// allocations alive. A term of at most 32 bytes, which holds a container or
// two, is not measured for them: its containers and binaries are allocated
// one by one, which costs less than measuring it.
//
// A LOCAL_EXT term (term_to_binary/2 with the local option, OTP 26) can only
// be read by the node that wrote it, so its length is unknown: it is kept
// whole as a [Local] when it is the outermost term, running to the end of
// the input, and is an error inside another term.
//
// # Encoding
//
// [Encode] and [AppendTerm] write what OTP 26's term_to_binary/1 writes, so
// an encoding is byte for byte the one Erlang produces, except that map pairs
// keep the order they have in the [Map]. [AppendTerm] appends to the caller's
// buffer and allocates nothing when it has room. [Encode] allocates its
// result once: a term of at most 16 terms and 512 bytes is sized first and
// written straight into it, as term_to_binary does; a larger one is encoded
// into a pooled buffer and copied out, or handed over past 64 KiB. Invalid
// terms, such as an atom of more than 255 characters, are errors, never
// silent garbage.
//
// # Comparing
//
// [Equal] is Erlang's =:= and [Compare] its term order. Both, like the
// codec, work without recursion except through maps nested in map keys.
package etf
