package epmd_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net"

	"github.com/creo-dev/creo/epmd"
)

// A node keeps itself registered, starting an embedded EPMD when none runs;
// another looks up its port. A real node would use epmd.Addr("127.0.0.1")
// as the registration address and ":4369" (epmd's port) as EmbedAddr.
func ExampleKeep() {
	addr := freeLoopbackAddr()
	ctx := context.Background()
	k, err := epmd.Keep(ctx, addr, epmd.Node{Name: "creo", Port: 9100}, epmd.KeepConfig{
		EmbedAddr:  addr,
		OnCreation: func(c uint32) { log.Printf("registered again; pids now carry creation %d", c) },
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer k.Close()

	n, err := epmd.Lookup(ctx, addr, "creo")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n.Name, n.Port, n.Type, n.HighestVersion, n.LowestVersion)
	// Output: creo 9100 visible 6 5
}

func freeLoopbackAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
