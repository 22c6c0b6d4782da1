// Package noop measures what this machine can do with gRPC alone, the
// ceilings the Quizroom benchmarks are compared with: a no-op unary call and
// a no-op broadcast to N streams, each client on its own connection, the
// server in a child process (the calling program run with ServeArg).
package noop

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/quizroom/quizroom/bench/internal/proc"
	"github.com/quizroom/quizroom/client/bots"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// ServeArg is the argument that makes a program using this package serve
// the no-op server (call Serve) instead of measuring.
const ServeArg = "noop-serve"

// server is a QuizService that does nothing: ListDecks returns an empty
// list, Watch holds the stream and StartGame sends an event to every stream,
// each through its own bounded queue and sender, like a real server would.
type server struct {
	quizv1.UnimplementedQuizServiceServer
	mu      sync.Mutex // guards streams and seq
	streams map[chan *quizv1.WatchResponse]struct{}
	seq     uint64
}

func (s *server) ListDecks(context.Context, *quizv1.ListDecksRequest) (*quizv1.ListDecksResponse, error) {
	return &quizv1.ListDecksResponse{}, nil
}

func (s *server) Watch(_ *quizv1.WatchRequest, stream grpc.ServerStreamingServer[quizv1.WatchResponse]) error {
	ch := make(chan *quizv1.WatchResponse, 64)
	s.mu.Lock()
	s.streams[ch] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.streams, ch)
		s.mu.Unlock()
	}()
	if err := stream.Send(&quizv1.WatchResponse{Event: &quizv1.Event{ServerTime: timestamppb.Now()}}); err != nil {
		return err
	}
	for {
		select {
		case ev := <-ch:
			if err := stream.Send(ev); err != nil {
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
	s.seq++
	ev := &quizv1.WatchResponse{Event: &quizv1.Event{Seq: s.seq, ServerTime: timestamppb.Now()}}
	for ch := range s.streams {
		select {
		case ch <- ev:
		default:
		}
	}
	return &quizv1.StartGameResponse{Seq: s.seq}, nil
}

// Serve runs the no-op server until ctx ends; its first line is
// "listening <addr>".
func Serve(ctx context.Context, out io.Writer) error {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := grpc.NewServer()
	quizv1.RegisterQuizServiceServer(srv, &server{streams: map[chan *quizv1.WatchResponse]struct{}{}})
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

func dial(addr string) (*grpc.ClientConn, quizv1.QuizServiceClient, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, nil, err
	}
	return conn, quizv1.NewQuizServiceClient(conn), nil
}

// UnaryResult is what Unary measured.
type UnaryResult struct {
	Calls, Failures int64
	Elapsed         time.Duration
	Conns           int
}

// Rate is calls per second.
func (r UnaryResult) Rate() float64 { return float64(r.Calls) / r.Elapsed.Seconds() }

func (r UnaryResult) String() string {
	return fmt.Sprintf("no-op unary: %d calls in %.1f s from %d connections: %.0f calls/s (%d failures)",
		r.Calls, r.Elapsed.Seconds(), r.Conns, r.Rate(), r.Failures)
}

// Unary calls ListDecks from conns connections, one goroutine each, for d.
func Unary(ctx context.Context, conns int, d time.Duration) (UnaryResult, error) {
	c, err := child()
	if err != nil {
		return UnaryResult{}, err
	}
	defer c.Stop()
	var calls, failures atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for range conns {
		conn, client, err := dial(c.Addr)
		if err != nil {
			return UnaryResult{}, err
		}
		defer conn.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := client.ListDecks(ctx, &quizv1.ListDecksRequest{}); err != nil {
					if code := status.Code(err); code != codes.DeadlineExceeded && code != codes.Canceled {
						failures.Add(1)
					}
					continue
				}
				calls.Add(1)
			}
		}()
	}
	wg.Wait()
	return UnaryResult{Calls: calls.Load(), Failures: failures.Load(), Elapsed: time.Since(start), Conns: conns}, nil
}

// BroadcastResult is what Broadcast measured.
type BroadcastResult struct {
	Streams, Events int
	Latency         bots.Summary // arrival minus the event's server time
	IdleRSS         int64        // server RSS before the streams
	StreamsRSS      int64        // server RSS with the streams open
	PeakRSS         int64
	CPU             time.Duration // server CPU while the streams were served
}

