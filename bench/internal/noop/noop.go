// Package noop measures what this machine can do with gRPC alone, the
// ceilings the Quizroom benchmarks are compared with: a no-op unary call and
// a no-op broadcast to N streams, each client on its own connection, the
// server in a child process (the calling program run with ServeArg).
package noop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/quizroom/quizroom/bench/internal/proc"
	"github.com/quizroom/quizroom/client/bots"
	"github.com/quizroom/quizroom/client/conn"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/api"
)

// ServeArg is the argument that makes a program using this package serve
// the no-op server (call Serve) instead of measuring.
const ServeArg = "noop-serve"

// server is a QuizService that does nothing: ListDecks returns an empty
// list, Watch holds the stream, StartGame sends an event to every stream,
// and so does the SubmitAnswer call that makes as many calls since the last
// event as there are streams (everyone answered, as quizd closes a question
// early and reveals it). The event is encoded once (a grpc.PreparedMsg, as quizd shares a
// room's event bytes among its watchers) and goes through each stream's
// own bounded queue and sender, like a real server's would; the transport
// has quizd's settings (api.TransportOptions).
type server struct {
	quizv1.UnimplementedQuizServiceServer
	mu      sync.Mutex // guards streams, seq and answers
	streams map[*watcher]struct{}
	seq     uint64
	answers int // SubmitAnswer calls since the last event
}

// watcher is one open Watch stream.
type watcher struct {
	stream grpc.ServerStream
	queue  chan *grpc.PreparedMsg
}

func (s *server) ListDecks(context.Context, *quizv1.ListDecksRequest) (*quizv1.ListDecksResponse, error) {
	return &quizv1.ListDecksResponse{}, nil
}

func (s *server) Watch(_ *quizv1.WatchRequest, stream grpc.ServerStreamingServer[quizv1.WatchResponse]) error {
	w := &watcher{stream: stream, queue: make(chan *grpc.PreparedMsg, 64)}
	s.mu.Lock()
	s.streams[w] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.streams, w)
		s.mu.Unlock()
	}()
	if err := stream.Send(&quizv1.WatchResponse{Event: &quizv1.Event{ServerTime: timestamppb.Now()}}); err != nil {
		return err
	}
	for {
		select {
		case m := <-w.queue:
			if err := stream.SendMsg(m); err != nil {
				return err
			}
		case <-stream.Context().Done():
			return nil
		}
	}
}

func (s *server) StartGame(context.Context, *quizv1.StartGameRequest) (*quizv1.StartGameResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.broadcast(); err != nil {
		return nil, err
	}
	return &quizv1.StartGameResponse{Seq: s.seq}, nil
}

func (s *server) SubmitAnswer(context.Context, *quizv1.SubmitAnswerRequest) (*quizv1.SubmitAnswerResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.answers++; s.answers >= len(s.streams) {
		if err := s.broadcast(); err != nil {
			return nil, err
		}
	}
	return &quizv1.SubmitAnswerResponse{}, nil
}

// broadcast queues the next event for every stream. s.mu is held.
func (s *server) broadcast() error {
	s.answers = 0
	s.seq++
	ev := &quizv1.WatchResponse{Event: &quizv1.Event{Seq: s.seq, ServerTime: timestamppb.Now(), Payload: question}}
	var m *grpc.PreparedMsg
	for w := range s.streams {
		if m == nil { // every stream has the same codec: any one encodes
			m = new(grpc.PreparedMsg)
			if err := m.Encode(w.stream, ev); err != nil {
				return err
			}
		}
		select {
		case w.queue <- m:
		default:
		}
	}
	return nil
}

// question is what the no-op broadcast sends: a question of about the size
// of the built-in decks' (about 300 bytes encoded, as the reference
// ceiling's message).
var question = &quizv1.Event_QuestionOpened{QuestionOpened: &quizv1.QuestionOpened{
	Index: 1, Count: 10, Kind: quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE,
	Text:    strings.Repeat("What does the no-op server send to every stream? ", 4),
	Options: []string{"A broadcast", "Nothing at all", "A question of about the size of the decks'", "Every answer"},
}}

// Serve runs the no-op server until ctx ends; its first line is
// "listening <addr>".
func Serve(ctx context.Context, out io.Writer) error {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := grpc.NewServer(api.TransportOptions()...)
	quizv1.RegisterQuizServiceServer(srv, &server{streams: map[*watcher]struct{}{}})
	fmt.Fprintln(out, "listening", lis.Addr())
	go func() { <-ctx.Done(); srv.Stop() }()
	return srv.Serve(lis)
}

