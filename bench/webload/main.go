// Command webload measures what a browser player costs the server beside a
// gRPC player: one room of N players plays a whole game, once with every
// player on gRPC and once with every player on a browser protocol (Connect
// over HTTP/1.1, as a browser speaks it to a plain-HTTP server; gRPC-Web;
// Connect over HTTP/2), each on a fresh quizd child process, in one run.
// It reports join and answer round trips, how fast questions reach the
// players, and the server's CPU and memory.
//
// Run it from the repository root (it builds ./server), after raising the
// open-files limit (N browser players hold 2N connections):
//
//	ulimit -n 20000
//	go run ./bench/webload -n 1000
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/net/http2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/quizroom/quizroom/bench/internal/proc"
	"github.com/quizroom/quizroom/client/bots"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "webload:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	n, questions, joiners int
	protocols             []string
	think, timeout        time.Duration
	grpcPort, httpPort    int
	profile               string
}

// protocols are the ways a player can reach the server.
var protocols = map[string]string{
	"grpc":       "gRPC (HTTP/2), one connection per player",
	"connect":    "Connect, binary, HTTP/1.1: one connection for the stream, one for calls (as a browser)",
	"grpc-web":   "gRPC-Web, binary, HTTP/1.1: one connection for the stream, one for calls",
	"connect-h2": "Connect, binary, HTTP/2 without TLS, one connection per player",
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("webload", flag.ContinueOnError)
	o := options{}
	fs.IntVar(&o.n, "n", 1000, "players in the room")
	fs.IntVar(&o.questions, "questions", 5, "questions per game")
	fs.IntVar(&o.joiners, "joiners", 50, "players joining at the same time")
	list := fs.String("protocols", "grpc,connect", "comma-separated: grpc, connect, grpc-web, connect-h2")
	fs.DurationVar(&o.think, "think", 1500*time.Millisecond, "every player answers this long after the options open, all at once")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up on one game after this long")
	fs.IntVar(&o.grpcPort, "grpc-port", 18051, "port of quizd's gRPC address (127.0.0.1)")
	fs.IntVar(&o.httpPort, "http-port", 18080, "port of quizd's web address (127.0.0.1)")
	fs.StringVar(&o.profile, "profile", "", "write the server's CPU profile of each game's first 20 s of play to this directory (PROTOCOL.pprof)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, p := range strings.Split(*list, ",") {
		if _, ok := protocols[p]; !ok {
			return fmt.Errorf("-protocols: unknown %q (grpc, connect, grpc-web, connect-h2)", p)
		}
		o.protocols = append(o.protocols, p)
	}
	dir, err := os.MkdirTemp("", "quizroom-webload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	quizd := filepath.Join(dir, "quizd")
	build := exec.CommandContext(ctx, "go", "build", "-o", quizd, "./server")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building ./server (run from the repository root): %w", err)
	}
	fmt.Fprintf(out, "# webload %s\n\n", strings.Join(args, " "))
	fmt.Fprintf(out, "One room of %d players, %d questions, AUTO pacing; every player answers %v after the options open.\n\n", o.n, o.questions, o.think)
	fmt.Fprintln(out, "| players on | errors | joins/s | join p50 / p99 | question fan-out p50 / p99 | answer round trip p50 / p99 | server CPU | RSS/player |")
	fmt.Fprintln(out, "| --- | --: | --: | --- | --- | --- | --: | --: |")
	for _, p := range o.protocols {
		r, err := game(ctx, o, quizd, p)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		fmt.Fprintf(out, "| %s | %d | %.0f | %s | %s | %s | %.1f s | %.1f KiB |\n", protocols[p], r.errors,
			float64(o.n)/r.joinWall.Seconds(), pair(r.join), pair(r.fanout), pair(r.answer), r.cpu.Seconds(), r.perPlayer/1024)
	}
	return nil
}

