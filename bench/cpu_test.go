package main

import (
	"os"
	"slices"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	const tail = " 0 0 0 0 20 0 1 0 3019531 3133440 383"
	tests := []struct {
		name    string
		stat    string
		want    cpuUsage
		wantErr bool
	}{
		{
			name: "beam",
			stat: "28361 (beam.smp) S 28358 28358 27134 0 -1 4194304 103 0 0 0 1234 567" + tail,
			want: cpuUsage{user: 12340 * time.Millisecond, system: 5670 * time.Millisecond},
		},
		{
			name: "command with spaces and parentheses",
			stat: "7 (a) b (c)) R 1 7 7 0 -1 4194304 103 0 0 0 3 0" + tail,
			want: cpuUsage{user: 30 * time.Millisecond},
		},
		{name: "no command", stat: "7 a R 1 7 7 0 -1 4194304 103 0 0 0 3 0", wantErr: true},
		{name: "too short", stat: "7 (a) R 1 7 7 0 -1 4194304 103 0 0 0 3", wantErr: true},
		{name: "not a number", stat: "7 (a) R 1 7 7 0 -1 4194304 103 0 0 0 x 0" + tail, wantErr: true},
		{name: "negative", stat: "7 (a) R 1 7 7 0 -1 4194304 103 0 0 0 3 -1" + tail, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat(tt.stat)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseStat: %v, want an error: %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("parseStat = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestProcessCPU burns 30 ms of CPU, as getrusage counts it, and checks
// that /proc counts more CPU for this process after than before: at
// least 10 ms, what is left once both readings are cut to 10 ms ticks.
func TestProcessCPU(t *testing.T) {
	before, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	for start := cpuTime(); cpuTime()-start < 30*time.Millisecond; {
	}
	after, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if used := after.sub(before); used.user < 0 || used.system < 0 || used.user+used.system < 10*time.Millisecond {
		t.Errorf("30 ms of CPU read as %+v", used)
	}
	if _, err := processCPU(-1); err == nil {
		t.Error("processCPU(-1) read no error")
	}
}

func TestCPUPerCall(t *testing.T) {
	driver := cpuUsage{user: 3 * time.Second, system: time.Second}
	server := cpuUsage{user: 2 * time.Second, system: 6 * time.Second}
	got := cpuPerCall(driver, server, 1e5)
	if want := []float64{30e3, 10e3, 20e3, 60e3, 120e3}; !slices.Equal(got, want) {
		t.Errorf("cpuPerCall = %v, want %v", got, want)
	}
	if len(got) != len(cpuFigures) {
		t.Errorf("%d figures, %d names", len(got), len(cpuFigures))
	}
}
