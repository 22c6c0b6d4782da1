package cli

import (
	"context"
	"sync"
	"testing"

	"google.golang.org/grpc"

	"github.com/quizroom/quizroom/client/conn"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/servertest"
)

// heldReports holds every GetReport call until release is closed, and
// counts them.
type heldReports struct {
	release chan struct{}
	mu      sync.Mutex // guards calls
	calls   int
}

func (h *heldReports) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if info.FullMethod == quizv1.QuizService_GetReport_FullMethodName {
		h.mu.Lock()
		h.calls++
		h.mu.Unlock()
		select {
		case <-h.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return handler(ctx, req)
}

// TestReportKeptInTheBackground holds the server's answer to the report
// fetched after a reveal: the hook returns at once (the host's screen never
// waits on it), reveals during the fetch make one more fetch for the
// newest of them, and the report is kept once the server answers.
func TestReportKeptInTheBackground(t *testing.T) {
	held := &heldReports{release: make(chan struct{})}
	srv := servertest.Start(t, servertest.Options{ServerOptions: []grpc.ServerOption{grpc.ChainUnaryInterceptor(held.intercept)}})
	c, err := conn.Dial(conn.Config{Addr: srv.Addr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	resp, err := c.API.CreateRoom(ctx, &quizv1.CreateRoomRequest{Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"}})
	if err != nil {
		t.Fatal(err)
	}
	kept := &lastReport{host: c.WithToken(resp.GetHostToken()), code: resp.GetRoom().GetCode()}
	on := kept.on(ctx)
	reveal := &quizv1.Event{Payload: &quizv1.Event_QuestionRevealed{QuestionRevealed: &quizv1.QuestionRevealed{}}}
	for range 3 {
		on(reveal) // returns while the fetch is held
	}
	close(held.release)
	if rep := kept.last(); rep.GetRoom().GetCode() != resp.GetRoom().GetCode() {
		t.Errorf("the report kept is %v, want room %s's", rep, resp.GetRoom().GetCode())
	}
	held.mu.Lock()
	defer held.mu.Unlock()
	if held.calls != 2 {
		t.Errorf("%d reports fetched for 3 reveals during a fetch, want 2: the first, then one for the newest", held.calls)
	}
}
