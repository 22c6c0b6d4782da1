package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"google.golang.org/grpc/codes"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/api"
	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/room"
	"github.com/quizroom/quizroom/server/servertest"
)

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// lines decodes the JSON log lines written so far.
func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		m := map[string]any{}
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// brokenState is a store whose State fails with an error of no known kind:
// a bug, as far as the server can tell.
type brokenState struct{ room.Store }

func (brokenState) State(context.Context, string) (*room.State, error) {
	return nil, errors.New("state went wrong")
}

// TestLogCalls checks that every call's end is logged with its method,
// room and code, and that an internal error's log line says which call and
// room it broke.
func TestLogCalls(t *testing.T) {
	var buf syncBuffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := servertest.Start(t, servertest.Options{
		Store:         brokenState{memstore.New(memstore.Config{})},
		Engine:        room.Config{Logger: log},
		API:           api.Config{Logger: log},
		ServerOptions: api.LogCalls(log),
	})
	cl := srv.Client(t)
	_, err := cl.GetRoom(ctx(t), &quizv1.GetRoomRequest{RoomCode: "ZZZZZZ"})
	wantCode(t, err, codes.NotFound, "GetRoom of no room")
	resp, err := cl.CreateRoom(ctx(t), &quizv1.CreateRoomRequest{Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"}})
	if err != nil {
		t.Fatal(err)
	}
	code := resp.GetRoom().GetCode()
	_, err = cl.GetRoom(ctx(t), &quizv1.GetRoomRequest{RoomCode: code})
	wantCode(t, err, codes.Internal, "GetRoom on a broken store")
	stream, err := cl.Watch(ctx(t), &quizv1.WatchRequest{RoomCode: code})
	if err != nil {
		t.Fatal(err)
	}
	_, err = stream.Recv()
	wantCode(t, err, codes.Internal, "Watch on a broken store")

	want := []struct{ msg, level, method, room, code string }{
		{"call", "DEBUG", "/quiz.v1.QuizService/GetRoom", "ZZZZZZ", "NotFound"},
		{"internal error", "ERROR", "/quiz.v1.QuizService/GetRoom", code, ""},
		{"call", "ERROR", "/quiz.v1.QuizService/GetRoom", code, "Internal"},
		{"internal error", "ERROR", "/quiz.v1.QuizService/Watch", code, ""},
		{"call", "ERROR", "/quiz.v1.QuizService/Watch", code, "Internal"},
	}
	lines := buf.lines(t)
	for _, w := range want {
		found := false
		for _, l := range lines {
			if l["msg"] == w.msg && l["level"] == w.level && l["method"] == w.method && l["room"] == w.room && (w.code == "" || l["code"] == w.code) {
				found = true
			}
		}
		if !found {
			t.Errorf("no log line %+v in\n%v", w, lines)
		}
	}
}
