package api_test

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/quizroom/quizroom/server/api"
)

// TestCallsKnowTheirConnection opens a stream over gRPC and one over
// HTTP/2 through the gRPC server's ServeHTTP (as the web address serves
// it): each call finds in its context the connection it came on, as it was
// accepted (a *net.TCPConn, which gRPC reads from a shared pool of buffers
// instead of keeping one per connection), and closing it, as the server
// does to a client that stopped reading, ends the client's stream with
// Unavailable. A gRPC call's peer keeps the security level of the
// transport's own credentials.
func TestCallsKnowTheirConnection(t *testing.T) {
	type call struct {
		conn net.Conn
		peer *peer.Peer
	}
	calls := make(chan call, 1)
	g := grpc.NewServer(append(api.ServerOptions(nil), grpc.ChainStreamInterceptor(
		func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			p, _ := peer.FromContext(ss.Context())
			calls <- call{api.ConnOf(ss.Context()), p}
			return h(srv, ss)
		}))...)
	healthpb.RegisterHealthServer(g, health.NewServer())
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() { _ = g.Serve(lis); close(served) }()
	defer func() { g.Stop(); <-served }()

	webLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	protocols := new(http.Protocols)
	protocols.SetUnencryptedHTTP2(true)
	hs := &http.Server{Handler: g, Protocols: protocols, ConnContext: api.ConnContext}
	webServed := make(chan struct{})
	go func() { _ = hs.Serve(webLis); close(webServed) }()
	defer func() { _ = hs.Close(); <-webServed }()

	for name, addr := range map[string]string{"gRPC": lis.Addr().String(), "ServeHTTP": webLis.Addr().String()} {
		t.Run(name, func(t *testing.T) {
			cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			defer cc.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			stream, err := healthpb.NewHealthClient(cc).Watch(ctx, &healthpb.HealthCheckRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := stream.Recv(); err != nil {
				t.Fatal(err)
			}
			c := <-calls
			if name == "gRPC" {
				if err := credentials.CheckSecurityLevel(c.peer.AuthInfo, credentials.PrivacyAndIntegrity); err == nil {
					t.Errorf("a plain TCP call's peer %v passes for private and authenticated", c.peer.AuthInfo)
				}
				if err := credentials.CheckSecurityLevel(c.peer.AuthInfo, credentials.NoSecurity); err != nil {
					t.Errorf("a plain TCP call's peer: %v", err)
				}
			}
			conn := c.conn
			tcp, ok := conn.(*net.TCPConn)
			if !ok {
				t.Fatalf("the call's connection is a %T, want the *net.TCPConn accepted", conn)
			}
			if tcp.LocalAddr().String() != addr {
				t.Fatalf("the call's connection is to %s, want %s", tcp.LocalAddr(), addr)
			}
			if err := tcp.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := stream.Recv(); status.Code(err) != codes.Unavailable {
				t.Fatalf("the stream after its connection was closed: got %v, want Unavailable", err)
			}
		})
	}
}
