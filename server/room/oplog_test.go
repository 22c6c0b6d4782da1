package room_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/room"
)

// syncBuffer is a bytes.Buffer safe for the engine's goroutines.
type syncBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records are the JSON log lines written so far, by message.
func (b *syncBuffer) records(t *testing.T) map[string]map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[string]map[string]any{}
	for _, line := range bytes.Split(bytes.TrimSpace(b.buf.Bytes()), []byte("\n")) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out[rec["msg"].(string)] = rec
	}
	return out
}

// TestLogsWhatAnOperatorWants plays a short game and checks the info logs
// of its creation, start and finish, with their counts.
func TestLogsWhatAnOperatorWants(t *testing.T) {
	var logs syncBuffer
	e, err := room.New(room.Config{
		Store: memstore.New(memstore.Config{}), Encoder: seqEncoder{},
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	spec, _, err := e.Create(ctx, room.Source{DeckID: "aws-compute"}, game.Settings{QuestionCount: 3})
	if err != nil {
		t.Fatal(err)
	}
	var ann room.Player
	for _, name := range []string{"Ann", "Bob"} {
		p, _, _, err := e.Join(ctx, spec.Code, name)
		if err != nil {
			t.Fatal(err)
		}
		if name == "Ann" {
			ann = p
		}
	}
	if _, err := e.Start(ctx, spec.Code, hostID); err != nil {
		t.Fatal(err)
	}
	who := room.Identity{Role: room.PlayerRole, PlayerID: ann.ID, Name: ann.Name}
	if _, err := e.Submit(ctx, spec.Code, who, 0, anyAnswer(&spec.Questions[0])); err != nil {
		t.Fatal(err)
	}
	if _, err := e.End(ctx, spec.Code, hostID); err != nil {
		t.Fatal(err)
	}

	recs := logs.records(t)
	want := map[string]map[string]any{
		"room created":  {"room": spec.Code, "deck": "aws-compute", "questions": 3.0},
		"game started":  {"room": spec.Code, "players": 2.0, "questions": 3.0},
		"game finished": {"room": spec.Code, "players": 2.0, "questions": 1.0, "answers": 1.0},
	}
	for msg, attrs := range want {
		rec, ok := recs[msg]
		if !ok {
			t.Errorf("no %q in the log:\n%s", msg, logs.buf.String())
			continue
		}
		if rec["level"] != "INFO" {
			t.Errorf("%q logged at %v, want INFO", msg, rec["level"])
		}
		for k, v := range attrs {
			if rec[k] != v {
				t.Errorf("%q: %s = %v, want %v", msg, k, rec[k], v)
			}
		}
	}
}
