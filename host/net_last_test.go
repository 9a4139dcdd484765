package host

import (
	"testing"

	"github.com/creo-dev/creo/etf"
)

// TestSendAfterDisconnect: a send to a node whose connection ended dials
// it again, although the entry of that connection was the one signal
// found last (network.last), and the message arrives over the new one.
func TestSendAfterDisconnect(t *testing.T) {
	addr := testEPMD(t)
	a, b := startNet(t, addr), startNet(t, addr)
	inbox := startProbe(t, b, nil)
	if err := b.Register("inbox", inbox.pid); err != nil {
		t.Fatal(err)
	}
	nodes := watchNodes(t, a)
	sender := startProbe(t, a, nil)
	to := etf.Tuple{etf.Atom("inbox"), b.Name()}
	for _, msg := range []etf.Atom{"before", "after"} {
		if err := a.process(sender.pid).Send(to, msg); err != nil {
			t.Fatal(err)
		}
		inbox.expect(t, msg)
		nodes.expect(t, etf.Tuple{etf.Atom("nodeup"), b.Name()})
		if !a.Disconnect(b.Name()) {
			t.Fatalf("a was not connected to b after %s", msg)
		}
		nodes.expect(t, etf.Tuple{etf.Atom("nodedown"), b.Name()})
	}
}
