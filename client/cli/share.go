package cli

import (
	"context"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/quizroom/quizroom/client/conn"
)

// serverFlags are the global flags another machine needs to reach the
// server this run talks to: --addr when it is not the default, and the TLS
// flags in use. They start with a space, or are empty.
func (a *app) serverFlags() string {
	return connFlags(a.conn, a.conn.Addr)
}

// connFlags are serverFlags for cfg, with the server at addr.
func connFlags(cfg conn.Config, addr string) string {
	var b strings.Builder
	if addr != "" && addr != conn.DefaultAddr {
		b.WriteString(" --addr " + addr)
	}
	switch {
	case cfg.InsecureSkipVerify:
		b.WriteString(" --insecure-skip-verify")
	case cfg.CAFile != "":
		b.WriteString(" --tls-ca " + filepath.Base(cfg.CAFile))
	case cfg.TLS:
		b.WriteString(" --tls")
	}
	return b.String()
}

// invitation is how players on other machines join a room.
type invitation struct {
	// Line is the command to paste: quiz join CODE --name NAME, with the
	// flags that reach the server.
	Line string
	// Hint is set when the address in Line is this machine's loopback,
	// which nobody else can reach: it says how to serve on the network.
	Hint string
}

// invite makes the invitation to room code. When the server address is a
// loopback address, it looks for the server on this machine's network
// addresses: a server listening on all interfaces is reachable there, and
// that address goes in the line instead.
func (a *app) invite(ctx context.Context, code string) invitation {
	addr := a.conn.Addr
	if addr == "" {
		addr = conn.DefaultAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || !isLoopback(host) {
		return invitation{Line: "quiz join " + code + " --name NAME" + connFlags(a.conn, addr)}
	}
	if lan := a.lookAround(ctx, port); lan != "" {
		return invitation{Line: "quiz join " + code + " --name NAME" + connFlags(a.conn, lan)}
	}
	return invitation{
		Line: "quiz join " + code + " --name NAME" + connFlags(a.conn, addr),
		Hint: "only this machine can join: the server listens on " + addr + ". To play with classmates, start it with " +
			"quizd -listen 0.0.0.0:" + port + " (README.md, 'Play in a classroom')",
	}
}

// isLoopback reports whether host names this machine's loopback.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// probeTimeout bounds the look for the server on this machine's network
// addresses: a connection to oneself is answered at once or not at all.
const probeTimeout = 300 * time.Millisecond

// lookAround returns the first of this machine's network addresses (IPv4
// first) on which something accepts connections at port, or "" when none
// does.
func (a *app) lookAround(ctx context.Context, port string) string {
	addrs := a.localAddrs()
	if len(addrs) == 0 {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	ok := make([]bool, len(addrs))
	var wg sync.WaitGroup
	for i, ip := range addrs {
		wg.Go(func() {
			var d net.Dialer
			c, err := d.DialContext(ctx, "tcp", net.JoinHostPort(ip, port))
			if err == nil {
				ok[i] = true
				_ = c.Close()
			}
		})
	}
	wg.Wait()
	if i := slices.Index(ok, true); i >= 0 {
		return net.JoinHostPort(addrs[i], port)
	}
	return ""
}

// interfaceAddrs lists this machine's unicast addresses that other
// machines may reach: IPv4 first, no loopback or link-local ones.
func interfaceAddrs() []string {
	ifaces, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var v4, v6 []string
	for _, a := range ifaces {
		n, ok := a.(*net.IPNet)
		if !ok || n.IP.IsLoopback() || n.IP.IsLinkLocalUnicast() || !n.IP.IsGlobalUnicast() {
			continue
		}
		if n.IP.To4() != nil {
			v4 = append(v4, n.IP.String())
		} else {
			v6 = append(v6, n.IP.String())
		}
	}
	return append(v4, v6...)
}
