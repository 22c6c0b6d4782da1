package api_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/room"
	"github.com/quizroom/quizroom/server/servertest"
)

// TestStuckReaderIsLetGo opens a stream whose client never reads: once its
// flow-control window and the server's write quota are full, the server's
// send blocks. The server must still end the stream when the watcher falls
// behind its queue, rather than hold it and its goroutines until the
// client leaves, and drop the client's connection, which holds what the
// client never read; when the client reads at last, it gets what was sent
// and then Unavailable, which tells it to resume with after_seq.
func TestStuckReaderIsLetGo(t *testing.T) {
	ended := make(chan error, 1)
	watchEnded := grpc.ChainStreamInterceptor(func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		err := h(srv, ss)
		if info.FullMethod == quizv1.QuizService_Watch_FullMethodName {
			ended <- err
		}
		return err
	})
	e := newEnv(t, servertest.Options{ServerOptions: []grpc.ServerOption{watchEnded}})
	r := e.create(t, nil)
	// A fixed window: no bandwidth estimate lets it grow.
	conn, err := grpc.NewClient(e.srv.Addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithInitialWindowSize(64<<10), grpc.WithInitialConnWindowSize(64<<10))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	sctx, cancel := context.WithCancel(as(context.Background(), r.host))
	defer cancel()
	stream, err := quizv1.NewQuizServiceClient(conn).Watch(sctx, &quizv1.WatchRequest{RoomCode: r.code})
	if err != nil {
		t.Fatal(err)
	}
	// Lock and unlock the lobby (through the engine: fast) until the server
	// lets the stream go: a few thousand events fill the window.
	host := room.Identity{Role: room.Host}
	var handlerErr error
	for i := 0; handlerErr == nil; i++ {
		select {
		case handlerErr = <-ended:
			t.Logf("the server let the stuck stream go after %d events", i)
			continue
		default:
		}
		if i == 20000 {
			t.Fatal("20,000 events later the server still holds the stream of a client that reads nothing")
		}
		if _, err := e.srv.Engine.Lock(ctx(t), r.code, host, i%2 == 0); err != nil {
			t.Fatal(err)
		}
		if i%16 == 0 {
			time.Sleep(time.Millisecond) // the sender keeps up until the window is full
		}
	}
	wantCode(t, handlerErr, codes.ResourceExhausted, "the stuck stream's end on the server")
	// The server dropped the connection: what the client reads at last ends
	// with Unavailable, which tells it to resume. On a loaded machine the
	// server's sender may fall 64 events behind before the window is full:
	// its send was not stuck, so the stream's own status gets through
	// instead, ResourceExhausted, which says to resume with after_seq too.
	for {
		if _, err := stream.Recv(); err != nil {
			if status.Code(err) != codes.ResourceExhausted {
				wantCode(t, err, codes.Unavailable, "the stuck client's stream, read at last")
			}
			break
		}
	}
}
