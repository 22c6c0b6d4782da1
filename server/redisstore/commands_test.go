package redisstore_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// TestOneRoundTripPerAnswer counts, with INFO commandstats, what N
// accepted answers, one after the other, cost Redis: exactly N calls
// (EVALSHA of the submit script), and the commands the script runs inside.
// (Concurrent answers share scripts: TestSubmitBatchScripts.)
func TestOneRoundTripPerAnswer(t *testing.T) {
	srv := redistest.StartProcess(t) // its own server: nothing else counts
	s := open(t, srv.URL(), 0)
	ctx := t.Context()
	q := game.Question{Kind: game.SingleChoice, Text: "?", Options: []string{"a", "b"}, Correct: []int{1}, TimeLimit: 20 * time.Second, Points: 1000}
	spec := &room.Spec{Code: room.NewCode(), Questions: []game.Question{q}, Settings: game.Settings{}.WithDefaults(1000), HostTokenHash: "h"}
	if err := s.CreateRoom(ctx, spec, 10); err != nil {
		t.Fatal(err)
	}
	const n = 200
	ids := make([]string, n)
	for i := range ids {
		p, err := s.Join(ctx, spec.Code, room.Join{Name: "P" + strconv.Itoa(i), NameKey: "p" + strconv.Itoa(i), TokenHash: strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = p.ID
	}
	if _, err := s.Advance(ctx, spec.Code, room.Transition{To: game.PhaseQuestion, Limit: q.TimeLimit}); err != nil {
		t.Fatal(err)
	}
	// The first call loads the script (NOSCRIPT, then EVAL): leave it out.
	sub := func(id string) room.Submission {
		a := game.Answer{Choices: []int{1}}
		return room.Submission{PlayerID: id, Answer: a, Grade: q.Grade(a), Kind: q.Kind, Points: q.Points, Limit: q.TimeLimit,
			PrevScored: -1, Scoring: spec.Settings.Scoring, Grace: time.Second}
	}
	if _, err := s.Submit(ctx, spec.Code, sub(ids[0])); err != nil {
		t.Fatal(err)
	}
	srv.ResetCommandStats(t)
	for _, id := range ids[1:] {
		if _, err := s.Submit(ctx, spec.Code, sub(id)); err != nil {
			t.Fatal(err)
		}
	}
	calls := srv.CommandCalls(t)
	answers := n - 1
	total := 0
	for _, c := range calls {
		total += c
	}
	if calls["evalsha"] != answers || calls["eval"] != 0 {
		t.Errorf("%d answers made %d EVALSHA and %d EVAL calls; want one EVALSHA each", answers, calls["evalsha"], calls["eval"])
	}
	t.Logf("%d accepted answers: %d round trips (EVALSHA), %d commands in all, %.1f per answer inside the script: %v",
		answers, calls["evalsha"], total, float64(total-calls["evalsha"])/float64(answers), calls)
}
