package host

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/creo-dev/creo/etf"
)

// TestManagerHammer has many goroutines deploy, reload and stop a few
// names at once, then checks that the manager's books agree with what
// runs: a server runs for each manifest entry and none for the others, on
// the module its entry names, whose file is on disk with one user per
// entry, and no other module is.
func TestManagerHammer(t *testing.T) {
	mn := startManagerNode(t, t.TempDir(), ManagerConfig{})
	modules := [][]byte{wasmGuest(t, "counter"), wasmGuest(t, "counter_v2")}
	names := []etf.Atom{"h0", "h1", "h2", "h3"}
	const workers, ops = 6, 20
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range ops {
				name, wasm := names[r.IntN(len(names))], modules[r.IntN(len(modules))]
				var err error
				switch r.IntN(3) {
				case 0:
					_, err = mn.m.Deploy(ctx(t), DeploySpec{Name: name, Wasm: wasm})
				case 1:
					err = mn.m.Reload(ctx(t), name, wasm)
				case 2:
					err = mn.m.Stop(ctx(t), name)
				}
				// Only the refusals that the other workers' requests
				// explain are allowed.
				var me *ManagerError
				if err != nil && (!errors.As(err, &me) || !allowedRace(me.Reason)) {
					t.Errorf("%s: %v", name, err)
				}
			}
		})
	}
	wg.Wait()

	vsnOf := map[string]bool{moduleVsn(modules[0]): false, moduleVsn(modules[1]): true} // is v2
	users := map[string]int{}
	for _, name := range names {
		e, deployed := mn.m.entry(name)
		_, running := mn.n.Whereis(name)
		if deployed != running {
			t.Errorf("%s: in the manifest %v, running %v", name, deployed, running)
			continue
		}
		if !deployed {
			continue
		}
		users[e.Vsn]++
		_, v2, err := counterValue(callWasm(t, mn.n, name, etf.Atom("get")))
		if err != nil || v2 != vsnOf[e.Vsn] {
			t.Errorf("%s runs v2 %v, its entry names %.12s: %v", name, v2, e.Vsn, err)
		}
	}
	mn.m.mu.Lock()
	counts := fmt.Sprint(mn.m.modules)
	mn.m.mu.Unlock()
	if want := fmt.Sprint(users); counts != want {
		t.Errorf("module users %s, want %s", counts, want)
	}
	for vsn := range vsnOf {
		_, err := mn.m.store.get(vsn)
		if onDisk := err == nil; onDisk != (users[vsn] > 0) {
			t.Errorf("module %.12s on disk %v, with %d users", vsn, onDisk, users[vsn])
		}
	}
}

// allowedRace reports whether reason is a refusal that concurrent
// requests for the same name explain: deploying a name deployed, or
// reloading or stopping one not deployed.
func allowedRace(reason etf.Term) bool {
	if t, ok := reason.(etf.Tuple); ok && len(t) == 2 && t[0] == etf.Atom("already_started") {
		return true
	}
	return reason == etf.Atom("not_found")
}
