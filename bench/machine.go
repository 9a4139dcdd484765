package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/creo-dev/creo/internal/erltest"
)

// Machine describes the machine a run measured on.
type Machine struct {
	CPU                string
	Cores              int
	Memory             string
	OS                 string
	LoadStart, LoadEnd string
}

// readMachine reads the machine's description from /proc, with the load
// average now.
func readMachine() Machine {
	m := Machine{CPU: "unknown", Cores: runtime.NumCPU(), Memory: "unknown", OS: runtime.GOOS + "/" + runtime.GOARCH, LoadStart: loadAverage()}
	if v := procField("/proc/cpuinfo", "model name"); v != "" {
		m.CPU = v
	}
	if v := procField("/proc/meminfo", "MemTotal"); v != "" {
		var kb float64
		if _, err := fmt.Sscanf(v, "%f kB", &kb); err == nil {
			m.Memory = bytesUnit.format(kb * 1024)
		}
	}
	if rel, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.OS += ", Linux " + strings.TrimSpace(string(rel))
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc
// file whose key is key.
func procField(path, key string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// loadAverage returns the 1, 5 and 15 minute load averages.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], ", ")
}

// versions returns the versions of everything measured: Go, Erlang/OTP,
// Elixir, wazero and creo's commit.
func (b *bench) versions() [][2]string {
	otp := strings.TrimSpace(string(erltest.Eval(b.tb,
		`io:format("~s (erts ~s)", [erlang:system_info(otp_release), erlang:system_info(version)]), halt().`, time.Minute)))
	return [][2]string{
		{"Go", runtime.Version()},
		{"Erlang/OTP", otp},
		{"Elixir", b.elixirVersion()},
		{"wazero", moduleVersion("github.com/tetratelabs/wazero")},
		{"creo", b.commit()},
	}
}

func (b *bench) elixirVersion() string {
	ctx, cancel := context.WithTimeout(b.tb.Context(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, erltest.Elixir(b.tb), "-e", "IO.write(System.version())").Output()
	if err != nil {
		b.tb.Fatalf("bench: elixir version: %v", err)
	}
	return string(out)
}

// moduleVersion returns the version of a module the program is built
// with.
func moduleVersion(path string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Path == path {
				return d.Version
			}
		}
	}
	return "unknown"
}

// commit returns creo's commit, with "+changes" when the work tree
// differs from it.
func (b *bench) commit() string {
	git := func(args ...string) string {
		out, err := exec.Command("git", append([]string{"-C", b.cfg.Root}, args...)...).Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	c := git("rev-parse", "--short=12", "HEAD")
	if c == "" {
		return "unknown"
	}
	if git("status", "--porcelain", "--untracked-files=no") != "" {
		c += " (with uncommitted changes)"
	}
	return c
}
