package dist

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creo-dev/creo/epmd"
	"github.com/creo-dev/creo/etf"
	"github.com/creo-dev/creo/internal/erltest"
)

// Interop tests: a Go endpoint of this package against real erl and elixir
// nodes on 127.0.0.1, with a private EPMD.

const interopCookie = "interop"

// delivery is a control message a goNode's connection handed over.
type delivery struct {
	conn *Conn
	msg  Control
}

// goNode is a Go distribution endpoint for interop tests: it is registered
// in EPMD, accepts connections, dials, answers net_kernel's is_auth (what a
// ping asks), and hands every other control message to the test.
type goNode struct {
	name     etf.Atom
	cfg      *Config
	epmd     string
	accepted chan handshakeResult
	got      chan delivery
}

var goNodeCount atomic.Int64

// startGoNode starts a hidden Go node: the distribution tests need nothing
// of global, which a visible node would have to speak.
func startGoNode(t testing.TB, epmdAddr string, modify ...func(*Config)) *goNode {
	t.Helper()
	short := fmt.Sprintf("go%d_%d", os.Getpid(), goNodeCount.Add(1))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	ctx := context.Background()
	reg, err := epmd.Register(ctx, epmdAddr, epmd.Node{
		Name: short, Port: uint16(ln.Addr().(*net.TCPAddr).Port), Type: epmd.HiddenNode,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	g := &goNode{
		name:     etf.Atom(short + "@127.0.0.1"),
		epmd:     epmdAddr,
		accepted: make(chan handshakeResult, 16),
		got:      make(chan delivery, 1<<17),
	}
	cfg, _ := testConfig(string(g.name))
	cfg.Cookie, cfg.Creation, cfg.Hidden = interopCookie, reg.Creation(), true
	cfg.Handler = g.handle
	for _, m := range modify {
		m(cfg)
	}
	g.cfg = cfg
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				c, err := Accept(ctx, nc, cfg)
				if c != nil {
					t.Cleanup(func() { c.Close(); <-c.Done() })
				}
				g.accepted <- handshakeResult{c, err}
			}()
		}
	}()
	return g
}

// pid returns a pid of the Go node.
func (g *goNode) pid(id uint32) etf.Pid {
	return etf.Pid{Node: g.name, ID: id, Creation: g.cfg.Creation}
}

// handle answers is_auth calls to net_kernel, as a node must for ping to
// say pong, and passes everything else on.
func (g *goNode) handle(c *Conn, m Control) {
	if rs, ok := m.(RegSend); ok && rs.To == "net_kernel" {
		if call, ok := rs.Message.(etf.Tuple); ok && len(call) == 3 && call[0] == etf.Atom("$gen_call") {
			if from, ok := call[1].(etf.Tuple); ok && len(from) == 2 {
				replyTo(c, g.pid(1), from[0].(etf.Pid), from[1], etf.Atom("yes"))
				return
			}
		}
	}
	switch m.(type) {
	case Monitor, Demonitor:
		return // the monitors of gen:call
	}
	g.got <- delivery{c, m}
}

// replyTo sends a gen_server reply {Tag, Reply}, to the alias when the tag
// is [alias | Ref], as gen:reply does.
func replyTo(c *Conn, from, to etf.Pid, tag etf.Term, reply etf.Term) {
	msg := etf.Tuple{tag, reply}
	if l, ok := tag.(etf.ImproperList); ok && len(l.Elems) == 1 && l.Elems[0] == etf.Atom("alias") {
		c.Send(AliasSend{From: from, Alias: l.Tail.(etf.Ref), Message: msg})
		return
	}
	c.Send(Send{From: from, To: to, Message: msg})
}

