// Package webserve serves quizd's browser side on an HTTP address: the web
// app (package web) and, on the same origin, the quiz.v1 API for browsers,
// over the Connect protocol and gRPC-Web (and plain gRPC), translated by
// vanguard onto the same *grpc.Server that serves the gRPC port. Every RPC
// has one implementation, with the same codec, interceptors and limits.
package webserve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"connectrpc.com/vanguard"
	"connectrpc.com/vanguard/vanguardgrpc"
	"google.golang.org/grpc"

	"github.com/quizroom/quizroom/server/api"
	"github.com/quizroom/quizroom/web"
)

// handler serves the web app and the browser API of every service
// registered on g. Register the services before calling it.
func handler(g *grpc.Server, app web.Config) (http.Handler, error) {
	return vanguardgrpc.NewTranscoder(g,
		vanguard.WithUnknownHandler(web.Handler(app)),
		vanguard.WithDefaultServiceOptions(vanguard.WithMaxMessageBufferBytes(api.MaxMessageSize)),
	)
}

// Config configures Start.
type Config struct {
	// Addr is the address to listen on, such as "127.0.0.1:8080".
	Addr string
	// Public listens on every interface at Addr's port, and shares this
	// machine's address on the local network instead of Addr.
	Public bool
	// GRPC is the server whose services the browsers call.
	GRPC *grpc.Server
	// TLS, when set, serves HTTPS (HTTP/2 and HTTP/1.1) with it; otherwise
	// plain HTTP (HTTP/1.1 and HTTP/2 without TLS).
	TLS *tls.Config
	// Logger logs serving errors; default slog.Default().
	Logger *slog.Logger
}

// Server is the running HTTP side.
type Server struct {
	// URL is where this machine opens the app, such as
	// "http://127.0.0.1:8080/".
	URL string
	// ShareURL is the address to give players on other devices: the local
	// network address with Config.Public, otherwise URL.
	ShareURL string
	hs       *http.Server
	done     chan struct{}
}

// Start listens on cfg.Addr and serves until Stop.
func Start(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	addr := cfg.Addr
	if cfg.Public {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("-http %q: want host:port: %w", addr, err)
		}
		addr = net.JoinHostPort("", port)
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("web: listening on %s: %w", addr, err)
	}
	scheme := "http"
	if cfg.TLS != nil {
		scheme = "https"
	}
	port := lis.Addr().(*net.TCPAddr).Port
	s := &Server{URL: scheme + "://" + localHost(lis.Addr()) + ":" + strconv.Itoa(port) + "/", done: make(chan struct{})}
	s.ShareURL = s.URL
	if cfg.Public {
		if ip := lanIP(); ip != "" {
			s.ShareURL = scheme + "://" + net.JoinHostPort(ip, strconv.Itoa(port)) + "/"
		}
	}
	h, err := handler(cfg.GRPC, web.Config{ShareURL: s.ShareURL})
	if err != nil {
		_ = lis.Close()
		return nil, fmt.Errorf("web: %w", err)
	}
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)
	protocols.SetUnencryptedHTTP2(cfg.TLS == nil)
	s.hs = &http.Server{
		Handler:           h,
		Protocols:         protocols,
		TLSConfig:         cfg.TLS,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug),
		// The service drops a browser that stopped reading its stream, as
		// it drops a gRPC client.
		ConnContext: api.ConnContext,
	}
	go func() {
		defer close(s.done)
		var err error
		if cfg.TLS != nil {
			err = s.hs.ServeTLS(lis, "", "")
		} else {
			err = s.hs.Serve(lis)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			cfg.Logger.Error("serving the web app", "err", err)
		}
	}()
	return s, nil
}

// Stop stops taking connections and waits up to wait for the calls in
// progress; streams still open then are cut.
func (s *Server) Stop(wait time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := s.hs.Shutdown(ctx); err != nil {
		_ = s.hs.Close()
	}
	<-s.done
}

// localHost is the host this machine reaches a listener on: its address,
// or 127.0.0.1 for a listener on every interface.
func localHost(a net.Addr) string {
	ip := a.(*net.TCPAddr).IP
	if ip.IsUnspecified() {
		return "127.0.0.1"
	}
	if ip.To4() == nil {
		return "[" + ip.String() + "]"
	}
	return ip.String()
}

// lanIP is this machine's address on the local network: the first private
// IPv4 address of an interface that is up, else its first non-loopback
// IPv4 address, else "".
func lanIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	var fallback string
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok || n.IP.To4() == nil || n.IP.IsLoopback() || n.IP.IsLinkLocalUnicast() {
			continue
		}
		if n.IP.IsPrivate() {
			return n.IP.String()
		}
		if fallback == "" {
			fallback = n.IP.String()
		}
	}
	return fallback
}
