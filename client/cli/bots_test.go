package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/servertest"
)

// TestBots drives 200 bots through a 5-question game that the test hosts
// through the API, with auto pacing and short times.
func TestBots(t *testing.T) {
	if testing.Short() {
		t.Skip("200 players: not in -short")
	}
	const n = 200
	srv := servertest.Start(t, servertest.Options{})
	api := srv.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	created, err := api.CreateRoom(ctx, &quizv1.CreateRoomRequest{
		Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"},
		Settings: &quizv1.RoomSettings{
			QuestionCount: 5, Pacing: quizv1.PacingMode_PACING_MODE_AUTO,
			TimeLimit: durationpb.New(5 * time.Second), ReadTime: durationpb.New(0), RevealTime: durationpb.New(time.Second),
			LeaderboardTime: durationpb.New(time.Second),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	code := created.GetRoom().GetCode()
	bots := start(t, "bots", srv.Addr, "bots", code, "--n", "200", "--think", "500ms", "--join-rate", "0", "--answers", "aws-compute", "--timeout", "2m")

	// Start once every bot has joined.
	for {
		resp, err := api.GetRoom(ctx, &quizv1.GetRoomRequest{RoomCode: code})
		if err != nil {
			t.Fatal(err)
		}
		if resp.GetRoom().GetPlayerCount() == n {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d of %d bots joined", resp.GetRoom().GetPlayerCount(), n)
		case <-time.After(50 * time.Millisecond):
		}
	}
	host := metadataToken(ctx, created.GetHostToken())
	if _, err := api.StartGame(host, &quizv1.StartGameRequest{RoomCode: code}); err != nil {
		t.Fatal(err)
	}
	if err := bots.wait(); err != nil {
		t.Fatalf("bots: %v\n%s%s", err, bots.out.String(), bots.err.String())
	}
	out := bots.out.String()
	for _, want := range []string{
		"bots: 200/200 joined",
		"latency question_opened: n=",
		"latency question_revealed: n=",
		"answers: ",
		"finished: 200 saw the end, 0 kicked",
		" 0 errors",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("bots output lacks %q:\n%s", want, out)
		}
	}
	t.Logf("200 bots:\n%s", out)
}
