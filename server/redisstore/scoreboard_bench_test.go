package redisstore_test

import (
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// BenchmarkScoreboard10k reads the scoreboard of a reveal in a room of
// 10,000 players who all answered: what every instance's hub reads before
// it can send anyone the reveal (one op is one read, decoded). It also
// reports how long the reveal step took, which scores every answer and
// comes before the read.
//
//	go test -run XXX -bench Scoreboard10k -benchmem ./server/redisstore/
func BenchmarkScoreboard10k(b *testing.B) {
	const players = 10000
	srv := redistest.StartProcess(b)
	s := openWith(b, redisstore.Config{URL: srv.URL()})
	ctx := b.Context()
	spec, q, ids := joinedRoom(b, s, players, 2)
	move := func(to game.Phase) {
		st, err := s.State(ctx, spec.Code)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Advance(ctx, spec.Code, room.Transition{Version: st.Version, To: to, Q: 0, Limit: q.TimeLimit, Options: 2}); err != nil {
			b.Fatal(err)
		}
	}
	move(game.PhaseQuestion)
	var wg sync.WaitGroup
	for j, id := range ids {
		a := game.Answer{Choices: []int{j % 2}}
		sub := room.Submission{PlayerID: id, Q: 0, Answer: a, Grade: q.Grade(a), Kind: q.Kind, Points: q.Points, Limit: q.TimeLimit,
			PrevScored: -1, Scoring: spec.Settings.Scoring, Grace: time.Second}
		wg.Go(func() {
			if _, err := s.Submit(ctx, spec.Code, sub); err != nil {
				b.Error(err)
			}
		})
	}
	wg.Wait()
	t0 := time.Now()
	move(game.PhaseReveal)
	reveal := time.Since(t0) // the reveal step, scoring every answer (one run)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		sb, err := s.Scoreboard(ctx, spec.Code, 0)
		if err != nil {
			b.Fatal(err)
		}
		if len(sb.Standings) != players || len(sb.Results) != players {
			b.Fatalf("%d standings and %d results, want %d each", len(sb.Standings), len(sb.Results), players)
		}
	}
	b.ReportMetric(float64(reveal.Milliseconds()), "reveal-step-ms")
}

// joinedRoom creates a room of players in s whose questions are all q, a
// single choice of two options, and joins every player: the room the
// tests and benchmarks of a big room's answers play.
func joinedRoom(tb testing.TB, s *redisstore.Store, players, questions int) (*room.Spec, game.Question, []string) {
	tb.Helper()
	ctx := tb.Context()
	q := game.Question{Kind: game.SingleChoice, Text: "?", Options: []string{"a", "b"}, Correct: []int{1}, TimeLimit: 20 * time.Second, Points: 1000}
	spec := &room.Spec{Code: room.NewCode(), Questions: slices.Repeat([]game.Question{q}, questions), Settings: game.Settings{}.WithDefaults(players), HostTokenHash: "h"}
	if err := s.CreateRoom(ctx, spec, players); err != nil {
		tb.Fatal(err)
	}
	ids := make([]string, players)
	for i := range ids {
		p, err := s.Join(ctx, spec.Code, room.Join{Name: "P" + strconv.Itoa(i), NameKey: "p" + strconv.Itoa(i), TokenHash: strconv.Itoa(i)})
		if err != nil {
			tb.Fatal(err)
		}
		ids[i] = p.ID
	}
	return spec, q, ids
}
