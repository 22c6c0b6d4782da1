package cli

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/quizroom/quizroom/client/conn"
)

// listen listens on addr until the test ends and returns its port.
func listen(t *testing.T, addr string) string {
	t.Helper()
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lis.Close() })
	_, port, _ := net.SplitHostPort(lis.Addr().String())
	return port
}

func TestInvite(t *testing.T) {
	ctx := context.Background()
	// A server on every interface is found on this machine's address:
	// here 127.0.0.3 stands for it.
	all := listen(t, "0.0.0.0:0")
	a := &app{conn: conn.Config{Addr: "127.0.0.1:" + all}, localAddrs: func() []string { return []string{"127.0.0.3"} }}
	if got, want := a.invite(ctx, "ABC234"), (invitation{Line: "quiz join ABC234 --name NAME --addr 127.0.0.3:" + all}); got != want {
		t.Errorf("server on every interface: got %+v, want %+v", got, want)
	}
	// A server on loopback only is not: the line keeps loopback and a
	// hint says how to serve on the network.
	lo := listen(t, "127.0.0.1:0")
	a.conn.Addr = "localhost:" + lo
	got := a.invite(ctx, "ABC234")
	if got.Line != "quiz join ABC234 --name NAME --addr localhost:"+lo || !strings.Contains(got.Hint, "quizd -listen 0.0.0.0:"+lo) {
		t.Errorf("server on loopback: got %+v", got)
	}
	// Another machine's address is taken as it is, with the TLS flags.
	a.conn = conn.Config{Addr: "quiz.example.org:443", TLS: true}
	if got, want := a.invite(ctx, "ABC234"), (invitation{Line: "quiz join ABC234 --name NAME --addr quiz.example.org:443 --tls"}); got != want {
		t.Errorf("remote server: got %+v, want %+v", got, want)
	}
	// The default address needs no --addr.
	a.conn, a.localAddrs = conn.Config{}, func() []string { return nil }
	if got := a.invite(ctx, "ABC234"); got.Line != "quiz join ABC234 --name NAME" || got.Hint == "" {
		t.Errorf("default address: got %+v", got)
	}
}