// child starts the calling program as the no-op server.
func child() (*proc.Child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return proc.Start(self, []string{ServeArg}, nil, "listening ")
}

// dial connects as the load test's players do (client/conn), so that the
// ceilings and the games have the same clients.
func dial(addr string) (*conn.Client, quizv1.QuizServiceClient, error) {
	c, err := conn.Dial(conn.Config{Addr: addr, Timeout: time.Minute})
	if err != nil {
		return nil, nil, err
	}
	return c, c.API, nil
}

// SampleEvery is how often the no-op server's CPU time is read.
const SampleEvery = 5 * time.Millisecond

// UnaryResult is what Unary measured.
type UnaryResult struct {
	Calls, Failures int64
	Elapsed         time.Duration
	Conns           int
	CPU             time.Duration // the server's, while the calls ran
}

// Rate is calls per second.
func (r UnaryResult) Rate() float64 { return float64(r.Calls) / r.Elapsed.Seconds() }

// PerCall is the server's CPU time per call.
func (r UnaryResult) PerCall() time.Duration { return proc.Per(r.CPU, r.Calls) }

func (r UnaryResult) String() string {
	return fmt.Sprintf("no-op unary: %d calls in %.1f s from %d connections: %.0f calls/s (%d failures); server CPU %.1f µs per call",
		r.Calls, r.Elapsed.Seconds(), r.Conns, r.Rate(), r.Failures, proc.Micros(r.PerCall()))
}

