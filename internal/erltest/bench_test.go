package erltest

import (
	"context"
	"io"
	"os"
	"slices"
	"testing"
)

func TestSessionRun(t *testing.T) {
	tests := []struct {
		name    string
		run     func(s *Session)
		wantErr string
	}{
		{name: "ok", run: func(s *Session) { s.Log("fine") }},
		{name: "fatal", run: func(s *Session) { s.Fatalf("no %s", "erl") }, wantErr: "erltest: bench failed: no erl"},
		{name: "error goes on", run: func(s *Session) { s.Error("one"); s.Error("two") }, wantErr: "erltest: bench failed: one\ntwo"},
		{name: "skip", run: func(s *Session) { s.Skipf("no %s", "elixir") }, wantErr: "erltest: bench skipped: no elixir"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSession(context.Background(), "bench", io.Discard)
			var order []int
			err := s.Run(func() {
				s.Cleanup(func() { order = append(order, 1) })
				s.Cleanup(func() { order = append(order, 2) })
				tt.run(s)
				order = append(order, 0)
			})
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tt.wantErr {
				t.Errorf("Run error %q, want %q", gotErr, tt.wantErr)
			}
			want := []int{0, 2, 1}
			if tt.wantErr != "" && tt.name != "error goes on" {
				want = []int{2, 1} // ended before the rest of f
			}
			if !slices.Equal(order, want) {
				t.Errorf("ran %v, want %v (f, then cleanups last first)", order, want)
			}
			if err := s.Run(func() {}); err != nil {
				t.Errorf("a later Run inherited the failure: %v", err)
			}
		})
	}
}

func TestSessionTempDir(t *testing.T) {
	s := NewSession(context.Background(), "bench", io.Discard)
	var dir string
	if err := s.Run(func() { dir = s.TempDir() }); err != nil {
		t.Fatal(err)
	}
	if dir == "" {
		t.Fatal("no directory")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s still there after Run: %v", dir, err)
	}
}
