package host

import (
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creo-dev/creo/dist"
	"github.com/creo-dev/creo/epmd"
	"github.com/creo-dev/creo/etf"
)

// Tests of two creo nodes talking over loopback, with an embedded EPMD:
// the connection table and the mapping of signals to control messages,
// without erl.

func TestFirstSendConnects(t *testing.T) {
	addr := testEPMD(t)
	a, b := startNet(t, addr), startNet(t, addr)
	pr := startProbe(t, b, nil)
	if err := b.Register("inbox", pr.pid); err != nil {
		t.Fatal(err)
	}
	const count = 1000
	sender := startProbe(t, a, nil)
	for i := range count {
		if err := a.process(sender.pid).Send(etf.Tuple{etf.Atom("inbox"), b.Name()}, etf.Int(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range count {
		pr.expect(t, etf.Int(i))
	}
	if got := a.Nodes(); !slices.Equal(got, []etf.Atom{b.Name()}) {
		t.Errorf("a.Nodes() = %v, want [%s]", got, b.Name())
	}
	if got := b.Nodes(); !slices.Equal(got, []etf.Atom{a.Name()}) {
		t.Errorf("b.Nodes() = %v, want [%s]", got, a.Name())
	}
}

func TestCallAcrossNodes(t *testing.T) {
	addr := testEPMD(t)
	a, b := startNet(t, addr), startNet(t, addr)
	pid, err := b.Start(echo(), nil, Options{Name: "echo"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		to   etf.Term
		want etf.Term
		err  error
	}{
		{name: "by name", to: etf.Tuple{etf.Atom("echo"), b.Name()}, want: etf.Atom("hello")},
		{name: "by pid", to: pid, want: etf.Atom("hello")},
		{name: "unregistered name", to: etf.Tuple{etf.Atom("nosuch"), b.Name()}, err: ErrNoproc},
		{name: "net_kernel", to: etf.Tuple{etf.Atom("net_kernel"), b.Name()}, want: etf.Atom("yes")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := etf.Term(etf.Atom("hello"))
			if tt.name == "net_kernel" {
				req = etf.Tuple{etf.Atom("is_auth"), a.Name()}
			}
			got, err := a.Call(ctx(t), tt.to, req, Infinity)
			if !errors.Is(err, tt.err) || tt.err == nil && !etf.Equal(got, tt.want) {
				t.Fatalf("Call = %v, %v; want %v, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestConnect(t *testing.T) {
	addr := testEPMD(t)
	a, b := startNet(t, addr), startNet(t, addr)
	if err := a.Connect(ctx(t), b.Name()); err != nil {
		t.Fatal(err)
	}
	if err := a.Connect(ctx(t), "nosuch@127.0.0.1"); err == nil {
		t.Fatal("connected to a node that does not exist")
	}
	if err := NewNode(Config{}).Connect(context.Background(), b.Name()); !errors.Is(err, ErrNotDistributed) {
		t.Fatalf("an offline node's Connect = %v", err)
	}
}

// TestSimultaneousConnect has two nodes send to each other at once, again
// and again, so that their dials cross: whichever connection survives,
// every message arrives, in order, and each node ends with one
// connection to the other.
func TestSimultaneousConnect(t *testing.T) {
	addr := testEPMD(t)
	a, b := startNet(t, addr), startNet(t, addr)
	prA, prB := startProbe(t, a, nil), startProbe(t, b, nil)
	watchA, watchB := watchNodes(t, a), watchNodes(t, b)
	const rounds, burst = 20, 50
	for round := range rounds {
		start := make(chan struct{})
		var wg sync.WaitGroup
		for _, s := range []struct {
			from *Node
			to   *probe
		}{{a, prB}, {b, prA}} {
			wg.Go(func() {
				<-start
				for i := range burst {
					if err := s.from.Send(s.to.pid, etf.Tuple{etf.Int(round), etf.Int(i)}); err != nil {
						t.Error(err)
					}
				}
			})
		}
		close(start)
		wg.Wait()
		for _, pr := range []*probe{prA, prB} {
			for i := range burst {
				pr.expect(t, etf.Tuple{etf.Int(round), etf.Int(i)})
			}
		}
		if !slices.Equal(a.Nodes(), []etf.Atom{b.Name()}) || !slices.Equal(b.Nodes(), []etf.Atom{a.Name()}) {
			t.Fatalf("round %d: a.Nodes() = %v, b.Nodes() = %v", round, a.Nodes(), b.Nodes())
		}
		watchA.expect(t, etf.Tuple{etf.Atom("nodeup"), b.Name()})
		watchB.expect(t, etf.Tuple{etf.Atom("nodeup"), a.Name()})
		// Messages sent over a connection that is going down are lost, as
		// on the BEAM: the next round starts once both nodes saw it go.
		a.Disconnect(b.Name())
		watchA.expect(t, etf.Tuple{etf.Atom("nodedown"), b.Name()})
		watchB.expect(t, etf.Tuple{etf.Atom("nodedown"), a.Name()})
	}
}

// watchNodes returns a probe subscribed to n's node events.
func watchNodes(t testing.TB, n *Node) *probe {
	t.Helper()
	pr := startProbe(t, n, nil)
	if err := n.MonitorNodes(pr.pid, true); err != nil {
		t.Fatal(err)
	}
	return pr
}

// TestNodeUnreachable: signals to a node that cannot be reached are
// dropped, and the node is reported down as the BEAM does: links and
// monitors fire noconnection, a call fails with nodedown.
func TestNodeUnreachable(t *testing.T) {
	a := startNet(t, testEPMD(t))
	const nowhere etf.Atom = "nowhere@127.0.0.1"
	remote := etf.Pid{Node: nowhere, ID: 1, Serial: 1, Creation: 1}
	var ref etf.Ref
	pr := startProbe(t, a, func(p *Process) {
		p.TrapExit(true)
		if err := p.Link(remote); err != nil {
			t.Error(err)
		}
		ref, _ = p.Monitor(remote)
	})
	got := []etf.Term{pr.recv(t), pr.recv(t)}
	for _, want := range []etf.Term{
		etf.Tuple{etf.Atom("EXIT"), remote, Noconnection},
		down(ref, remote, Noconnection),
	} {
		if !slices.ContainsFunc(got, func(m etf.Term) bool { return etf.Equal(m, want) }) {
			t.Errorf("got %v, want %v among them", got, want)
		}
	}
	_, err := a.Call(ctx(t), etf.Tuple{etf.Atom("srv"), nowhere}, etf.Atom("hi"), Infinity)
	if want := (&ExitError{Reason: etf.Tuple{etf.Atom("nodedown"), nowhere}}); !errors.Is(err, want) {
		t.Fatalf("Call error = %v, want %v", err, want)
	}
}

// TestPeerGoesDown: when a peer node closes, the links and monitors across
// its connection fire with noconnection and subscribers hear nodedown.
func TestPeerGoesDown(t *testing.T) {
	addr := testEPMD(t)
	a, b := startNet(t, addr), startNet(t, addr)
	target := startProbe(t, b, nil)
	nodes := watchNodes(t, a)
	var ref etf.Ref
	pr := startProbe(t, a, func(p *Process) {
		p.TrapExit(true)
		if err := p.Link(target.pid); err != nil {
			t.Error(err)
		}
		ref, _ = p.Monitor(target.pid)
	})
	if err := a.Connect(ctx(t), b.Name()); err != nil {
		t.Fatal(err)
	}
	nodes.expect(t, etf.Tuple{etf.Atom("nodeup"), b.Name()})
	// The link and monitor are set up once a round trip over the
	// connection has completed.
	if _, err := a.Call(ctx(t), etf.Tuple{etf.Atom("net_kernel"), b.Name()}, etf.Tuple{etf.Atom("is_auth"), a.Name()}, Infinity); err != nil {
		t.Fatal(err)
	}
	b.Close()
	got := []etf.Term{pr.recv(t), pr.recv(t)}
	for _, want := range []etf.Term{
		etf.Tuple{etf.Atom("EXIT"), target.pid, Noconnection},
		down(ref, target.pid, Noconnection),
	} {
		if !slices.ContainsFunc(got, func(m etf.Term) bool { return etf.Equal(m, want) }) {
			t.Errorf("got %v, want %v among them", got, want)
		}
	}
	nodes.expect(t, etf.Tuple{etf.Atom("nodedown"), b.Name()})
	if got := a.Nodes(); len(got) != 0 {
		t.Fatalf("a.Nodes() = %v after b closed", got)
	}
}

// TestNodeupComesFirst: a subscriber hears of a node before any message
// from it.
func TestNodeupComesFirst(t *testing.T) {
	addr := testEPMD(t)
	a, b := startNet(t, addr), startNet(t, addr)
	nodes := watchNodes(t, a)
	if err := b.Send(nodes.pid, etf.Atom("hello")); err != nil {
		t.Fatal(err)
	}
	nodes.expect(t, etf.Tuple{etf.Atom("nodeup"), b.Name()})
	nodes.expect(t, etf.Atom("hello"))
}

func TestHiddenNode(t *testing.T) {
	addr := testEPMD(t)
	a := startNet(t, addr)
	h := startNet(t, addr, func(c *NetConfig) { c.Hidden = true })
	nodes := watchNodes(t, a)
	pr := startProbe(t, a, nil)
	if err := h.Send(pr.pid, etf.Atom("hello")); err != nil {
		t.Fatal(err)
	}
	pr.expect(t, etf.Atom("hello"))
	if len(a.Nodes()) != 0 || len(h.Nodes()) != 0 {
		t.Fatalf("a hidden connection is listed: a.Nodes() = %v, h.Nodes() = %v", a.Nodes(), h.Nodes())
	}
	nodes.expectNothingBefore(t, a)
}

// TestFaults: bad input is refused and logged, and neither stops the node
// nor disturbs its other connections.
func TestFaults(t *testing.T) {
	addr := testEPMD(t)
	var log logRecorder
	a := startNet(t, addr, func(c *NetConfig) { c.Logger = log.logger() })
	b := startNet(t, addr)
	if _, err := a.Start(echo(), nil, Options{Name: "echo"}); err != nil {
		t.Fatal(err)
	}
	echoFromB := func(t *testing.T) {
		t.Helper()
		got, err := b.Call(ctx(t), etf.Tuple{etf.Atom("echo"), a.Name()}, etf.Atom("still"), Infinity)
		if err != nil || !etf.Equal(got, etf.Atom("still")) {
			t.Fatalf("call from another node = %v, %v", got, err)
		}
	}
	echoFromB(t)
	for _, tt := range []struct {
		name   string
		inject func(t *testing.T)
		logged string
	}{
		{name: "wrong cookie", logged: "wrong cookie", inject: func(t *testing.T) {
			c := startNet(t, addr, func(c *NetConfig) { c.Cookie = "not" + testCookie })
			if err := c.Connect(ctx(t), a.Name()); err == nil {
				t.Fatal("connected with the wrong cookie")
			}
		}},
		{name: "malformed handshake", logged: "send_name tag 104", inject: func(t *testing.T) {
			nc, err := net.Dial("tcp", a.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.Write([]byte("\x00\x05hello"))
			if _, err := io.ReadAll(nc); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "malformed packet", logged: "distribution header tag", inject: func(t *testing.T) {
			// A packet whose distribution header is neither 'p' nor 131 68-70,
			// written under the handshake's feet.
			peer := rawPeer(t, a)
			if _, err := peer.nc.Write([]byte{0, 0, 0, 3, 131, 99, 0}); err != nil {
				t.Fatal(err)
			}
			receive(t, peer.c.Done())
		}},
		{name: "sender of another node", logged: "broke the protocol", inject: func(t *testing.T) {
			c := fakePeer(t, a)
			c.Send(dist.Link{From: etf.Pid{Node: "other@127.0.0.1", ID: 1, Serial: 1, Creation: 1}, To: etf.Pid{Node: a.Name(), ID: 1, Serial: 1, Creation: a.Creation()}})
			receive(t, c.Done())
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			log.Reset()
			tt.inject(t)
			log.await(t, tt.logged)
			echoFromB(t)
		})
	}
}

// fakePeer connects to n as a bare distribution endpoint that a test
// drives by hand.
func fakePeer(t testing.TB, n *Node) *dist.Conn {
	t.Helper()
	return rawPeer(t, n).c
}

// rawConn is a bare distribution connection and the socket under it, for tests
// that write what dist would not.
type rawConn struct {
	c  *dist.Conn
	nc net.Conn
}

// rawPeer connects to n as a hidden node with a bare distribution
// connection, which the test closes when it ends. cfg, if given, says how;
// by default the peer has a name of its own and ignores what it receives.
func rawPeer(t testing.TB, n *Node, cfg ...dist.Config) rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", n.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c, err := dist.Initiate(ctx(t), nc, n.Name(), peerConfig(t, cfg...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return rawConn{c: c, nc: nc}
}

// receive returns what comes from ch, failing the test if nothing does.
func receive[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(wait):
		t.Fatal("nothing came")
		var zero T
		return zero
	}
}

// peerConfig fills in what cfg leaves out for a fake peer.
func peerConfig(t testing.TB, cfg ...dist.Config) *dist.Config {
	var c dist.Config
	if len(cfg) > 0 {
		c = cfg[0]
	}
	if c.Name == "" {
		c.Name = uniqueName("fake")
	}
	if c.Handler == nil {
		c.Handler = func(*dist.Conn, dist.Control) {}
	}
	c.Cookie, c.Creation, c.Hidden, c.Logger = testCookie, 1, true, testLogger(t)
	return &c
}

// TestPeerReconnects: a peer that connects again while its old connection
// still looks up says the old one is dead (status alive): the old
// connection goes down, with noconnection for what crossed it, and the
// new one carries what follows.
func TestPeerReconnects(t *testing.T) {
	a := startNet(t, testEPMD(t))
	name := uniqueName("fake")
	got := make(chan dist.Control, 16)
	cfg := dist.Config{Name: name, Handler: func(_ *dist.Conn, m dist.Control) { got <- m }}
	old := rawPeer(t, a, cfg)
	remote := etf.Pid{Node: name, ID: 1, Serial: 1, Creation: 1}
	pr := startProbe(t, a, func(p *Process) {
		p.TrapExit(true)
		if err := p.Link(remote); err != nil {
			t.Error(err)
		}
	})
	if m := receive(t, got); m.Op() != dist.OpLink {
		t.Fatalf("the old connection got %v, want the link", m)
	}

	rawPeer(t, a, cfg)
	receive(t, old.c.Done())
	pr.expect(t, etf.Tuple{etf.Atom("EXIT"), remote, Noconnection})
	if err := a.process(pr.pid).Send(remote, etf.Atom("again")); err != nil {
		t.Fatal(err)
	}
	m, ok := receive(t, got).(dist.Send)
	if !ok || !etf.Equal(m.Message, etf.Atom("again")) {
		t.Fatalf("the new connection got %v, want the message", m)
	}
}

// TestClose: a closed node leaves EPMD and its peers see it go down.
func TestClose(t *testing.T) {
	addr := testEPMD(t)
	a, b := startNet(t, addr), startNet(t, addr)
	nodes := watchNodes(t, a)
	if err := b.Connect(ctx(t), a.Name()); err != nil {
		t.Fatal(err)
	}
	nodes.expect(t, etf.Tuple{etf.Atom("nodeup"), b.Name()})
	b.Close()
	nodes.expect(t, etf.Tuple{etf.Atom("nodedown"), b.Name()})
	short, _, _ := strings.Cut(string(b.Name()), "@")
	if _, err := epmd.Lookup(ctx(t), addr, short); !errors.Is(err, epmd.ErrNotFound) {
		t.Fatalf("EPMD lookup after Close: %v", err)
	}
	if err := b.Connect(ctx(t), a.Name()); !errors.Is(err, ErrNodeClosed) {
		t.Fatalf("Connect after Close = %v", err)
	}
	select {
	case <-b.Done():
	default:
		t.Fatal("the supervision tree is up after Close")
	}
	b.Close()
}

// TestStartNodeErrors checks the configurations StartNode refuses before
// it listens or registers.
func TestStartNodeErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  NetConfig
		err  string
	}{
		{name: "no host", cfg: NetConfig{Name: "creo", Cookie: "c"}, err: `host: node name "creo" is not of the form name@host`},
		{name: "no cookie", cfg: NetConfig{Name: "creo@127.0.0.1"}, err: "host: node 'creo@127.0.0.1': no cookie"},
		{name: "EPMD without a port", cfg: NetConfig{Name: "creo@127.0.0.1", Cookie: "c", EPMD: "127.0.0.1"},
			err: `host: EPMD address "127.0.0.1": address 127.0.0.1: missing port in address`},
		{name: "EPMD port not a number", cfg: NetConfig{Name: "creo@127.0.0.1", Cookie: "c", EPMD: "127.0.0.1:epmd"},
			err: `host: EPMD address "127.0.0.1:epmd": "epmd" is not a port number`},
		{name: "EPMD port 0", cfg: NetConfig{Name: "creo@127.0.0.1", Cookie: "c", EPMD: "127.0.0.1:0"},
			err: `host: EPMD address "127.0.0.1:0": "0" is not a port number`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n, err := StartNode(ctx(t), tt.cfg)
			if err == nil {
				n.Close()
				t.Fatalf("StartNode succeeded, want %s", tt.err)
			}
			if err.Error() != tt.err {
				t.Errorf("error %q, want %q", err, tt.err)
			}
		})
	}
}

// TestStartNodeBusyPoll: NetConfig's DisableBusyPoll reaches the config
// the node's connections are made with.
func TestStartNodeBusyPoll(t *testing.T) {
	epmdAddr := testEPMD(t)
	for _, tt := range []struct {
		name    string
		disable bool
	}{
		{name: "by default", disable: false},
		{name: "disabled", disable: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			n := startNet(t, epmdAddr, func(c *NetConfig) { c.DisableBusyPoll = tt.disable })
			if got := n.cluster.(*network).dist.DisableBusyPoll; got != tt.disable {
				t.Fatalf("the connections' DisableBusyPoll is %v; want %v", got, tt.disable)
			}
		})
	}
}