// PerStream is the server's resident memory per open stream, in bytes.
func (r BroadcastResult) PerStream() float64 {
	return float64(r.StreamsRSS-r.IdleRSS) / float64(r.Streams)
}

func (r BroadcastResult) String() string {
	return fmt.Sprintf("no-op broadcast to %d streams, %d events: %v; server RSS %.1f KiB per stream, peak %.1f MiB; server CPU %.2f s",
		r.Streams, r.Events, r.Latency, r.PerStream()/1024, float64(r.PeakRSS)/(1<<20), r.CPU.Seconds())
}

// Broadcast opens n streams, each on its own connection, sends events to
// all of them, one a second, and measures their delivery.
func Broadcast(ctx context.Context, n, events int) (BroadcastResult, error) {
	res := BroadcastResult{Streams: n, Events: events}
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
	ctx, cancel := context.WithTimeout(ctx, time.Duration(events)*time.Second+5*time.Minute)
	defer cancel()
	var (
		mu        sync.Mutex // guards latencies
		latencies []time.Duration
		ready     sync.WaitGroup
		done      sync.WaitGroup
	)
	ready.Add(n)
	for range n {
		conn, client, err := dial(c.Addr)
		if err != nil {
			return res, err
		}
		defer conn.Close()
		done.Add(1)
		go func() {
			defer done.Done()
			stream, err := client.Watch(ctx, &quizv1.WatchRequest{})
			if err != nil {
				ready.Done()
				return
			}
			first := true
			for got := 0; got < events; {
				resp, err := stream.Recv()
				if first {
					ready.Done()
					first = false
				}
				if err != nil {
					return
				}
				if resp.GetEvent().GetSeq() == 0 {
					continue
				}
				d := time.Since(resp.GetEvent().GetServerTime().AsTime())
				mu.Lock()
				latencies = append(latencies, d)
				mu.Unlock()
				got++
			}
		}()
	}
	ready.Wait()
	time.Sleep(time.Second)
	connected, err := proc.Read(c.Pid())
	if err != nil {
		return res, err
	}
	_, trigger, err := dial(c.Addr)
	if err != nil {
		return res, err
	}
	for range events {
		if _, err := trigger.StartGame(ctx, &quizv1.StartGameRequest{}); err != nil {
			return res, err
		}
		time.Sleep(time.Second)
	}
	done.Wait()
	after, err := proc.Read(c.Pid())
	if err != nil {
		return res, err
	}
	res.Latency = bots.Summarize(latencies)
	res.IdleRSS, res.StreamsRSS, res.PeakRSS = idle.RSS, connected.RSS, after.PeakRSS
	res.CPU = after.CPU - connected.CPU
	return res, nil
}

// BurstResult is what Burst measured.
type BurstResult struct {
	Conns, Rounds int
	Window        time.Duration // summed over the rounds: first reply to last
	Calls         int
	RoundTrip     bots.Summary
}

// Rate is calls per second while the bursts came in.
func (r BurstResult) Rate() float64 { return float64(r.Calls) / r.Window.Seconds() }

func (r BurstResult) String() string {
	return fmt.Sprintf("no-op unary burst: %d connections calling at once, %d rounds: %.0f calls/s; round trip %v",
		r.Conns, r.Rounds, r.Rate(), r.RoundTrip)
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
		conn, client, err := dial(c.Addr)
		if err != nil {
			return res, err
		}
		defer conn.Close()
		if _, err := client.ListDecks(ctx, &quizv1.ListDecksRequest{}); err != nil {
			return res, err // connects
		}
		clients[i] = client
	}
	var rtts []time.Duration
	for range rounds {
		start := make(chan struct{})
		var (
			mu          sync.Mutex // guards first, last and rtts
			first, last time.Time
			wg          sync.WaitGroup
		)
		for _, client := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				t0 := time.Now()
				_, err := client.ListDecks(ctx, &quizv1.ListDecksRequest{})
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
			}()
		}
		time.Sleep(100 * time.Millisecond) // every goroutine waits at the start
		close(start)
		wg.Wait()
		res.Window += last.Sub(first)
		time.Sleep(200 * time.Millisecond)
	}
	res.RoundTrip = bots.Summarize(rtts)
	return res, nil
}