// dial connects to an erl node by its full name, finding its port in EPMD.
func (g *goNode) dial(t testing.TB, peer string) (*Conn, error) {
	t.Helper()
	short, _, _ := strings.Cut(peer, "@")
	n, err := epmd.Lookup(context.Background(), g.epmd, short)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Dial(context.Background(), net.JoinHostPort("127.0.0.1", strconv.Itoa(int(n.Port))), etf.Atom(peer), g.cfg)
	if c != nil {
		t.Cleanup(func() { c.Close(); <-c.Done() })
	}
	return c, err
}

// next returns the next control message the node's connections delivered.
func (g *goNode) next(t testing.TB) delivery {
	t.Helper()
	select {
	case d := <-g.got:
		return d
	case <-time.After(60 * time.Second):
		t.Fatal("no control message after 60 s")
	}
	return delivery{}
}

// nextAccepted returns the result of the next handshake the node accepted.
func (g *goNode) nextAccepted(t testing.TB) handshakeResult {
	t.Helper()
	select {
	case r := <-g.accepted:
		return r
	case <-time.After(60 * time.Second):
		t.Fatal("no connection accepted after 60 s")
	}
	return handshakeResult{}
}

// ping makes this node call net_kernel on c's peer with is_auth, as
// net_adm:ping does, and returns the answer.
func (g *goNode) ping(t testing.TB, c *Conn) etf.Term {
	t.Helper()
	me := g.pid(2)
	tag := etf.Ref{Node: g.name, Creation: g.cfg.Creation, Len: 3, ID: [5]uint32{1, 2, 3}}
	call := etf.Tuple{etf.Atom("$gen_call"), etf.Tuple{me, tag}, etf.Tuple{etf.Atom("is_auth"), g.name}}
	if err := c.Send(RegSend{From: me, To: "net_kernel", Message: call}); err != nil {
		t.Fatal(err)
	}
	d := g.next(t)
	reply, ok := d.msg.(Send)
	if r, isTuple := reply.Message.(etf.Tuple); !ok || reply.To != me || !isTuple || len(r) != 2 || r[0] != tag {
		t.Fatalf("reply to is_auth: %#v", d.msg)
	}
	return reply.Message.(etf.Tuple)[1]
}

func TestInteropConnect(t *testing.T) {
	erltest.Erl(t)
	epmdAddr := erltest.Epmd(t)
	tests := []struct {
		name   string
		elixir bool
		flags  Flags
	}{
		{name: "erl"},
		{name: "elixir", elixir: true},
		{name: "erl, pass-through packets", flags: DefaultFlags &^ (FlagDistHdrAtomCache | FlagFragments)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := startGoNode(t, epmdAddr, func(c *Config) { c.Flags = tt.flags })
			peer := erltest.StartNode(t, erltest.NodeConfig{Cookie: interopCookie, Epmd: epmdAddr, Elixir: tt.elixir})

			// The peer dials: ping answers pong, and it sees a hidden node.
			ping, hidden := fmt.Sprintf("net_adm:ping('%s').", string(g.name)), "nodes(hidden)."
			if tt.elixir {
				ping, hidden = fmt.Sprintf("Node.ping(:%q)", string(g.name)), "Node.list(:hidden)"
			}
			want := map[bool]string{false: "pong", true: ":pong"}[tt.elixir]
			if got := peer.Eval(t, ping); got != want {
				t.Fatalf("ping = %s, want %s\n%s", got, want, peer.Output())
			}
			if r := g.nextAccepted(t); r.err != nil || string(r.conn.Peer()) != peer.Name {
				t.Fatalf("accepted %v, %v", r.conn, r.err)
			}
			if got := peer.Eval(t, hidden); !strings.Contains(got, string(g.name)) {
				t.Errorf("%s = %s, want it to hold %s", hidden, got, g.name)
			}

			// This node dials: a second node, since a peer connected
			// already would answer alive.
			peer2 := erltest.StartNode(t, erltest.NodeConfig{Cookie: interopCookie, Epmd: epmdAddr, Elixir: tt.elixir})
			peer2.WaitUp(t)
			c, err := g.dial(t, peer2.Name)
			if err != nil {
				t.Fatal(err)
			}
			if got := g.ping(t, c); got != etf.Atom("yes") {
				t.Errorf("is_auth = %v, want yes", got)
			}
		})
	}
}

