// Package quizd is the Quizroom server program: it reads the flags and
// environment, wires the store, the room engine, the gRPC service and the
// web address together, serves until a signal, and shuts down gracefully.
// With no flags it listens on 127.0.0.1:50051 with the embedded in-memory
// store and the built-in decks, and serves the web app and the API for
// browsers on 127.0.0.1:8080; -redis shares rooms with other instances
// through Redis. Every flag has an environment equivalent, listed by -help.
// The commands github.com/quizroom/quizroom/server (go run ./server) and
// github.com/quizroom/quizroom/cmd/quizd (go install) both run Main.
package quizd

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"

	"github.com/quizroom/quizroom/server/api"
	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/metrics"
	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/room"
	"github.com/quizroom/quizroom/server/webserve"
)

// Main runs the server with the process's arguments and environment until
// SIGINT or SIGTERM, and exits with status 2 on an error.
func Main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // -help printed the flags, as asked
		}
		fmt.Fprintln(os.Stderr, "quizd:", err)
		os.Exit(2)
	}
}

// config is everything the flags and environment set.
type config struct {
	listen      string
	redisURL    string
	redisPrefix string
	metricsAddr string
	logLevel    string
	logFormat   string
	tlsCert     string
	tlsKey      string
	httpAddr    string
	public      bool
	instance    string
	maxRooms    int
	maxPlayers  int
	maxDecks    int
	logSize     int
	joinRate    float64
	answerRate  float64
	watchRate   float64
	uploadRate  float64
	grace       time.Duration
	deckTTL     time.Duration
	shutdownFor time.Duration
	otel        string
	pprof       bool
	redisStrict bool
	proxies     []netip.Prefix
}

