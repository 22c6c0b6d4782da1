package redisstore_test

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// TestAdvanceBoard checks Transition.Board: a reveal, a leaderboard and the
// finish that ask for it return the scoreboard a read right after them
// finds (standings, and the reveal's results), some players having
// answered and some not, one having left; a move that does not ask
// returns none.
func TestAdvanceBoard(t *testing.T) {
	s := open(t, redistest.Start(t).URL(), 0)
	ctx := t.Context()
	q := game.Question{Kind: game.SingleChoice, Text: "?", Options: []string{"a", "b"}, Correct: []int{1}, TimeLimit: 20 * time.Second, Points: 1000}
	spec := &room.Spec{Code: room.NewCode(), Questions: []game.Question{q, q}, Settings: game.Settings{}.WithDefaults(10), HostTokenHash: "h"}
	if err := s.CreateRoom(ctx, spec, 10); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 5 {
		p, err := s.Join(ctx, spec.Code, room.Join{Name: "P" + strconv.Itoa(i), NameKey: "p" + strconv.Itoa(i), TokenHash: strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	if err := s.Leave(ctx, spec.Code, ids[4]); err != nil {
		t.Fatal(err)
	}
	version := int64(0)
	move := func(tr room.Transition) *room.State {
		t.Helper()
		tr.Version = version
		st, err := s.Advance(ctx, spec.Code, tr)
		if err != nil {
			t.Fatalf("Advance to %v: %v", tr.To, err)
		}
		version = st.Version
		return st
	}
	check := func(what string, st *room.State, q int) {
		t.Helper()
		if st.Board == nil {
			t.Fatalf("%s with Board: no board", what)
		}
		want, err := s.Scoreboard(ctx, spec.Code, q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(st.Board.Standings, want.Standings) || len(st.Board.Results) != len(want.Results) {
			t.Errorf("%s: board %+v; a read right after: %+v", what, st.Board, want)
		}
		for id, r := range want.Results {
			if !reflect.DeepEqual(st.Board.Results[id], r) {
				t.Errorf("%s: result of %s %+v, a read right after: %+v", what, id, st.Board.Results[id], r)
			}
		}
	}
	move(room.Transition{To: game.PhaseQuestion, Limit: q.TimeLimit})
	for i, id := range ids[:3] {
		a := game.Answer{Choices: []int{i % 2}}
		if _, err := s.Submit(ctx, spec.Code, room.Submission{PlayerID: id, Answer: a, Grade: q.Grade(a), Kind: q.Kind, Points: q.Points, Limit: q.TimeLimit, PrevScored: -1, Scoring: spec.Settings.Scoring, Grace: time.Second}); err != nil {
			t.Fatal(err)
		}
	}
	check("a reveal", move(room.Transition{To: game.PhaseReveal, Options: 2, Board: true}), 0)
	check("a leaderboard", move(room.Transition{To: game.PhaseLeaderboard, Board: true}), -1)
	if st := move(room.Transition{To: game.PhaseQuestion, Q: 1, Limit: q.TimeLimit}); st.Board != nil {
		t.Errorf("a move without Board: board %+v, want none", st.Board)
	}
	check("the finish", move(room.Transition{To: game.PhaseFinished, Retain: time.Hour, Board: true}), -1)
}