// pair is "p50 / p99" of s.
func pair(s bots.Summary) string {
	round := func(d time.Duration) string {
		if d < 10*time.Millisecond {
			return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
		}
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return round(s.P50) + " / " + round(s.P99)
}

// result is what one game measured.
type result struct {
	errors               int
	joinWall             time.Duration
	join, fanout, answer bots.Summary
	cpu                  time.Duration
	perPlayer            float64
}

// game plays one game with every player on protocol and measures it.
func game(ctx context.Context, o options, quizd, protocol string) (*result, error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	grpcAddr := fmt.Sprintf("127.0.0.1:%d", o.grpcPort)
	webURL := fmt.Sprintf("http://127.0.0.1:%d/", o.httpPort)
	args := []string{"-listen", grpcAddr, "-http", fmt.Sprintf("127.0.0.1:%d", o.httpPort),
		"-join-rate", "-1", "-answer-rate", "-1", "-max-players", "100000"}
	metrics := fmt.Sprintf("127.0.0.1:%d", o.httpPort+1)
	if o.profile != "" {
		args = append(args, "-metrics", metrics)
	}
	srv, err := proc.Start(quizd, args, nil, "quizd listening")
	if err != nil {
		return nil, fmt.Errorf("starting quizd: %w", err)
	}
	defer srv.Stop()
	host, err := newGRPC(grpcAddr)
	if err != nil {
		return nil, err
	}
	defer host.close()
	if err := waitServing(ctx, host); err != nil {
		return nil, err
	}
	before, err := proc.Read(srv.Pid())
	if err != nil {
		return nil, err
	}
	created, err := host.api.CreateRoom(ctx, &quizv1.CreateRoomRequest{
		Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"},
		Settings: &quizv1.RoomSettings{
			QuestionCount: int32(o.questions), Pacing: quizv1.PacingMode_PACING_MODE_AUTO,
			TimeLimit: durationpb.New(20 * time.Second), RevealTime: durationpb.New(2 * time.Second),
			LeaderboardTime: durationpb.New(2 * time.Second), MaxPlayers: int32(o.n),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("creating the room: %w", err)
	}
	code := created.GetRoom().GetCode()

	var (
		mu                      sync.Mutex // guards the samples and errors
		joins, fanouts, answers []time.Duration
		errs                    int
		firstErr                error
	)
	fail := func(err error) {
		mu.Lock()
		errs++
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
	}
	ready := make(chan struct{}, o.n)
	sem := make(chan struct{}, o.joiners)
	start := time.Now()
	var lastJoin time.Time
	var wg sync.WaitGroup
	for i := range o.n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			signalled := false
			defer func() {
				if !signalled {
					ready <- struct{}{}
				}
			}()
			p, err := dial(protocol, grpcAddr, webURL)
			if err != nil {
				fail(err)
				return
			}
			defer p.close()
			sem <- struct{}{}
			t0 := time.Now()
			token, err := p.join(ctx, code, fmt.Sprintf("p%05d", i))
			took := time.Since(t0)
			<-sem
			if err != nil {
				fail(fmt.Errorf("join: %w", err))
				return
			}
			mu.Lock()
			joins = append(joins, took)
			if now := time.Now(); now.After(lastJoin) {
				lastJoin = now
			}
			mu.Unlock()
			sctx, scancel := context.WithCancel(ctx)
			defer scancel()
			recv, err := p.watch(sctx, code, token)
			if err != nil {
				fail(fmt.Errorf("watch: %w", err))
				return
			}
			for {
				resp, err := recv()
				if err != nil {
					fail(fmt.Errorf("stream: %w", err))
					return
				}
				ev := resp.GetEvent()
				switch {
				case ev.GetSnapshot() != nil && !signalled:
					signalled = true
					ready <- struct{}{}
				case ev.GetQuestionOpened() != nil:
					q := ev.GetQuestionOpened()
					mu.Lock()
					fanouts = append(fanouts, time.Since(ev.GetServerTime().AsTime()))
					mu.Unlock()
					go func() {
						time.Sleep(time.Until(q.GetOpensAt().AsTime().Add(o.think)))
						ans := &quizv1.Answer{Choices: []int32{0}}
						if q.GetKind() == quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER {
							ans = &quizv1.Answer{Text: "a guess"}
						}
						t0 := time.Now()
						if err := p.submit(sctx, code, token, q.GetIndex(), ans); err != nil {
							fail(fmt.Errorf("answer: %w", err))
							return
						}
						mu.Lock()
						answers = append(answers, time.Since(t0))
						mu.Unlock()
					}()
				case ev.GetGameFinished() != nil, ev.GetRoomClosed() != nil:
					return
				}
			}
		}()
	}
	for range o.n {
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, fmt.Errorf("the players never all watched: %w", ctx.Err())
		}
	}
	connected, err := proc.Read(srv.Pid())
	if err != nil {
		return nil, err
	}
	hctx := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+created.GetHostToken())
	profiled := make(chan error, 1)
	if o.profile != "" {
		go func() { profiled <- profile(ctx, metrics, filepath.Join(o.profile, protocol+".pprof")) }()
	} else {
		profiled <- nil
	}
	if _, err := host.api.StartGame(hctx, &quizv1.StartGameRequest{RoomCode: code}); err != nil {
		return nil, fmt.Errorf("starting the game: %w", err)
	}
	wg.Wait()
	if err := <-profiled; err != nil {
		return nil, err
	}
	after, err := proc.Read(srv.Pid())
	if err != nil {
		return nil, err
	}
	if firstErr != nil {
		fmt.Fprintf(os.Stderr, "%s: %d errors, the first: %v\n", protocol, errs, firstErr)
	}
	return &result{
		errors: errs, joinWall: lastJoin.Sub(start),
		join: bots.Summarize(joins), fanout: bots.Summarize(fanouts), answer: bots.Summarize(answers),
		cpu: after.CPU - before.CPU, perPlayer: float64(connected.RSS-before.RSS) / float64(o.n),
	}, nil
}

