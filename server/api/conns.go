package api

import (
	"context"
	"crypto/tls"
	"net"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
)

// The server drops the connection of a client that stopped reading: a
// stream it no longer reads keeps what it was sent queued in the transport
// until the connection ends (about 400 KiB for a stream of small events
// behind a 64 KiB window). A call finds its connection in its context: a
// gRPC call in its peer's AuthInfo (Credentials), a call through the web
// address in its request's context (ConnContext).
//
// Neither wraps the connection itself. gRPC reads a *net.TCPConn it is
// handed without a read buffer of its own (it takes one from a shared pool
// only while a frame arrives), and a connection of another type keeps a
// buffer for its whole life: 2 KiB per player, idle or not.

// Credentials wraps a gRPC server's transport credentials (insecure ones
// when it serves plain TCP) so that every call's peer knows the connection
// the call came on, which the server closes when the client stopped
// reading (StuckAfter). Without them such a client keeps what it was sent
// queued until it leaves. AuthType and everything else are inner's.
func Credentials(inner credentials.TransportCredentials) credentials.TransportCredentials {
	return connCredentials{inner}
}

type connCredentials struct {
	credentials.TransportCredentials
}

func (c connCredentials) ServerHandshake(raw net.Conn) (net.Conn, credentials.AuthInfo, error) {
	conn, info, err := c.TransportCredentials.ServerHandshake(raw)
	if err != nil {
		return nil, nil, err
	}
	return conn, connAuthInfo{AuthInfo: info, conn: raw}, nil
}

func (c connCredentials) Clone() credentials.TransportCredentials {
	return connCredentials{c.TransportCredentials.Clone()}
}

// connAuthInfo is the AuthInfo of inner credentials with the connection
// the handshake was on.
type connAuthInfo struct {
	credentials.AuthInfo
	conn net.Conn
}

// GetCommonAuthInfo is inner's security level, which grpc-go reads through
// this method (credentials.CheckSecurityLevel).
func (i connAuthInfo) GetCommonAuthInfo() credentials.CommonAuthInfo {
	if c, ok := i.AuthInfo.(interface {
		GetCommonAuthInfo() credentials.CommonAuthInfo
	}); ok {
		return c.GetCommonAuthInfo()
	}
	return credentials.CommonAuthInfo{}
}

type connKey struct{}

// ConnContext is an http.Server's ConnContext (the web address, whose
// browsers reach the same service): it puts the connection in the context
// of every request on it, so that a browser that stopped reading its
// stream is dropped as a gRPC client is.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if t, ok := c.(*tls.Conn); ok {
		// Closing the socket under the TLS session does not wait on a
		// writer that is stuck behind a full window, as closing the
		// session (which writes a close_notify) would.
		c = t.NetConn()
	}
	return context.WithValue(ctx, connKey{}, c)
}

// ConnOf is the connection a call (its context) came on, as it was
// accepted; nil when the server was built without Credentials or
// ConnContext.
func ConnOf(ctx context.Context) net.Conn {
	if p, ok := peer.FromContext(ctx); ok {
		if info, ok := p.AuthInfo.(connAuthInfo); ok {
			return info.conn
		}
	}
	c, _ := ctx.Value(connKey{}).(net.Conn)
	return c
}
