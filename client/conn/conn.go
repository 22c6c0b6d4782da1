// Package conn connects the quiz CLI to a Quizroom server: it dials with or
// without TLS, puts the caller's token in each call's metadata, bounds unary
// calls with a timeout, follows a room's event stream across dropped
// connections (Follow), and turns status codes into messages for people
// (Explain).
package conn

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Config says how to reach a server. Zero fields get the documented
// defaults.
type Config struct {
	// Addr is the server's host:port; default DefaultAddr.
	Addr string
	// TLS dials with TLS, verifying the server against the system roots
	// or CAFile.
	TLS bool
	// CAFile is a PEM file of CA certificates to verify the server with;
	// setting it implies TLS.
	CAFile string
	// InsecureSkipVerify dials with TLS without verifying the server's
	// certificate (for test servers only); it implies TLS.
	InsecureSkipVerify bool
	// Timeout bounds each unary call; default DefaultTimeout.
	Timeout time.Duration
}

// Defaults of Config.
const (
	DefaultAddr    = "127.0.0.1:50051"
	DefaultTimeout = 10 * time.Second
)

// flowWindow is the client's HTTP/2 flow-control window, per stream and
// per connection.
const flowWindow = 1 << 20

// Client is a connection to a server and the token its calls carry. It is
// safe for concurrent use.
type Client struct {
	// API is the generated client; call it with a context from Call.
	API     quizv1.QuizServiceClient
	conn    *grpc.ClientConn
	addr    string
	token   string
	timeout time.Duration
	lent    bool // Close leaves the connection open: see Lend
}

// Dial makes a Client for cfg. Like grpc.NewClient it connects lazily: an
// unreachable server shows up as Unavailable on the first call.
func Dial(cfg Config) (*Client, error) {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	creds, err := transportCredentials(cfg)
	if err != nil {
		return nil, err
	}
	// No client keepalive: a server that does not allow pings as often
	// answers them with GOAWAY. The server pings long streams itself, and
	// TCP keepalive notices a dead peer. Static flow-control windows: a
	// client of small events has no use for BDP estimation, whose pings
	// the server must answer for every burst of data it sends (a third of
	// the server's CPU per event delivered, measured by bench/ceiling).
	cc, err := grpc.NewClient(cfg.Addr, grpc.WithTransportCredentials(creds),
		grpc.WithStaticStreamWindowSize(flowWindow), grpc.WithStaticConnWindowSize(flowWindow))
	if err != nil {
		return nil, fmt.Errorf("server address %q: %w", cfg.Addr, err)
	}
	return &Client{API: quizv1.NewQuizServiceClient(cc), conn: cc, addr: cfg.Addr, timeout: cfg.Timeout}, nil
}

// transportCredentials are plaintext unless cfg asks for TLS.
func transportCredentials(cfg Config) (credentials.TransportCredentials, error) {
	if !cfg.TLS && cfg.CAFile == "" && !cfg.InsecureSkipVerify {
		return insecure.NewCredentials(), nil
	}
	tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipVerify} //nolint:gosec // asked for by the user
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading the CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("the CA file " + cfg.CAFile + " holds no PEM certificate")
		}
		tc.RootCAs = pool
	}
	return credentials.NewTLS(tc), nil
}

// WithToken returns a Client that shares c's connection and sends token
// (a host or player token) with every call.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.token = token
	return &cp
}

// Addr is the address the client dials.
func (c *Client) Addr() string { return c.addr }

// Call returns ctx with the call timeout and the token's metadata; call
// cancel when the call is done.
func (c *Client) Call(ctx context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	return c.authorize(ctx), cancel
}

// authorize adds the token's metadata to ctx, when there is a token.
func (c *Client) authorize(ctx context.Context) context.Context {
	if c.token == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+c.token)
}

// Lend returns a Client that shares c's connection and whose Close (and
// that of the clients made from it) leaves the connection open: for load
// tests that put many players on one connection. Close c itself when they
// are done.
func (c *Client) Lend() *Client {
	cp := *c
	cp.lent = true
	return &cp
}

// Close closes the connection shared by c and the clients made from it
// with WithToken, unless c was lent.
func (c *Client) Close() error {
	if c.lent {
		return nil
	}
	return c.conn.Close()
}