func TestInteropWrongCookie(t *testing.T) {
	erltest.Erl(t)
	epmdAddr := erltest.Epmd(t)
	g := startGoNode(t, epmdAddr)
	peer := erltest.StartNode(t, erltest.NodeConfig{Cookie: "not-" + interopCookie, Epmd: epmdAddr})

	if got := peer.Eval(t, fmt.Sprintf("net_adm:ping('%s').", string(g.name))); got != "pang" {
		t.Errorf("ping with a wrong cookie = %s, want pang", got)
	}
	if r := g.nextAccepted(t); !errors.Is(r.err, ErrBadCookie) {
		t.Errorf("Accept: %v, want %v", r.err, ErrBadCookie)
	}
	// erl refuses this node's reply and closes without its ack.
	if _, err := g.dial(t, peer.Name); err == nil {
		t.Error("Dial with a wrong cookie succeeded")
	}
}

// bigBinary builds the same 1 MiB (and a bit) binary in Go and in Erlang.
const bigBinaryErl = `binary:copy(<<"0123456789abcdef">>, 65600)`

var bigBinary = etf.Binary(strings.Repeat("0123456789abcdef", 65600))

func TestInteropLargeMessages(t *testing.T) {
	erltest.Erl(t)
	epmdAddr := erltest.Epmd(t)
	tests := []struct {
		name  string
		flags Flags
	}{
		{"fragments", DefaultFlags},
		{"no fragments", DefaultFlags &^ FlagFragments},
		{"pass-through", DefaultFlags &^ (FlagDistHdrAtomCache | FlagFragments)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := startGoNode(t, epmdAddr, func(c *Config) { c.Flags = tt.flags })
			peer := erltest.StartNode(t, erltest.NodeConfig{Cookie: interopCookie, Epmd: epmdAddr})
			peer.Eval(t, "register(sink, self()).")
			c, err := g.dial(t, peer.Name)
			if err != nil {
				t.Fatal(err)
			}

			// Go to erl, to a registered name.
			if err := c.Send(RegSend{From: g.pid(3), To: "sink", Message: etf.Tuple{etf.Atom("big"), bigBinary}}); err != nil {
				t.Fatal(err)
			}
			got := peer.Eval(t, "receive {big, B} -> B =:= "+bigBinaryErl+" after 60000 -> timeout end.")
			if got != "true" {
				t.Errorf("erl received a different binary: %s", got)
			}

			// erl to Go, to a pid, with the exit reason of a link too.
			peer.Eval(t, fmt.Sprintf("Go = binary_to_term(%s).", erlTermLiteral(t, g.pid(3))))
			peer.Eval(t, "Go ! {big, "+bigBinaryErl+"}, ok.")
			d := g.next(t)
			if s, ok := d.msg.(Send); !ok || !etf.Equal(s.Message, etf.Tuple{etf.Atom("big"), bigBinary}) {
				t.Errorf("Go received %T, not the big message", d.msg)
			}
			peer.Eval(t, "exit(Go, {shutdown, "+bigBinaryErl+"}).")
			d = g.next(t)
			if e, ok := d.msg.(Exit2); !ok || !etf.Equal(e.Reason, etf.Tuple{etf.Atom("shutdown"), bigBinary}) {
				t.Errorf("Go received %T, not the exit signal", d.msg)
			}
		})
	}
}

// erlTermLiteral writes t as an Erlang binary literal of its external
// format, for code evaluated on a node.
func erlTermLiteral(t testing.TB, term etf.Term) string {
	t.Helper()
	b, err := etf.Encode(term)
	if err != nil {
		t.Fatal(err)
	}
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = strconv.Itoa(int(c))
	}
	return "<<" + strings.Join(parts, ",") + ">>"
}