// parseFlags reads flags; each flag's default comes from its environment
// variable when set.
func parseFlags(args []string, getenv func(string) string, out io.Writer) (*config, error) {
	fs := flag.NewFlagSet("quizd", flag.ContinueOnError)
	fs.SetOutput(out)
	c := &config{}
	var errs []error
	str := func(p *string, name, env, def, usage string) {
		if v := getenv(env); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage+" (env "+env+")")
	}
	num := func(p *int, name, env string, def int, usage string) {
		if v := getenv(env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: not a whole number", env, v))
			}
			def = n
		}
		fs.IntVar(p, name, def, usage+" (env "+env+")")
	}
	rate := func(p *float64, name, env string, def float64, usage string) {
		if v := getenv(env); v != "" {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: not a number", env, v))
			}
			def = n
		}
		fs.Float64Var(p, name, def, usage+" (env "+env+")")
	}
	boolean := func(p *bool, name, env, usage string) {
		def := false
		if v := getenv(env); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: not true or false", env, v))
			}
			def = b
		}
		fs.BoolVar(p, name, def, usage+" (env "+env+")")
	}
	dur := func(p *time.Duration, name, env string, def time.Duration, usage string) {
		if v := getenv(env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: not a duration such as 250ms", env, v))
			}
			def = d
		}
		fs.DurationVar(p, name, def, usage+" (env "+env+")")
	}
	str(&c.listen, "listen", "QUIZ_LISTEN", "127.0.0.1:50051", "address to serve gRPC on")
	str(&c.redisURL, "redis", "QUIZ_REDIS_URL", "", "Redis URL to share rooms with other instances; empty: the in-memory store. Forms: "+redisstore.URLForms)
	str(&c.redisPrefix, "redis-prefix", "QUIZ_REDIS_PREFIX", redisstore.DefaultPrefix, "prefix of every Redis key, to share a Redis between deployments")
	str(&c.metricsAddr, "metrics", "QUIZ_METRICS", "", "address to serve Prometheus metrics (/metrics) on; empty: none")
	str(&c.otel, "otel-endpoint", "QUIZ_OTEL_ENDPOINT", "", "OTLP/gRPC collector to send OpenTelemetry traces to (http://host:4317, or https:// for TLS): a span per call and per Redis command; empty: no tracing")
	boolean(&c.pprof, "pprof", "QUIZ_PPROF", "also serve profiles (/debug/pprof/) on the metrics address; they show the server's internals to whoever reaches it")
	boolean(&c.redisStrict, "redis-strict", "QUIZ_REDIS_STRICT", "refuse to start when Redis may lose rooms (appendonly off, keys evicted, configuration unreadable) instead of warning")
	var proxies string
	str(&proxies, "trusted-proxies", "QUIZ_TRUSTED_PROXIES", "", "comma-separated addresses or CIDRs of proxies whose x-forwarded-for names the client, for the limits by address")
	str(&c.logLevel, "log-level", "QUIZ_LOG_LEVEL", "info", "log level: debug, info, warn or error")
	str(&c.logFormat, "log-format", "QUIZ_LOG_FORMAT", "text", "log format: text or json")
	str(&c.tlsCert, "tls-cert", "QUIZ_TLS_CERT", "", "TLS certificate file (PEM); with -tls-key, serve TLS")
	str(&c.tlsKey, "tls-key", "QUIZ_TLS_KEY", "", "TLS private key file (PEM)")
	str(&c.httpAddr, "http", "QUIZ_HTTP", "127.0.0.1:8080", "address to serve the web app and the API for browsers on; empty: none")
	public, err := strconv.ParseBool(cmp.Or(getenv("QUIZ_PUBLIC"), "false"))
	if err != nil {
		errs = append(errs, fmt.Errorf("QUIZ_PUBLIC=%q: not true or false", getenv("QUIZ_PUBLIC")))
	}
	fs.BoolVar(&c.public, "public", public, "serve the web app on every interface at -http's port and log the address to share on the local network (env QUIZ_PUBLIC)")
	str(&c.instance, "instance", "QUIZ_INSTANCE", "", "name of this instance in room leases; default random")
	num(&c.maxRooms, "max-rooms", "QUIZ_MAX_ROOMS", room.DefaultMaxRooms, "live rooms the store may hold")
	num(&c.maxPlayers, "max-players", "QUIZ_MAX_PLAYERS", room.DefaultMaxPlayers, "players per room, at most")
	num(&c.maxDecks, "max-decks", "QUIZ_MAX_DECKS", room.DefaultMaxDecks, "uploaded decks the store may hold")
	num(&c.logSize, "log-size", "QUIZ_LOG_SIZE", 1000, "events each room keeps for clients that resume")
	rate(&c.joinRate, "join-rate", "QUIZ_JOIN_RATE", api.DefaultJoinRate, "joins, rooms and uploads per second per client address; negative: no limit")
	rate(&c.answerRate, "answer-rate", "QUIZ_ANSWER_RATE", api.DefaultAnswerRate, "answers per second per player; negative: no limit")
	rate(&c.watchRate, "watch-rate", "QUIZ_WATCH_RATE", api.DefaultWatchRate, "Watch calls per second per client address; negative: no limit")
	rate(&c.uploadRate, "upload-rate", "QUIZ_UPLOAD_RATE", api.DefaultUploadsPerHour, "deck uploads per hour per client address; negative: no limit")
	dur(&c.deckTTL, "deck-ttl", "QUIZ_DECK_TTL", room.DefaultDeckTTL, "how long an uploaded deck is kept after its upload or the last room made from it")
	dur(&c.grace, "grace", "QUIZ_GRACE", room.DefaultGrace, "how long after a deadline answers in flight are still accepted")
	dur(&c.shutdownFor, "shutdown-timeout", "QUIZ_SHUTDOWN_TIMEOUT", 10*time.Second, "how long a shutdown waits for calls in progress")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments %q: quizd takes only flags", fs.Args()))
	}
	if c.public && c.httpAddr == "" {
		errs = append(errs, errors.New("-public needs a -http address"))
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		errs = append(errs, errors.New("-tls-cert and -tls-key go together"))
	}
	if c.maxRooms < 1 || c.maxPlayers < 1 || c.maxDecks < 1 || c.logSize < 10 {
		errs = append(errs, errors.New("-max-rooms, -max-players and -max-decks must be at least 1, -log-size at least 10"))
	}
	for p := range strings.SplitSeq(proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			if a, err := netip.ParseAddr(p); err == nil {
				p = netip.PrefixFrom(a, a.BitLen()).String()
			}
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("-trusted-proxies: %q is neither an address nor a CIDR such as 10.0.0.0/8", p))
			continue
		}
		c.proxies = append(c.proxies, prefix.Masked())
	}
	return c, errors.Join(errs...)
}

// newLogger makes the logger the flags ask for.
func newLogger(c *config, out io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("-log-level %q: use debug, info, warn or error", c.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(out, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(out, opts)), nil
	}
	return nil, fmt.Errorf("-log-format %q: use text or json", c.logFormat)
}