// profile writes 20 s of the server's CPU profile to file.
func profile(ctx context.Context, addr, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/debug/pprof/profile?seconds=20", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("profiling the server: %w", err)
	}
	defer resp.Body.Close()
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// waitServing waits until the server answers.
func waitServing(ctx context.Context, c *grpcPlayer) error {
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := c.api.ListDecks(cctx, &quizv1.ListDecksRequest{})
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("quizd never served: %w", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// player is one player's connection to the server: the calls a player makes.
type player interface {
	join(ctx context.Context, code, name string) (token string, err error)
	watch(ctx context.Context, code, token string) (recv func() (*quizv1.WatchResponse, error), err error)
	submit(ctx context.Context, code, token string, index int32, a *quizv1.Answer) error
	close()
}

// dial connects a player over protocol.
func dial(protocol, grpcAddr, webURL string) (player, error) {
	switch protocol {
	case "grpc":
		return newGRPC(grpcAddr)
	case "connect":
		return newConnect(webURL, &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}), nil
	case "grpc-web":
		return newConnect(webURL, &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2}}, connect.WithGRPCWeb()), nil
	case "connect-h2":
		return newConnect(webURL, &http.Client{Transport: &http2.Transport{AllowHTTP: true,
			DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, addr)
			}}}), nil
	}
	return nil, errors.New("unknown protocol " + protocol)
}

// grpcPlayer is a player on its own gRPC connection.
type grpcPlayer struct {
	conn *grpc.ClientConn
	api  quizv1.QuizServiceClient
}

func newGRPC(addr string) (*grpcPlayer, error) {
	c, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	return &grpcPlayer{conn: c, api: quizv1.NewQuizServiceClient(c)}, nil
}

func bearer(ctx context.Context, token string) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
}

func (g *grpcPlayer) join(ctx context.Context, code, name string) (string, error) {
	r, err := g.api.JoinRoom(ctx, &quizv1.JoinRoomRequest{RoomCode: code, Name: name})
	return r.GetPlayerToken(), err
}

func (g *grpcPlayer) watch(ctx context.Context, code, token string) (func() (*quizv1.WatchResponse, error), error) {
	s, err := g.api.Watch(bearer(ctx, token), &quizv1.WatchRequest{RoomCode: code})
	if err != nil {
		return nil, err
	}
	return s.Recv, nil
}

func (g *grpcPlayer) submit(ctx context.Context, code, token string, index int32, a *quizv1.Answer) error {
	_, err := g.api.SubmitAnswer(bearer(ctx, token), &quizv1.SubmitAnswerRequest{RoomCode: code, QuestionIndex: index, Answer: a})
	return err
}

func (g *grpcPlayer) close() { _ = g.conn.Close() }

// connectPlayer is a player over a browser protocol, with an HTTP client
// of its own.
type connectPlayer struct {
	http   *http.Client
	joinC  *connect.Client[quizv1.JoinRoomRequest, quizv1.JoinRoomResponse]
	watchC *connect.Client[quizv1.WatchRequest, quizv1.WatchResponse]
	answer *connect.Client[quizv1.SubmitAnswerRequest, quizv1.SubmitAnswerResponse]
}

func newConnect(base string, c *http.Client, opts ...connect.ClientOption) *connectPlayer {
	m := base + "quiz.v1.QuizService/"
	return &connectPlayer{
		http:   c,
		joinC:  connect.NewClient[quizv1.JoinRoomRequest, quizv1.JoinRoomResponse](c, m+"JoinRoom", opts...),
		watchC: connect.NewClient[quizv1.WatchRequest, quizv1.WatchResponse](c, m+"Watch", opts...),
		answer: connect.NewClient[quizv1.SubmitAnswerRequest, quizv1.SubmitAnswerResponse](c, m+"SubmitAnswer", opts...),
	}
}

func (c *connectPlayer) join(ctx context.Context, code, name string) (string, error) {
	r, err := c.joinC.CallUnary(ctx, connect.NewRequest(&quizv1.JoinRoomRequest{RoomCode: code, Name: name}))
	if err != nil {
		return "", err
	}
	return r.Msg.GetPlayerToken(), nil
}

func (c *connectPlayer) watch(ctx context.Context, code, token string) (func() (*quizv1.WatchResponse, error), error) {
	req := connect.NewRequest(&quizv1.WatchRequest{RoomCode: code})
	req.Header().Set("Authorization", "Bearer "+token)
	s, err := c.watchC.CallServerStream(ctx, req)
	if err != nil {
		return nil, err
	}
	return func() (*quizv1.WatchResponse, error) {
		if s.Receive() {
			return s.Msg(), nil
		}
		if err := s.Err(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}, nil
}

func (c *connectPlayer) submit(ctx context.Context, code, token string, index int32, a *quizv1.Answer) error {
	req := connect.NewRequest(&quizv1.SubmitAnswerRequest{RoomCode: code, QuestionIndex: index, Answer: a})
	req.Header().Set("Authorization", "Bearer "+token)
	_, err := c.answer.CallUnary(ctx, req)
	return err
}

func (c *connectPlayer) close() { c.http.CloseIdleConnections() }
