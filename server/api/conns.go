package api

import (
	"net"
	"sync"
)

// Conns tracks a server's connections by their client's address, so that
// the server can drop the connection of a client that stopped reading: a
// stream it no longer reads keeps what it was sent queued in the
// transport until the connection ends (about 400 KiB for a stream of
// small events behind a 64 KiB window).
type Conns struct {
	mu sync.Mutex // guards m
	m  map[string]net.Conn
}

// TrackConns wraps l: the connections it accepts are tracked until they
// close.
func TrackConns(l net.Listener) (net.Listener, *Conns) {
	c := &Conns{m: map[string]net.Conn{}}
	return c.Track(l), c
}

// Track wraps another listener of the same server (the web address, whose
// browsers reach the same service): its connections are tracked too.
func (c *Conns) Track(l net.Listener) net.Listener {
	return &trackedListener{Listener: l, conns: c}
}

// drop closes the connection from addr, if there is one.
func (c *Conns) drop(addr string) bool {
	c.mu.Lock()
	conn, ok := c.m[addr]
	c.mu.Unlock()
	if ok {
		_ = conn.Close()
	}
	return ok
}

type trackedListener struct {
	net.Listener
	conns *Conns
}

func (l *trackedListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	t := &trackedConn{Conn: conn, conns: l.conns, addr: conn.RemoteAddr().String()}
	l.conns.mu.Lock()
	l.conns.m[t.addr] = t
	l.conns.mu.Unlock()
	return t, nil
}

type trackedConn struct {
	net.Conn
	conns *Conns
	addr  string
	once  sync.Once
}

func (t *trackedConn) Close() error {
	t.once.Do(func() {
		t.conns.mu.Lock()
		if t.conns.m[t.addr] == t {
			delete(t.conns.m, t.addr)
		}
		t.conns.mu.Unlock()
	})
	return t.Conn.Close()
}
