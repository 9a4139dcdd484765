// Package examples holds walkthroughs of creo from Elixir, the shell and Go:
//
//   - seed-demo: the blog post that started creo, step by step with iex and
//     go run ./cmd/host.
//   - elixir: an Elixir script that deploys a module, calls it, reloads it
//     and shows the state carried over.
//   - embed: a Go program that embeds creo as a library and serves a module.
//
// Its test runs each walkthrough page, and the quick start of the
// repository's README.md, command by command and iex line by iex line,
// against a node it starts with a private EPMD and home directory, and
// checks that each prints what the page says. The embed example has a test
// of its own.
package examples
