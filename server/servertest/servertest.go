// Package servertest starts a real Quizroom server in a test: the room
// engine and the gRPC service on a port of 127.0.0.1, the in-memory store by
// default. Tests of the server, the CLI and the benchmarks share it. For
// tests that kill the server and start it again, StartProcess runs quizd
// as a process of its own.
package servertest

import (
	"context"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/api"
	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/room"
	"github.com/quizroom/quizroom/server/webserve"
)

// Options tune a test server; zero fields get defaults.
type Options struct {
	// Store is the store; default a fresh memstore.
	Store room.Store
	// Engine adjusts the engine's config (Store and Encoder are set; the
	// default Logger logs warnings and errors to stderr).
	Engine room.Config
	// API adjusts the gRPC service's config (Engine is set). Rate and
	// stream limits default to off: tests drive many clients from one
	// address.
	API api.Config
	// Web also serves the web app and the API for browsers (package
	// webserve) on another port of 127.0.0.1, at Server.WebURL.
	Web bool
	// ServerOptions are added to api.ServerOptions (interceptors that
	// observe calls, say).
	ServerOptions []grpc.ServerOption
}

// Server is a running test server.
type Server struct {
	Addr string
	// WebURL is the web app's address, such as "http://127.0.0.1:41234/",
	// when Options.Web is set.
	WebURL string
	Engine *room.Engine
	Store  room.Store
	stop   func()
}

// Start starts a server and stops it when the test ends.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	s, err := Run(opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Run starts a server outside a test (benchmark programs); call Stop.
func Run(opt Options) (*Server, error) {
	if opt.Store == nil {
		opt.Store = memstore.New(memstore.Config{})
	}
	cfg := opt.Engine
	cfg.Store, cfg.Encoder = opt.Store, api.Encoder{}
	if cfg.Logger == nil {
		// Warnings and errors only: a test's output is no place for every
		// room created.
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	engine, err := room.New(cfg)
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	acfg := opt.API
	acfg.Engine = engine
	for _, rate := range []*float64{&acfg.JoinRate, &acfg.AnswerRate, &acfg.WatchRate, &acfg.WatchTokenRate, &acfg.UploadsPerHour, &acfg.AuthFailRate} {
		if *rate == 0 {
			*rate = -1
		}
	}
	if acfg.StreamsPerToken == 0 {
		acfg.StreamsPerToken = -1
	}
	srv := grpc.NewServer(append(api.ServerOptions(nil), opt.ServerOptions...)...)
	api.New(acfg).Register(srv)
	stopWeb := func() {}
	webURL := ""
	if opt.Web {
		w, err := webserve.Start(webserve.Config{Addr: "127.0.0.1:0", GRPC: srv})
		if err != nil {
			_ = lis.Close()
			return nil, err
		}
		webURL, stopWeb = w.URL, func() { w.Stop(5 * time.Second) }
	}
	ctx, cancel := context.WithCancel(context.Background())
	engineDone := make(chan struct{})
	go func() { _ = engine.Run(ctx); close(engineDone) }()
	serveDone := make(chan struct{})
	go func() { _ = srv.Serve(lis); close(serveDone) }()
	return &Server{Addr: lis.Addr().String(), WebURL: webURL, Engine: engine, Store: opt.Store, stop: func() {
		cancel()
		<-engineDone
		stopped := make(chan struct{})
		go func() { srv.GracefulStop(); close(stopped) }()
		select {
		case <-stopped:
		case <-time.After(5 * time.Second):
			srv.Stop()
		}
		<-serveDone
		stopWeb()
	}}, nil
}

// Stop stops the server: watchers get Unavailable, then calls drain.
func (s *Server) Stop() { s.stop() }

// Client dials the server and closes the connection when the test ends.
func (s *Server) Client(t testing.TB) quizv1.QuizServiceClient {
	t.Helper()
	conn, err := grpc.NewClient(s.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return quizv1.NewQuizServiceClient(conn)
}

// WithToken adds a bearer token to a call's context, as clients send it; an
// empty token adds nothing.
func WithToken(ctx context.Context, token string) context.Context {
	if token == "" {
		return ctx
	}
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}