func TestInteropPeerKilled(t *testing.T) {
	erltest.Erl(t)
	epmdAddr := erltest.Epmd(t)
	g := startGoNode(t, epmdAddr)
	peer := erltest.StartNode(t, erltest.NodeConfig{Cookie: interopCookie, Epmd: epmdAddr})
	peer.WaitUp(t)
	c, err := g.dial(t, peer.Name)
	if err != nil {
		t.Fatal(err)
	}
	peer.Kill()
	select {
	case <-c.Done():
	case <-time.After(60 * time.Second):
		t.Fatal("the connection outlived its peer by 60 s")
	}
	var cerr *ConnectionError
	if err := c.Err(); !errors.As(err, &cerr) {
		t.Errorf("Err() = %v, want a ConnectionError", err)
	}
}

func TestInteropIdleTicks(t *testing.T) {
	// Both sides tick every 500 ms and give up after 2 s of silence; the
	// connection must outlive several tick times with nothing to say. It
	// mostly waits, so it runs beside the other tests that do.
	t.Parallel()
	erltest.Erl(t)
	epmdAddr := erltest.Epmd(t)
	const tickTime = 2 * time.Second
	g := startGoNode(t, epmdAddr, func(c *Config) { c.TickTime = tickTime })
	peer := erltest.StartNode(t, erltest.NodeConfig{
		Cookie: interopCookie, Epmd: epmdAddr, Args: []string{"-kernel", "net_ticktime", "2"},
	})
	peer.WaitUp(t)
	c, err := g.dial(t, peer.Name)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * tickTime)
	if err := c.Err(); err != nil {
		t.Fatalf("idle connection ended: %v", err)
	}
	if got := peer.Eval(t, "nodes(hidden)."); !strings.Contains(got, string(g.name)) {
		t.Errorf("erl dropped the idle connection: nodes(hidden) = %s\n%s", got, peer.Output())
	}
	if got := g.ping(t, c); got != etf.Atom("yes") {
		t.Errorf("is_auth = %v, want yes", got)
	}
}

func TestInteropMessageOrder(t *testing.T) {
	erltest.Erl(t)
	epmdAddr := erltest.Epmd(t)
	g := startGoNode(t, epmdAddr)
	peer := erltest.StartNode(t, erltest.NodeConfig{Cookie: interopCookie, Epmd: epmdAddr})
	peer.Eval(t, "register(sink, self()).")
	c, err := g.dial(t, peer.Name)
	if err != nil {
		t.Fatal(err)
	}
	const n = 100000

	// Go to erl.
	go func() {
		for i := 1; i <= n; i++ {
			if err := c.Send(RegSend{From: g.pid(4), To: "sink", Message: etf.Tuple{etf.Atom("seq"), etf.Int(i)}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	check := fmt.Sprintf("Check = fun C(N) when N > %d -> in_order; C(N) -> receive {seq, N} -> C(N + 1); {seq, M} -> {out_of_order, N, M} after 60000 -> {stuck, N} end end, Check(1).", n)
	if got := peer.Eval(t, check); got != "in_order" {
		t.Errorf("erl received %s", got)
	}

	// erl to Go.
	peer.Eval(t, fmt.Sprintf("Go = binary_to_term(%s).", erlTermLiteral(t, g.pid(4))))
	peer.Eval(t, fmt.Sprintf("lists:foreach(fun(I) -> Go ! {seq, I} end, lists:seq(1, %d)).", n))
	for i := 1; i <= n; i++ {
		d := g.next(t)
		s, ok := d.msg.(Send)
		if !ok || !etf.Equal(s.Message, etf.Tuple{etf.Atom("seq"), etf.Int(i)}) {
			t.Fatalf("message %d: got %#v", i, d.msg)
		}
	}
}
