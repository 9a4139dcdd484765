package host

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/creo-dev/creo/abi"
	"github.com/creo-dev/creo/etf"
)

// deployMany deploys n counters named c0, c1... in parallel, so that
// their manifest writes go together, and returns their names.
func deployMany(b *testing.B, mn *managerNode, n int) []etf.Atom {
	b.Helper()
	counter := wasmGuest(b, "counter")
	names := make([]etf.Atom, n)
	for i := range names {
		names[i] = etf.Atom(fmt.Sprintf("c%d", i))
	}
	next := make(chan etf.Atom)
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for name := range next {
				if _, err := mn.m.Deploy(context.Background(), DeploySpec{Name: name, Wasm: counter}); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for _, name := range names {
		next <- name
	}
	close(next)
	wg.Wait()
	return names
}

// BenchmarkReload compares reloading every server of a module with
// compiling the module once, in one run so that the figures share the
// machine's load. compile=cold compiles counter_v2 in a runtime with an
// empty compilation cache, as for a module creo never saw; servers=N
// reloads N counters between counter_v2 and counter and back, the module's
// compiled code read from the compilation cache, as for a module creo
// knows. servers=0 is loading the module alone.
func BenchmarkReload(b *testing.B) {
	modules := [][]byte{wasmGuest(b, "counter_v2"), wasmGuest(b, "counter")}
	b.Run("compile=cold", func(b *testing.B) {
		for b.Loop() {
			rt, err := abi.NewRuntime(abi.Config{CacheDir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			m, err := rt.Load(context.Background(), modules[0], abi.ModuleConfig{})
			if err != nil {
				b.Fatal(err)
			}
			m.Close(context.Background())
			rt.Close(context.Background())
		}
	})
	for _, n := range []int{0, 1000, 10000} {
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) {
			mn := startManagerNode(b, b.TempDir(), ManagerConfig{})
			names := deployMany(b, mn, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := mn.m.ReloadAll(context.Background(), names, modules[i%2]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRestore restarts a node whose manager had deployed 1,000
// counters: the manifest read back, the module loaded from the
// compilation cache, and every server started again.
func BenchmarkRestore(b *testing.B) {
	dir := b.TempDir()
	mn := startManagerNode(b, dir, ManagerConfig{})
	deployMany(b, mn, 1000)
	mn.close()
	for b.Loop() {
		again := startManagerNode(b, dir, ManagerConfig{})
		b.StopTimer()
		if len(again.m.Servers()) != 1000 {
			b.Fatalf("%d servers restored, want 1000", len(again.m.Servers()))
		}
		again.close()
		b.StartTimer()
	}
}
