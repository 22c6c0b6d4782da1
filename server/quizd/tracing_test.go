package quizd

import (
	"context"
	"encoding/hex"
	"net"
	"sync"
	"testing"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/durationpb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/redistest"
)

// collector is an OTLP trace collector that keeps every span it gets.
type collector struct {
	collectortrace.UnimplementedTraceServiceServer
	mu    sync.Mutex // guards spans
	spans []*tracepb.Span
}

func (c *collector) Export(_ context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			c.spans = append(c.spans, ss.GetSpans()...)
		}
	}
	return &collectortrace.ExportTraceServiceResponse{}, nil
}

// TestTracingFollowsAnAnswer runs the server with -otel-endpoint against a
// collector of the test's own and answers a question inside a trace of the
// client's: the collector gets the SubmitAnswer call in that trace, and
// the Redis script it ran as its child.
func TestTracingFollowsAnAnswer(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	col := &collector{}
	cs := grpc.NewServer()
	collectortrace.RegisterTraceServiceServer(cs, col)
	served := make(chan struct{})
	go func() { _ = cs.Serve(lis); close(served) }()
	defer func() { cs.Stop(); <-served }()

	srv := redistest.StartProcess(t, "--appendonly", "yes")
	r := startRun(t, []string{"-otel-endpoint", "http://" + lis.Addr().String()},
		map[string]string{"QUIZ_LISTEN": "127.0.0.1:0", "QUIZ_REDIS_URL": srv.URL(), "QUIZ_REDIS_PREFIX": "trace:"})
	conn, err := grpc.NewClient(r.grpc, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cl := quizv1.NewQuizServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	created, err := cl.CreateRoom(ctx, &quizv1.CreateRoomRequest{Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"},
		Settings: &quizv1.RoomSettings{ReadTime: durationpb.New(0)}})
	if err != nil {
		t.Fatal(err)
	}
	code := created.GetRoom().GetCode()
	joined, err := cl.JoinRoom(ctx, &quizv1.JoinRoomRequest{RoomCode: code, Name: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	host := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+created.GetHostToken())
	if _, err := cl.StartGame(host, &quizv1.StartGameRequest{RoomCode: code}); err != nil {
		t.Fatal(err)
	}
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	answer := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+joined.GetPlayerToken(),
		"traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
	// The first question takes choices or text: one of the two is accepted.
	_, err = cl.SubmitAnswer(answer, &quizv1.SubmitAnswerRequest{RoomCode: code, Answer: &quizv1.Answer{Choices: []int32{0}}})
	if err != nil {
		_, err = cl.SubmitAnswer(answer, &quizv1.SubmitAnswerRequest{RoomCode: code, Answer: &quizv1.Answer{Text: "EC2"}})
	}
	if err != nil {
		t.Fatalf("SubmitAnswer: %v", err)
	}
	if err := r.stop(); err != nil { // the shutdown sends the spans
		t.Fatal(err)
	}
	col.mu.Lock()
	defer col.mu.Unlock()
	var call *tracepb.Span
	for _, s := range col.spans {
		if hex.EncodeToString(s.GetTraceId()) == traceID && s.GetName() == "quiz.v1.QuizService/SubmitAnswer" {
			call = s
		}
	}
	if call == nil {
		t.Fatalf("no SubmitAnswer span in the client's trace among %d spans", len(col.spans))
	}
	for _, s := range col.spans {
		if string(s.GetParentSpanId()) == string(call.GetSpanId()) && s.GetName() == "evalsha" {
			return
		}
	}
	t.Errorf("no Redis evalsha span under the SubmitAnswer span")
}
