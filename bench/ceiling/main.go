// Command ceiling measures what this machine can do with gRPC alone, the
// ceilings the Quizroom benchmarks are compared with: a no-op unary call
// and a no-op broadcast to N streams, each client on its own connection,
// the server in a child process.
//
//	go run ./bench/ceiling unary -conns 100 -duration 10s
//	go run ./bench/ceiling broadcast -n 1000 -events 10
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/quizroom/quizroom/bench/internal/proc"
	"github.com/quizroom/quizroom/bench/internal/stats"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: ceiling serve|unary|broadcast [flags]")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	conns := fs.Int("conns", 100, "unary: client connections, one goroutine each")
	duration := fs.Duration("duration", 10*time.Second, "unary: how long to call")
	n := fs.Int("n", 1000, "broadcast: streams, each on its own connection")
	events := fs.Int("events", 10, "broadcast: events to send, one a second")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "serve":
		return serve(ctx, out)
	case "unary":
		return unary(ctx, *conns, *duration, out)
	case "broadcast":
		return broadcast(ctx, *n, *events, out)
	}
	return fmt.Errorf("unknown mode %q: serve, unary or broadcast", args[0])
}

// noop is a QuizService that does nothing: ListDecks returns an empty list,
// Watch holds the stream and StartGame sends an event to every stream.
type noop struct {
	quizv1.UnimplementedQuizServiceServer
	mu      sync.Mutex // guards streams and seq
	streams map[chan *quizv1.WatchResponse]struct{}
	seq     uint64
}

func (s *noop) ListDecks(context.Context, *quizv1.ListDecksRequest) (*quizv1.ListDecksResponse, error) {
	return &quizv1.ListDecksResponse{}, nil
}

func (s *noop) Watch(_ *quizv1.WatchRequest, stream grpc.ServerStreamingServer[quizv1.WatchResponse]) error {
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

func (s *noop) StartGame(context.Context, *quizv1.StartGameRequest) (*quizv1.StartGameResponse, error) {
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

// serve runs the no-op server until ctx ends; its first line is its address.
func serve(ctx context.Context, out io.Writer) error {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := grpc.NewServer()
	quizv1.RegisterQuizServiceServer(srv, &noop{streams: map[chan *quizv1.WatchResponse]struct{}{}})
	fmt.Fprintln(out, "listening", lis.Addr())
	go func() { <-ctx.Done(); srv.Stop() }()
	return srv.Serve(lis)
}

// child starts this program as the no-op server.
func child() (*proc.Child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	return proc.Start(self, []string{"serve"}, nil, "listening ")
}

func dial(addr string) (*grpc.ClientConn, quizv1.QuizServiceClient, error) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, nil, err
	}
	return conn, quizv1.NewQuizServiceClient(conn), nil
}

// unary calls ListDecks from conns connections for d and prints the rate.
func unary(ctx context.Context, conns int, d time.Duration, out io.Writer) error {
	c, err := child()
	if err != nil {
		return err
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
			return err
		}
		defer conn.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if _, err := client.ListDecks(ctx, &quizv1.ListDecksRequest{}); err != nil {
					if c := status.Code(err); c != codes.DeadlineExceeded && c != codes.Canceled {
						failures.Add(1)
					}
					continue
				}
				calls.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	fmt.Fprintf(out, "no-op unary: %d calls in %.1f s from %d connections: %.0f calls/s (%d failures)\n",
		calls.Load(), elapsed.Seconds(), conns, float64(calls.Load())/elapsed.Seconds(), failures.Load())
	return nil
}

// broadcast opens n streams, sends events to all and prints the delivery
// latency (arrival minus the event's server time) and the server's memory
// per stream.
func broadcast(ctx context.Context, n, events int, out io.Writer) error {
	c, err := child()
	if err != nil {
		return err
	}
	defer c.Stop()
	time.Sleep(500 * time.Millisecond)
	before, err := proc.Read(c.Pid())
	if err != nil {
		return err
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
			return err
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
		return err
	}
	_, trigger, err := dial(c.Addr)
	if err != nil {
		return err
	}
	for range events {
		if _, err := trigger.StartGame(ctx, &quizv1.StartGameRequest{}); err != nil {
			return err
		}
		time.Sleep(time.Second)
	}
	done.Wait()
	after, err := proc.Read(c.Pid())
	if err != nil {
		return err
	}
	s := stats.Summarize(latencies)
	fmt.Fprintf(out, "no-op broadcast to %d streams, %d events: %v; server RSS %.1f MiB idle, %.1f MiB with the streams (%.1f KiB per stream), peak %.1f MiB; server CPU %.2f s\n",
		n, events, s, mib(before.RSS), mib(connected.RSS), float64(connected.RSS-before.RSS)/1024/float64(n), mib(after.PeakRSS), (after.CPU - before.CPU).Seconds())
	return nil
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
