package abi

import (
	"context"
	"strings"
	"testing"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/cputime"
)

// BenchmarkCallbackCounter runs the callbacks of guests/counter_v2 through
// abi on one instance, with the arguments a reload and a caller give it:
// a server whose state is an int, whose requests are decoded, the SDK's
// typed case, against BenchmarkCallbackSize's echo, which decodes nothing.
// Its code_change is what a reload costs each server in the guest; that
// of guests/counter, which has none, is the SDK's default, what a reload
// back to version 1 costs.
func BenchmarkCallbackCounter(b *testing.B) {
	m := loadGo(b, "../guests/counter_v2", ModuleConfig{MaxInstances: 1})
	v1 := loadGo(b, "../guests/counter", ModuleConfig{MaxInstances: 1})
	ctx := context.Background()
	state := mustEncode(etf.Int(41_000))
	// As the manager's reload passes them: the old module's vsn, 64 hex
	// digits, and [].
	oldVsn, extra := mustEncode(etf.Binary(strings.Repeat("0123456789abcdef", 4))), mustEncode(etf.List{})
	get, inc := mustEncode(etf.Atom("get")), mustEncode(etf.Atom("inc"))
	for _, bc := range []struct {
		name string
		run  func(p Process) (Result, error)
	}{
		{"code_change", func(p Process) (Result, error) { return m.CodeChange(ctx, p, oldVsn, state, extra) }},
		{"code_change_default", func(p Process) (Result, error) { return v1.CodeChange(ctx, p, oldVsn, state, extra) }},
		{"call_get", func(p Process) (Result, error) { return m.HandleCall(ctx, p, get, benchFrom, state) }},
		{"call_inc", func(p Process) (Result, error) { return m.HandleCall(ctx, p, inc, benchFrom, state) }},
		{"cast_inc", func(p Process) (Result, error) { return m.HandleCast(ctx, p, inc, state) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := newFakeProcess()
			b.ReportAllocs()
			defer cputime.Report(b, cputime.Used())
			for b.Loop() {
				if _, err := bc.run(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCallbackDecoded runs handle_call of guests/example through abi
// on one instance: a server that takes every argument decoded and whose
// state is an etf.Term, the SDK's general case, with an atom request
// (replied "hello", a string) and a small tuple (replied as it came).
func BenchmarkCallbackDecoded(b *testing.B) {
	m := loadGo(b, "../guests/example", ModuleConfig{MaxInstances: 1})
	ctx := context.Background()
	state := mustEncode(etf.List{})
	for _, r := range []struct {
		name string
		req  etf.Raw
	}{
		{"atom", mustEncode(etf.Atom("hi"))},
		{"tuple", mustEncode(etf.Tuple{etf.Atom("ping"), etf.Int(1)})},
	} {
		b.Run(r.name, func(b *testing.B) {
			p := newFakeProcess()
			b.ReportAllocs()
			defer cputime.Report(b, cputime.Used())
			for b.Loop() {
				if _, err := m.HandleCall(ctx, p, r.req, benchFrom, state); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
