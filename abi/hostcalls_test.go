package abi

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creo-dev/creo/etf"
)

// TestHostFunctions drives each host function through the SDK, from the
// hostcalls test guest, against a fake process.
func TestHostFunctions(t *testing.T) {
	m := loadGo(t, "testdata/hostcalls", ModuleConfig{})
	p := newFakeProcess()
	var logged bytes.Buffer
	p.log = slog.New(slog.NewTextHandler(&logged, nil))
	big := etf.Binary(bytes.Repeat([]byte("x"), 2000)) // larger than the SDK's scratch buffer
	p.call = func(_ context.Context, dest, req etf.Term, timeout time.Duration) (etf.Term, error) {
		switch {
		case dest == etf.Atom("slow"):
			return nil, reasonError{etf.Tuple{etf.Atom("timeout"), etf.Tuple{etf.Atom("gen_server"), etf.Atom("call"), etf.List{}}}}
		case dest == etf.Atom("big"):
			return big, nil
		}
		return etf.Tuple{req, etf.Int(timeout.Milliseconds())}, nil
	}
	state := encode(t, etf.Atom("s"))
	ask := func(req etf.Term) etf.Term {
		t.Helper()
		res, err := call(req)(m, p, state)
		if err != nil {
			t.Fatalf("%v: %v", req, err)
		}
		if res.Reply == nil {
			return nil
		}
		reply, err := etf.Decode(append([]byte{131}, res.Reply...))
		if err != nil {
			t.Fatal(err)
		}
		return reply
	}
	other := etf.Pid{Node: "elixir@127.0.0.1", ID: 5, Creation: 9}
	tests := []struct {
		name string
		req  etf.Term
		want etf.Term
	}{
		{"self", etf.Atom("self"), p.pid},
		{"send", etf.Tuple{etf.Atom("send"), other, etf.Binary("m")}, etf.Atom("ok")},
		{"send badarg", etf.Tuple{etf.Atom("send"), etf.Atom("nobody"), etf.Binary("m")}, etf.Tuple{etf.Atom("error"), etf.Atom("badarg")}},
		{"call", etf.Tuple{etf.Atom("call"), other, etf.Atom("req"), etf.Int(250)}, etf.Tuple{etf.Atom("ok"), etf.Tuple{etf.Atom("req"), etf.Int(250)}}},
		{"call fails", etf.Tuple{etf.Atom("call"), etf.Atom("slow"), etf.Atom("req"), etf.Int(5)},
			etf.Tuple{etf.Atom("error"), etf.Tuple{etf.Atom("timeout"), etf.Tuple{etf.Atom("gen_server"), etf.Atom("call"), etf.List{}}}}},
		{"call with a large reply", etf.Tuple{etf.Atom("call"), etf.Atom("big"), etf.Atom("req"), etf.Int(5)}, etf.Tuple{etf.Atom("ok"), big}},
		{"log", etf.Tuple{etf.Atom("log"), etf.Binary("watch out")}, etf.Atom("ok")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ask(tt.req); !etf.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if len(p.sent) != 1 || p.sent[0].to != other {
		t.Errorf("sent %v", p.sent)
	}
	if !strings.Contains(logged.String(), `level=WARN msg="watch out"`) {
		t.Errorf("log has %q", logged.String())
	}

	t.Run("deferred reply", func(t *testing.T) {
		res, err := call(etf.Tuple{etf.Atom("defer"), etf.Atom("later")})(m, p, state)
		if err != nil || res.Tag != TagNoReply {
			t.Fatalf("%+v, %v", res, err)
		}
		if len(p.replies) != 1 || !etf.Equal(p.replies[0].msg, etf.Atom("later")) {
			t.Errorf("replies %v", p.replies)
		}
	})
	t.Run("timers", func(t *testing.T) {
		ref, ok := ask(etf.Tuple{etf.Atom("send_after"), other, etf.Atom("tick"), etf.Int(1500)}).(etf.Ref)
		if !ok || p.timers[ref] != 1500*time.Millisecond {
			t.Fatalf("ref %v, timers %v", ref, p.timers)
		}
		if got := ask(etf.Tuple{etf.Atom("cancel"), ref}); got != etf.Int(1500) {
			t.Errorf("cancel = %v, want 1500", got)
		}
		if got := ask(etf.Tuple{etf.Atom("cancel"), ref}); got != etf.False {
			t.Errorf("second cancel = %v, want false", got)
		}
	})
	t.Run("clocks", func(t *testing.T) {
		before := time.Now().UnixNano()
		times, _ := ask(etf.Atom("time")).(etf.Tuple)
		after := time.Now().UnixNano()
		if len(times) != 3 {
			t.Fatalf("time = %v", times)
		}
		// The system clock and the guest's own time.Now are the host's real
		// wall clock, not wazero's fake one.
		for i, tm := range times[1:] {
			if ns := int64(tm.(etf.Int)); ns < before || ns > after {
				t.Errorf("clock %d = %d, not within [%d, %d]", i+1, ns, before, after)
			}
		}
		if mono := int64(times[0].(etf.Int)); mono <= 0 || mono > nanotime() {
			t.Errorf("monotonic = %d, now %d", mono, nanotime())
		}
	})
	t.Run("sleep", func(t *testing.T) {
		// The guest's own clock shows it slept for real.
		if slept, _ := ask(etf.Tuple{etf.Atom("sleep"), etf.Int(30)}).(etf.Int); slept < 30 {
			t.Errorf("slept %d ms, want at least 30", slept)
		}
	})
	t.Run("random", func(t *testing.T) {
		a, _ := ask(etf.Tuple{etf.Atom("random"), etf.Int(32)}).(etf.Binary)
		b, _ := ask(etf.Tuple{etf.Atom("random"), etf.Int(32)}).(etf.Binary)
		if len(a) != 32 || bytes.Equal(a, b) {
			t.Errorf("random = %x then %x", a, b)
		}
	})
	t.Run("continue action", func(t *testing.T) {
		res, err := call(etf.Tuple{etf.Atom("continue"), etf.Atom("more")})(m, p, state)
		if err != nil {
			t.Fatal(err)
		}
		if want := encode(t, etf.Tuple{etf.Atom("continue"), etf.Atom("more")}); string(res.Action) != string(want) {
			t.Errorf("action = %v, want %v", res.Action, want)
		}
		res, err = m.HandleContinue(context.Background(), p, etf.Atom("more"), state)
		if err != nil || string(res.State) != string(encode(t, etf.Atom("more"))) {
			t.Errorf("handle_continue: %+v, %v", res, err)
		}
	})
}

// TestExitReason checks what a guest sees of a Process error.
func TestExitReason(t *testing.T) {
	if got := ExitReason(reasonError{etf.Atom("noproc")}); got != etf.Atom("noproc") {
		t.Errorf("Reasoner: %v", got)
	}
	if got := ExitReason(errors.New("plain")); !etf.Equal(got, etf.Binary("plain")) {
		t.Errorf("plain error: %v", got)
	}
}

// TestDeadlineWakesSleeper sleeps for an hour in a guest under a short
// deadline: the deadline must cut the sleep short, or the test hangs.
func TestDeadlineWakesSleeper(t *testing.T) {
	m := loadGo(t, "testdata/hostcalls", ModuleConfig{Deadline: 500 * time.Millisecond})
	_, err := call(etf.Tuple{etf.Atom("sleep"), etf.Int(3_600_000)})(m, newFakeProcess(), encode(t, etf.Atom("s")))
	f := asFault(t, err, Deadline)
	if !etf.Equal(f.ExitReason(), etf.Tuple{etf.Atom("wasm_deadline"), etf.Int(500)}) {
		t.Errorf("reason = %v", f.ExitReason())
	}
}

// TestSandbox checks that a guest reaches no file and no environment
// variable unless its module's configuration grants them.
func TestSandbox(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret"), []byte("s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CREO_TEST_SECRET", "from the host")
	env := etf.Tuple{etf.Atom("env"), etf.Binary("CREO_TEST_SECRET")}
	read := etf.Tuple{etf.Atom("read"), etf.Binary("/data/secret")}
	readHost := etf.Tuple{etf.Atom("read"), etf.Binary(filepath.Join(dir, "secret"))}
	granted := ModuleConfig{Env: map[string]string{"CREO_TEST_SECRET": "granted"}, Dirs: []Dir{{HostPath: dir, GuestPath: "/data"}}}
	tests := []struct {
		name string
		cfg  ModuleConfig
		req  etf.Term
		want func(etf.Term) bool
	}{
		{"no environment", ModuleConfig{}, env, func(r etf.Term) bool { return etf.Equal(r, etf.Binary("")) }},
		{"no files", ModuleConfig{}, read, isError},
		{"no host path", ModuleConfig{}, readHost, isError},
		{"granted environment", granted, env, func(r etf.Term) bool { return etf.Equal(r, etf.Binary("granted")) }},
		{"granted directory", granted, read, func(r etf.Term) bool { return etf.Equal(r, etf.Binary("s3cret")) }},
		{"still no host path", granted, readHost, isError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := loadGo(t, "testdata/hostcalls", tt.cfg)
			res, err := call(tt.req)(m, newFakeProcess(), encode(t, etf.Atom("s")))
			if err != nil {
				t.Fatal(err)
			}
			reply, err := etf.Decode(append([]byte{131}, res.Reply...))
			if err != nil || !tt.want(reply) {
				t.Errorf("reply %v, %v", reply, err)
			}
		})
	}
}

func isError(t etf.Term) bool {
	tup, ok := t.(etf.Tuple)
	return ok && len(tup) == 2 && tup[0] == etf.Atom("error")
}
