package room_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// hostAwayRoom creates a HOST-paced room of three questions whose host
// may stay away a second: below the 10 s the API allows, so the spec is
// stored directly, as Create would store it.
func hostAwayRoom(t *testing.T, e *room.Engine, store room.Store) string {
	t.Helper()
	ctx := context.Background()
	spec, _, err := e.Create(ctx, room.Source{DeckID: "aws-compute"}, game.Settings{
		QuestionCount: 3, RevealTime: time.Second, LeaderboardTime: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	short := *spec
	short.Code = room.NewCode()
	short.Settings.HostAwayLimit = time.Second
	if err := store.CreateRoom(ctx, &short, 100); err != nil {
		t.Fatal(err)
	}
	return short.Code
}

// answer submits an answer to the open question for p.
func answer(t *testing.T, e *room.Engine, code string, p room.Identity) {
	t.Helper()
	spec, st, err := e.Info(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Submit(context.Background(), code, p, st.Q, anyAnswer(&spec.Questions[st.Q])); err != nil {
		t.Fatalf("%s's answer to question %d: %v", p.Name, st.Q, err)
	}
}

// hostEvents counts the EventHost frames among frames (seqEncoder's
// "type:seq"; EventHost is 13).
func hostEvents(frames []string) int {
	n := 0
	for _, f := range frames {
		if strings.HasPrefix(f, "13:") {
			n++
		}
	}
	return n
}

// TestHostAwayAutoPacing runs a HOST-paced game on two instances whose
// host's only stream ends: after the disconnect grace the host is away
// (players are told), after the host-away limit the game goes on by itself
// with AUTO pacing through reveal, leaderboard and the next question, and
// the host, back on the other instance, takes the pacing back: the next
// reveal waits for it. On the memory store and on Redis.
func TestHostAwayAutoPacing(t *testing.T) {
	stores := map[string]func(t *testing.T) room.Store{
		"memory": func(*testing.T) room.Store { return memstore.New(memstore.Config{}) },
		"redis":  func(t *testing.T) room.Store { return redisStore(t, "") },
	}
	for _, name := range []string{"memory", "redis"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := stores[name](t)
			cfg := room.Config{DisconnectGrace: 200 * time.Millisecond, ReconnectGrace: time.Second, PresenceTTL: time.Second}
			a := startInstance(t, store, "a", cfg)
			b := startInstance(t, store, "b", cfg)
			code := hostAwayRoom(t, a.e, store)
			ann := joinAll(t, b.e, code, "Ann")[0]
			annStream := watch(t, b.e, code, ann)
			host, err := a.e.Watch(context.Background(), code, hostID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.e.Start(context.Background(), code, hostID); err != nil {
				t.Fatal(err)
			}
			answer(t, b.e, code, ann) // everyone connected answered: the reveal
			until(t, "the reveal", func() bool { return state(t, a.e, code).Phase == game.PhaseReveal })
			if st := state(t, a.e, code); !st.Deadline.IsZero() || !st.HostAway.IsZero() {
				t.Fatalf("a HOST-paced reveal with the host here: %+v, want no deadline", st)
			}

			host.Close() // the host's program ends
			until(t, "the host away", func() bool { return !state(t, a.e, code).HostAway.IsZero() })
			if st := state(t, b.e, code); st.AutoPacing || st.Phase != game.PhaseReveal {
				t.Fatalf("the host just left: %+v, want the reveal still waiting", st)
			}
			until(t, "AUTO pacing after the host-away limit", func() bool { return state(t, b.e, code).AutoPacing })
			until(t, "question 1 opened by AUTO pacing", func() bool {
				st := state(t, b.e, code)
				return st.Phase == game.PhaseQuestion && st.Q == 1
			})
			// The host events reach the player: away, then AUTO pacing.
			var got []string
			for hostEvents(got) < 2 && len(got) < 20 {
				got = append(got, frames(t, annStream, 1)...)
			}
			if hostEvents(got) != 2 {
				t.Errorf("Ann's frames %v: want the host away and the AUTO pacing", got)
			}

			back := watch(t, b.e, code, hostID) // the host resumes on b
			until(t, "the host back", func() bool {
				st := state(t, a.e, code)
				return st.HostAway.IsZero() && !st.AutoPacing
			})
			answer(t, a.e, code, ann)
			until(t, "the reveal of question 1", func() bool { return state(t, a.e, code).Phase == game.PhaseReveal })
			holds(t, "the reveal waits for the host", 2*time.Second, func() bool {
				return state(t, a.e, code).Phase == game.PhaseReveal
			})
			if _, err := b.e.Next(context.Background(), code, hostID); err != nil {
				t.Fatalf("the host moves the game on: %v", err)
			}
			if got := frames(t, back, 1); len(got) != 1 {
				t.Errorf("the host's stream: %v", got)
			}
		})
	}
}

// redisStore is a Redis store on a redis-server of its own, with query
// added to its URL, closed when the test ends.
func redisStore(tb testing.TB, query string) room.Store {
	tb.Helper()
	s, err := redisstore.New(redisstore.Config{URL: redistest.Start(tb).URL() + query})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}
