package webserve_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"connectrpc.com/connect"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/servertest"
)

func TestWatchOverConnect(t *testing.T) {
	s := servertest.Start(t, servertest.Options{Web: true})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	created, err := s.Client(t).CreateRoom(ctx, &quizv1.CreateRoomRequest{Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, opt := range []connect.ClientOption{connect.WithProtoJSON(), connect.WithGRPCWeb(), nil} {
		var opts []connect.ClientOption
		if opt != nil {
			opts = append(opts, opt)
		}
		watch := connect.NewClient[quizv1.WatchRequest, quizv1.WatchResponse](http.DefaultClient, s.WebURL+"quiz.v1.QuizService/Watch", opts...)
		req := connect.NewRequest(&quizv1.WatchRequest{RoomCode: created.GetRoom().GetCode()})
		_ = created.GetHostToken()
		sctx, scancel := context.WithCancel(ctx)
		st, err := watch.CallServerStream(sctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Receive() {
			t.Fatalf("%v: no event: %v", opt, st.Err())
		}
		t.Logf("%v: %v", opt, st.Msg().GetEvent().GetSnapshot().GetRoom().GetCode())
		scancel()
		_ = st.Close()
	}
}
