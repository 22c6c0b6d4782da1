// Command ceiling measures the gRPC ceilings of this machine on their own:
// a no-op unary call and a no-op broadcast to N streams, each client on its
// own connection, the server in a child process.
//
//	go run ./bench/ceiling unary -conns 100 -duration 10s
//	go run ./bench/ceiling broadcast -n 1000 -events 10
//	go run ./bench/ceiling after-answers -n 1000 -events 10   (each event on the last of everyone's answers)
//	go run ./bench/ceiling burst -n 1000 -events 10   (events: rounds)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/quizroom/quizroom/bench/internal/noop"
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
		return errors.New("usage: ceiling unary|burst|broadcast|after-answers [flags]")
	}
	if args[0] == noop.ServeArg {
		return noop.Serve(ctx, out)
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	conns := fs.Int("conns", 100, "unary: client connections, one goroutine each")
	duration := fs.Duration("duration", 10*time.Second, "unary: how long to call")
	n := fs.Int("n", 1000, "broadcast, after-answers, burst: streams or connections")
	events := fs.Int("events", 10, "broadcast, after-answers: events to send, one a second; burst: rounds")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "unary":
		r, err := noop.Unary(ctx, *conns, *duration)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, r)
	case "burst":
		r, err := noop.Burst(ctx, *n, *events)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, r)
	case "broadcast":
		r, err := noop.Broadcast(ctx, *n, *events)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, r)
	case "after-answers":
		r, err := noop.AfterAnswers(ctx, *n, *events)
		if err != nil {
			return err
		}
		fmt.Fprintln(out, r)
	default:
		return fmt.Errorf("unknown mode %q: unary, burst, broadcast or after-answers", args[0])
	}
	return nil
}
