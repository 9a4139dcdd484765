package host_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net"
	"time"

	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/host"
)

// echoServer is a gen_server that answers every call with the request.
type echoServer struct{ host.Defaults }

func (echoServer) Init(_ *host.Process, args etf.Term) host.Result { return host.Ok(args) }

func (echoServer) HandleCall(_ *host.Process, req etf.Term, _ host.From, state etf.Term) host.Result {
	return host.Reply(req, state)
}

// Two distributed nodes: b runs a server, a calls it by {Name, Node} and
// connects on the way. Here they register with a private EPMD, which the
// first node embeds; a real node leaves NetConfig.EPMD empty and uses the
// machine's.
func ExampleStartNode() {
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0") // find a free port for the EPMD
	if err != nil {
		log.Fatal(err)
	}
	epmdAddr := ln.Addr().String()
	ln.Close()
	start := func(name etf.Atom) *host.Node {
		n, err := host.StartNode(ctx, host.NetConfig{
			Name: name, Cookie: "secret", EPMD: epmdAddr, Logger: slog.New(slog.DiscardHandler),
		})
		if err != nil {
			log.Fatal(err)
		}
		return n
	}
	a := start("a@127.0.0.1")
	defer a.Close()
	b := start("b@127.0.0.1")
	defer b.Close()

	if _, err := b.Start(echoServer{}, nil, host.Options{Name: "echo"}); err != nil {
		log.Fatal(err)
	}
	reply, err := a.Call(ctx, etf.Tuple{etf.Atom("echo"), b.Name()}, etf.Tuple{etf.Atom("hello"), a.Name()}, 5*time.Second)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(reply, a.Nodes())
	// Output: {hello,'a@127.0.0.1'} ['b@127.0.0.1']
}
