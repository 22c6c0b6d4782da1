package room_test

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// TestRedisCommandsPerAnswer plays whole host-paced games of 5 questions on
// an engine over Redis, every player watching and answering every
// question, and counts what Redis ran, commands run inside scripts
// included (INFO commandstats): every room, join, stream, identification,
// answer, reveal, roster batch, lease, presence renewal and read of the
// log, divided by the answers. One room of 50 players, and 50 rooms of 5,
// whose 25 answers share each room's fixed costs (creating it, its
// expiries, its owner). Players answer one after the other, or all at
// once, as real players do when a question opens (their answers then go
// to Redis together: see redisstore.Store.Submit). The periods of the
// engine's periodic work are set here, and the games last a few of them,
// so the count is bounded whatever the machine's speed. The store is
// checked first, as quizd does at start, which loads the scripts. The
// bounds are what the code achieves, with a little room (BENCHMARKS.md
// has the breakdown; the target, 8 over a game of 10 questions, is
// met by the load test's one room of 1,000 and its 1,000 rooms of 10: these
// games have 5 questions and, one by one, a script per answer, so what a
// room and a player cost besides weighs more).
func TestRedisCommandsPerAnswer(t *testing.T) {
	for _, c := range []struct {
		rooms, players int
		together       bool
		max            float64
	}{{1, 50, false, 11}, {50, 5, false, 20.5}, {1, 50, true, 5}} {
		name := fmt.Sprintf("%d rooms of %d", c.rooms, c.players)
		if c.together {
			name += " answering at once"
		}
		t.Run(name, func(t *testing.T) {
			srv := redistest.StartProcess(t) // its own server: nothing else counts
			store, err := redisstore.New(redisstore.Config{URL: srv.URL()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = store.Close() })
			if _, err := store.Check(t.Context()); err != nil { // as quizd starts: it loads the scripts
				t.Fatal(err)
			}
			in := startInstance(t, store, "a", room.Config{
				Tick: 500 * time.Millisecond, Sweep: 500 * time.Millisecond,
				LeaseTTL: 2 * time.Second, PresenceTTL: 10 * time.Second,
			})
			srv.ResetCommandStats(t)
			var wg sync.WaitGroup
			answers := make([]int, c.rooms)
			for r := range c.rooms {
				wg.Add(1)
				go func() {
					defer wg.Done()
					answers[r] = playGame(t, in.e, c.players, 5, c.together)
				}()
			}
			wg.Wait()
			accepted := 0
			for _, n := range answers {
				accepted += n
			}
			if accepted != c.rooms*c.players*5 {
				t.Fatalf("%d answers accepted, want %d", accepted, c.rooms*c.players*5)
			}
			calls := srv.CommandCalls(t)
			total := 0
			for _, n := range calls {
				total += n
			}
			per := float64(total) / float64(accepted)
			t.Logf("%d accepted answers, %d Redis commands: %.2f per answer: %v", accepted, total, per, calls)
			if per > c.max {
				t.Errorf("%.2f Redis commands per accepted answer, want at most %g", per, c.max)
			}
		})
	}
}

// playGame creates a host-paced room of questions questions, joins n
// players who watch it, and plays it through: every player answers every
// question (one after the other, or all at once when together), and the
// host moves on once the question was revealed. It returns the answers
// accepted.
func playGame(t *testing.T, e *room.Engine, n, questions int, together bool) int {
	ctx := context.Background()
	spec, token, err := e.Create(ctx, room.Source{DeckID: "aws-compute"},
		game.Settings{QuestionCount: questions, Pacing: game.HostPaced, LeaderboardEvery: -1, TimeLimit: game.MaxTimeLimit})
	if err != nil {
		t.Error(err)
		return 0
	}
	host, err := e.Identify(ctx, spec.Code, token)
	if err != nil {
		t.Error(err)
		return 0
	}
	names := make([]string, n)
	for i := range names {
		names[i] = "P" + strconv.Itoa(i)
	}
	players := joinAll(t, e, spec.Code, names...)
	subs := make([]*room.Subscription, n)
	for i, p := range players {
		subs[i] = watch(t, e, spec.Code, p)
	}
	if _, err := e.Start(ctx, spec.Code, host); err != nil {
		t.Error(err)
		return 0
	}
	accepted := 0
	for q := range questions {
		a := game.Answer{Choices: []int{0}}
		if spec.Questions[q].Kind == game.TypedAnswer {
			a = game.Answer{Text: "x"}
		}
		submit := func(p room.Identity) bool {
			_, err := e.Submit(ctx, spec.Code, p, q, a)
			if err != nil {
				t.Errorf("answer to question %d: %v", q+1, err)
			}
			return err == nil
		}
		if together {
			var ok atomic.Int64
			var wg sync.WaitGroup
			start := make(chan struct{})
			for _, p := range players {
				wg.Go(func() {
					<-start
					if submit(p) {
						ok.Add(1)
					}
				})
			}
			close(start)
			wg.Wait()
			accepted += int(ok.Load())
		} else {
			for _, p := range players {
				if submit(p) {
					accepted++
				}
			}
		}
		// Everyone answered: the owner reveals at once.
		for {
			_, st, err := e.Info(ctx, spec.Code)
			if err != nil {
				t.Error(err)
				return accepted
			}
			if st.Phase == game.PhaseReveal && st.Q == q {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if _, err := e.Next(ctx, spec.Code, host); err != nil {
			t.Error(err)
		}
	}
	return accepted
}
