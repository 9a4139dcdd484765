// Package examples holds walkthroughs of creo from Elixir, the shell and Go.
package examples
