package interop_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/servertest"
)

// TestQuickStarts runs the Python and Node quick starts of proto/README.md
// as two players of one AUTO-paced game against a real server: each joins,
// answers every question and prints its final place.
func TestQuickStarts(t *testing.T) {
	pyBin, nodeBin := python(t), node(t)
	stubs := pythonStubs(t)
	srv := servertest.Start(t, servertest.Options{})
	cl := srv.Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	up, err := cl.UploadDeck(ctx, &quizv1.UploadDeckRequest{Source: deck})
	if err != nil {
		t.Fatal(err)
	}
	created, err := cl.CreateRoom(ctx, &quizv1.CreateRoomRequest{
		Source: &quizv1.CreateRoomRequest_DeckId{DeckId: up.GetDeck().GetId()},
		Settings: &quizv1.RoomSettings{
			Pacing: quizv1.PacingMode_PACING_MODE_AUTO, TimeLimit: durationpb.New(10 * time.Second),
			ReadTime: durationpb.New(time.Second), RevealTime: durationpb.New(time.Second),
			LeaderboardTime: durationpb.New(time.Second),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	code := created.GetRoom().GetCode()
	root := repoRoot(t)

	py := exec.CommandContext(ctx, pyBin, filepath.Join(root, "interop", "python", "quiz_client.py"), code, "Py", srv.Addr)
	py.Env = append(os.Environ(), "PYTHONPATH="+stubs)
	js := exec.CommandContext(ctx, nodeBin, filepath.Join(root, "interop", "node", "quiz-client.js"), code, "Node", srv.Addr)
	var pyOut, jsOut bytes.Buffer
	py.Stdout, py.Stderr = &pyOut, &pyOut
	js.Stdout, js.Stderr = &jsOut, &jsOut
	for _, c := range []*exec.Cmd{py, js} {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	// Start once both watch: a question closes early when every player
	// watching has answered, and neither should miss one.
	for srv.Engine.Stats().Watchers < 2 {
		if ctx.Err() != nil {
			t.Fatalf("the quick starts did not both watch the room:\n%s\n%s", &pyOut, &jsOut)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := cl.StartGame(servertest.WithToken(ctx, created.GetHostToken()), &quizv1.StartGameRequest{RoomCode: code}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*exec.Cmd{"python": py, "node": js} {
		out := &pyOut
		if name == "node" {
			out = &jsOut
		}
		if err := c.Wait(); err != nil {
			t.Errorf("the %s quick start failed: %v\n%s", name, err, out)
			continue
		}
		text := out.String()
		t.Logf("%s quick start:\n%s", name, text)
		if strings.Count(text, "question ") != 5 || strings.Contains(text, "refused") || !strings.Contains(text, "final place ") || !strings.Contains(text, " of 2 with ") {
			t.Errorf("the %s quick start did not answer 5 questions and finish:\n%s", name, text)
		}
	}
}