// Unary calls ListDecks from conns connections, one goroutine each, for d.
func Unary(ctx context.Context, conns int, d time.Duration) (UnaryResult, error) {
	c, err := child()
	if err != nil {
		return UnaryResult{}, err
	}
	defer c.Stop()
	var calls, failures atomic.Int64
	clients := make([]quizv1.QuizServiceClient, conns)
	for i := range clients {
		cc, client, err := dial(c.Addr)
		if err != nil {
			return UnaryResult{}, err
		}
		defer cc.Close()
		if _, err := client.ListDecks(ctx, &quizv1.ListDecksRequest{}); err != nil {
			return UnaryResult{}, err // connects
		}
		clients[i] = client
	}
	cpu0, err := proc.CPUTime(c.Pid())
	if err != nil {
		return UnaryResult{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for _, client := range clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				if _, err := client.ListDecks(ctx, &quizv1.ListDecksRequest{}); err != nil {
					if code := status.Code(err); code != codes.DeadlineExceeded && code != codes.Canceled {
						failures.Add(1)
					}
					continue
				}
				calls.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1, err := proc.CPUTime(c.Pid())
	if err != nil {
		return UnaryResult{}, err
	}
	return UnaryResult{Calls: calls.Load(), Failures: failures.Load(), Elapsed: elapsed, Conns: conns, CPU: cpu1 - cpu0}, nil
}

// BroadcastResult is what Broadcast measured.
type BroadcastResult struct {
	Streams, Events int
	// AfterAnswers says each event went out on the last of an answer from
	// every stream's client (AfterAnswers), not on a call of its own.
	AfterAnswers bool
	Latency      bots.Summary // arrival minus the event's server time
	IdleRSS      int64        // server RSS before the streams
	StreamsRSS   int64        // server RSS with the streams open
	PeakRSS      int64
	// CPU is the server's CPU time in the fan-out windows: from each
	// event's server time until its last stream had it; ClientCPU is the
	// clients' (this process's) in the same windows.
	CPU, ClientCPU time.Duration
}

// PerStream is the server's resident memory per open stream, in bytes.
func (r BroadcastResult) PerStream() float64 {
	return float64(r.StreamsRSS-r.IdleRSS) / float64(r.Streams)
}

// PerDelivery is the server's CPU time per event delivered to one stream.
func (r BroadcastResult) PerDelivery() time.Duration {
	return proc.Per(r.CPU, int64(r.Streams)*int64(r.Events))
}

// ClientPerDelivery is the clients' CPU time per event delivered to one
// stream.
func (r BroadcastResult) ClientPerDelivery() time.Duration {
	return proc.Per(r.ClientCPU, int64(r.Streams)*int64(r.Events))
}

func (r BroadcastResult) String() string {
	what := "no-op broadcast"
	if r.AfterAnswers {
		what = "no-op broadcast on the last of everyone's answers"
	}
	return fmt.Sprintf("%s to %d streams, %d events: %v; server RSS %.1f KiB per stream, peak %.1f MiB; server CPU %.1f µs per delivery (clients %.1f µs)",
		what, r.Streams, r.Events, r.Latency, r.PerStream()/1024, float64(r.PeakRSS)/(1<<20), proc.Micros(r.PerDelivery()), proc.Micros(r.ClientPerDelivery()))
}

// Broadcast opens n streams, each on its own connection, sends events to
// all of them, one a second, after one more that warms the streams up (as
// a game's streams carry the lobby's events before its first question),
// and measures their delivery.
func Broadcast(ctx context.Context, n, events int) (BroadcastResult, error) {
	return broadcast(ctx, n, events, false)
}

// AfterAnswers is Broadcast where each event after the first goes out on
// the last of a burst of answers, one from each stream's connection at the
// same moment: the ceiling of a reveal, which a game sends when its last
// player answered, while the server still writes the other answers' replies
// and the clients read them.
func AfterAnswers(ctx context.Context, n, events int) (BroadcastResult, error) {
	return broadcast(ctx, n, events, true)
}

// broadcast measures Broadcast, or AfterAnswers when afterAnswers is set.
func broadcast(ctx context.Context, n, events int, afterAnswers bool) (BroadcastResult, error) {
	res := BroadcastResult{Streams: n, Events: events, AfterAnswers: afterAnswers}
	c, err := child()
	if err != nil {
		return res, err
	}
	defer c.Stop()
	time.Sleep(500 * time.Millisecond)
	idle, err := proc.Read(c.Pid())
	if err != nil {
		return res, err
	}
	// Cancelled after the events' time, not given a deadline: the streams
	// carry none to the server, as the load test's players' do not.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer time.AfterFunc(time.Duration(events)*time.Second+5*time.Minute, cancel).Stop()
	var (
		// Each stream's receipts, written by its own goroutine only (no
		// lock the receivers would contend for): server time and arrival.
		got     = make([][][2]time.Time, n)
		ready   sync.WaitGroup
		done    sync.WaitGroup
		callers = make([]quizv1.QuizServiceClient, n) // each stream's connection
	)
	ready.Add(n)
	for i := range n {
		cc, client, err := dial(c.Addr)
		if err != nil {
			return res, err
		}
		defer cc.Close()
		callers[i] = client
		done.Add(1)
		go func() {
			defer done.Done()
			stream, err := client.Watch(ctx, &quizv1.WatchRequest{})
			if err != nil {
				ready.Done()
				return
			}
			first := true
			mine := make([][2]time.Time, 0, events)
			defer func() { got[i] = mine }()
			for len(mine) < events {
				resp, err := stream.Recv()
				now := time.Now()
				if first {
					ready.Done()
					first = false
				}
				if err != nil {
					return
				}
				ev := resp.GetEvent()
				if ev.GetSeq() <= 1 {
					continue // the stream's first message, or the warm-up
				}
				mine = append(mine, [2]time.Time{ev.GetServerTime().AsTime(), now})
			}
		}()
	}
	ready.Wait()
	time.Sleep(time.Second)
	connected, err := proc.Read(c.Pid())
	if err != nil {
		return res, err
	}
	cpu := proc.Sample(c.Pid(), SampleEvery)
	defer cpu.Stop()
	clients := proc.Sample(os.Getpid(), SampleEvery)
	defer clients.Stop()
	_, trigger, err := dial(c.Addr)
	if err != nil {
		return res, err
	}
	for i := range events + 1 {
		if afterAnswers && i > 0 {
			if err := answerAtOnce(ctx, callers); err != nil {
				return res, err
			}
		} else if _, err := trigger.StartGame(ctx, &quizv1.StartGameRequest{}); err != nil {
			return res, err
		}
		time.Sleep(time.Second)
	}
	done.Wait()
	after, err := proc.Read(c.Pid())
	if err != nil {
		return res, err
	}
	time.Sleep(2 * SampleEvery) // a sample after the last window
	var latencies []time.Duration
	windows := map[time.Time]time.Time{} // by server time: the last arrival
	for _, mine := range got {
		for _, r := range mine {
			latencies = append(latencies, r[1].Sub(r[0]))
			if r[1].After(windows[r[0]]) {
				windows[r[0]] = r[1]
			}
		}
	}
	for sent, last := range windows {
		w := [2]time.Time{sent, last}
		res.CPU += cpu.Between(w[0], w[1])
		res.ClientCPU += clients.Between(w[0], w[1])
	}
	res.Latency = bots.Summarize(latencies)
	res.IdleRSS, res.StreamsRSS, res.PeakRSS = idle.RSS, connected.RSS, after.PeakRSS
	return res, nil
}

// answerAtOnce makes every client call SubmitAnswer at the same moment and
// waits for the replies.
func answerAtOnce(ctx context.Context, clients []quizv1.QuizServiceClient) error {
	start := make(chan struct{})
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, client := range clients {
		wg.Go(func() {
			<-start
			cctx, cancel := context.WithTimeout(ctx, conn.DefaultTimeout) // as the players' calls
			defer cancel()
			_, errs[i] = client.SubmitAnswer(cctx, &quizv1.SubmitAnswerRequest{})
		})
	}
	time.Sleep(100 * time.Millisecond) // every goroutine waits at the start
	close(start)
	wg.Wait()
	return errors.Join(errs...)
}

// BurstResult is what Burst measured.
type BurstResult struct {
	Conns, Rounds int
	Window        time.Duration // summed over the rounds: first reply to last
	Calls         int
	RoundTrip     bots.Summary
	CPU           time.Duration // the server's, from each round's start to its last reply
}

// Rate is calls per second while the bursts came in.
func (r BurstResult) Rate() float64 { return float64(r.Calls) / r.Window.Seconds() }

// PerCall is the server's CPU time per call.
func (r BurstResult) PerCall() time.Duration { return proc.Per(r.CPU, int64(r.Calls)) }

func (r BurstResult) String() string {
	return fmt.Sprintf("no-op unary burst: %d connections calling at once, %d rounds: %.0f calls/s; round trip %v; server CPU %.1f µs per call",
		r.Conns, r.Rounds, r.Rate(), r.RoundTrip, proc.Micros(r.PerCall()))
}

// Burst makes n connections each call ListDecks at the same moment, rounds
// times, the way players answer a question: it measures the rate of one
// call per connection from many connections, which Unary's few busy
// connections do not.
func Burst(ctx context.Context, n, rounds int) (BurstResult, error) {
	res := BurstResult{Conns: n, Rounds: rounds}
	c, err := child()
	if err != nil {
		return res, err
	}
	defer c.Stop()
	clients := make([]quizv1.QuizServiceClient, n)
	for i := range clients {
		cc, client, err := dial(c.Addr)
		if err != nil {
			return res, err
		}
		defer cc.Close()
		if _, err := client.ListDecks(ctx, &quizv1.ListDecksRequest{}); err != nil {
			return res, err // connects
		}
		clients[i] = client
	}
	cpu := proc.Sample(c.Pid(), SampleEvery)
	defer cpu.Stop()
	var rtts []time.Duration
	var spans [][2]time.Time
	for range rounds {
		start := make(chan struct{})
		var (
			mu          sync.Mutex // guards first, last and rtts
			first, last time.Time
			wg          sync.WaitGroup
		)
		for _, client := range clients {
			wg.Go(func() {
				<-start
				// With the deadline the players' calls carry (conn.Call),
				// which the server keeps a timer for.
				cctx, cancel := context.WithTimeout(ctx, conn.DefaultTimeout)
				defer cancel()
				t0 := time.Now()
				_, err := client.ListDecks(cctx, &quizv1.ListDecksRequest{})
				t1 := time.Now()
				if err != nil {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if first.IsZero() || t1.Before(first) {
					first = t1
				}
				if t1.After(last) {
					last = t1
				}
				rtts = append(rtts, t1.Sub(t0))
				res.Calls++
			})
		}
		time.Sleep(100 * time.Millisecond) // every goroutine waits at the start
		t0 := time.Now()
		close(start)
		wg.Wait()
		res.Window += last.Sub(first)
		spans = append(spans, [2]time.Time{t0, last})
		time.Sleep(200 * time.Millisecond)
	}
	for _, w := range spans {
		res.CPU += cpu.Between(w[0], w[1])
	}
	res.RoundTrip = bots.Summarize(rtts)
	return res, nil
}