// newStore opens the store the flags ask for. A Redis store must pass its
// start-up check (redisstore.Store.Check) within redisCheckTimeout, so
// that a wrong URL, password or database, a Redis that is down or a
// replica stops the start with a clear error; its warnings are logged, or
// stop the start with -redis-strict. It returns the store, a check that
// it answers (for health), and what releases its connections.
func newStore(c *config, log *slog.Logger, tracer trace.TracerProvider) (store room.Store, ping, close func(context.Context) error, err error) {
	if c.redisURL == "" {
		none := func(context.Context) error { return nil }
		return memstore.New(memstore.Config{LogSize: c.logSize}), none, none, nil
	}
	s, err := redisstore.New(redisstore.Config{URL: c.redisURL, Prefix: c.redisPrefix, LogSize: c.logSize, Tracer: tracer})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("-redis: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), redisCheckTimeout)
	defer cancel()
	warnings, err := s.Check(ctx)
	if err != nil {
		_ = s.Close()
		if errors.Is(err, room.ErrUnavailable) {
			return nil, nil, nil, fmt.Errorf("-redis: Redis did not answer within %v (is it running, is the URL right?): %w", redisCheckTimeout, err)
		}
		return nil, nil, nil, fmt.Errorf("-redis: %w", err)
	}
	for _, w := range warnings {
		log.Warn("Redis may lose rooms: " + w)
	}
	if len(warnings) > 0 && c.redisStrict {
		_ = s.Close()
		return nil, nil, nil, fmt.Errorf("-redis: Redis may lose rooms, and -redis-strict is set: %s", strings.Join(warnings, "; "))
	}
	return s, s.Ping, func(context.Context) error { return s.Close() }, nil
}

// redisCheckTimeout is how long the start waits for Redis to pass its
// check.
const redisCheckTimeout = 3 * time.Second

// healthEvery is how often the health service asks the store whether it
// answers.
const healthEvery = 2 * time.Second

// watchHealth sets the health service's status from the store's: SERVING
// while it answers, NOT_SERVING while it does not, until ctx ends.
func watchHealth(ctx context.Context, h *health.Server, ping func(context.Context) error, log *slog.Logger) {
	t := time.NewTicker(healthEvery)
	defer t.Stop()
	serving := true
	for {
		pctx, cancel := context.WithTimeout(ctx, healthEvery)
		err := ping(pctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if ok := err == nil; ok != serving {
			serving = ok
			if ok {
				log.Info("the store answers again: serving")
				h.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
			} else {
				log.Warn("the store does not answer: not serving", "err", err)
				h.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// run serves until ctx ends, then shuts down gracefully within
// -shutdown-timeout in all: watchers are told to reconnect (Unavailable,
// which is not a departure: their players keep counting while they come
// back), the engine hands its presence over and stops (in at most half the
// time), and calls in progress get the rest to finish.
func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	started := time.Now()
	c, err := parseFlags(args, getenv, stdout)
	if err != nil {
		return err
	}
	log, err := newLogger(c, stdout)
	if err != nil {
		return err
	}
	tr, err := newTracing(ctx, c.otel, c.instance)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tr.shutdown(sctx); err != nil {
			log.Warn("sending the last traces", "err", err)
		}
	}()
	store, ping, closeStore, err := newStore(c, log, tr.tracerProvider())
	if err != nil {
		return err
	}
	defer func() { _ = closeStore(context.Background()) }()
	engine, err := room.New(room.Config{
		Store: store, Encoder: api.Encoder{}, Logger: log, Instance: c.instance,
		MaxRooms: c.maxRooms, MaxPlayers: c.maxPlayers, MaxDecks: c.maxDecks, Grace: c.grace,
		DeckTTL: c.deckTTL, StopTimeout: c.shutdownFor / 2, Volatile: c.redisURL == "",
	})
	if err != nil {
		return err
	}
	m := metrics.New(engine.Stats)
	var tlsConf *tls.Config
	if c.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey)
		if err != nil {
			return fmt.Errorf("loading the TLS key pair: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	opts := append(api.ServerOptions(tlsConf), api.LogCalls(log)...)
	opts = append(opts, m.ServerOptions()...)
	opts = append(opts, tr.serverOptions()...)
	lis, err := net.Listen("tcp", c.listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", c.listen, err)
	}
	srv := grpc.NewServer(opts...)
	api.New(api.Config{
		Engine: engine, Logger: log, JoinRate: c.joinRate, AnswerRate: c.answerRate,
		WatchRate: c.watchRate, UploadsPerHour: c.uploadRate, TrustedProxies: c.proxies,
		Origin: api.Origin{Store: storeName(c), Started: started},
	}).Register(srv)
	healthSrv := health.NewServer()
	healthpb.RegisterHealthServer(srv, healthSrv)
	reflection.Register(srv)

	// Every goroutine run starts ends before it returns: the engine and the
	// health watcher when their context ends, the gRPC server when it is
	// stopped.
	engineCtx, stopEngine := context.WithCancel(context.WithoutCancel(ctx))
	engineDone := make(chan error, 1)
	go func() { engineDone <- engine.Run(engineCtx) }()
	healthDone := make(chan struct{})
	go func() { watchHealth(engineCtx, healthSrv, ping, log); close(healthDone) }()
	serveDone := make(chan error, 1)
	go func() { serveDone <- srv.Serve(lis) }()
	stopAll := func() {
		stopEngine()
		<-engineDone
		<-healthDone
	}
	if c.metricsAddr != "" {
		stopMetrics, err := serveMetrics(c.metricsAddr, m, c.pprof, log)
		if err != nil {
			srv.Stop()
			stopAll()
			return err
		}
		defer stopMetrics()
	}
	if c.httpAddr != "" {
		web, err := webserve.Start(webserve.Config{Addr: c.httpAddr, Public: c.public, GRPC: srv, TLS: tlsConf, Logger: log})
		if err != nil {
			srv.Stop()
			stopAll()
			return err
		}
		defer web.Stop(c.shutdownFor)
		log.Info("play in a browser: players open "+web.ShareURL+", the host opens "+web.URL+"host", "url", web.URL)
	}

	addr := lis.Addr().String()
	log.Info("quizd listening", "addr", addr, "store", storeName(c), "tls", c.tlsCert != "")
	for _, hint := range clientHints(addr) {
		log.Info(hint)
	}

	select {
	case <-ctx.Done():
	case err := <-serveDone:
		stopAll()
		return fmt.Errorf("serving: %w", err)
	}
	deadline := time.Now().Add(c.shutdownFor)
	log.Info("shutting down: watchers are told to reconnect", "within", c.shutdownFor)
	healthSrv.Shutdown()
	stopAll()
	stopped := make(chan struct{})
	go func() { srv.GracefulStop(); close(stopped) }()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-stopped:
	case <-timer.C:
		log.Warn("shutdown: calls still in progress at the deadline are cut off")
		srv.Stop()
		<-stopped
	}
	return nil
}

// serveMetrics serves /metrics on addr, and with pprof the profiles at
// /debug/pprof/, until the returned stop is called.
func serveMetrics(addr string, m *metrics.Metrics, withPprof bool, log *slog.Logger) (stop func(), err error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics: listening on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	if withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hs.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("serving metrics", "err", err)
		}
	}()
	log.Info("metrics at http://"+lis.Addr().String()+"/metrics", "pprof", withPprof)
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		<-done
	}, nil
}

// clientHints are the start-up log's lines on how to play on the server
// at addr with the CLI, and, when addr is on loopback, how to let other
// machines in.
func clientHints(addr string) []string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	ip := net.ParseIP(host)
	if ip != nil && ip.IsUnspecified() { // every interface: loopback here, the network elsewhere
		local := ""
		if port != "50051" {
			local = " --addr 127.0.0.1:" + port
		}
		return []string{
			"host a game on this machine: quiz host" + local,
			"players join with: quiz join CODE --name NAME --addr HOST:" + port + ", HOST being this machine's address on the network (quiz host shows the whole line)",
		}
	}
	flag := " --addr " + addr
	if addr == "127.0.0.1:50051" {
		flag = "" // the CLI's default
	}
	hints := []string{
		"host a game: quiz host" + flag,
		"players join with: quiz join CODE --name NAME" + flag,
	}
	if (ip != nil && ip.IsLoopback()) || host == "localhost" {
		hints = append(hints, "only this machine can connect: to play with other machines, listen on the network with -listen 0.0.0.0:"+port+" (README.md, 'Play in a classroom')")
	}
	return hints
}

func storeName(c *config) string {
	if c.redisURL != "" {
		return "redis"
	}
	return "memory"
}
