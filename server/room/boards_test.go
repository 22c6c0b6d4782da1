package room_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/room"
)

// slowBoardStore counts scoreboard reads and holds each until as many are
// under way as the test expects callers, or a while has passed.
type slowBoardStore struct {
	room.Store
	callers int
	reads   atomic.Int32
	all     chan struct{} // closed once callers reads are under way
	once    sync.Once
}

func (s *slowBoardStore) Scoreboard(ctx context.Context, code string, q int) (*room.Scoreboard, error) {
	if int(s.reads.Add(1)) == s.callers {
		s.once.Do(func() { close(s.all) })
	}
	select {
	case <-s.all: // every caller read on its own
	case <-time.After(200 * time.Millisecond):
	}
	return s.Store.Scoreboard(ctx, code, q)
}

// TestConcurrentSnapshotsShareOneScoreboardRead has 20 spectators watch a
// started game at once: their snapshots need the same scoreboard (one per
// seq, should an event come in meanwhile), and one read of the store
// serves them all.
func TestConcurrentSnapshotsShareOneScoreboardRead(t *testing.T) {
	const callers = 20
	store := &slowBoardStore{Store: memstore.New(memstore.Config{}), callers: callers, all: make(chan struct{})}
	// No roster batches or progress while the spectators watch (but the
	// one of the joins, which the test waits for): every snapshot is of
	// the same seq.
	a := startInstance(t, store, "a", room.Config{Tick: time.Hour})
	code := newRoom(t, a.e)
	joinAll(t, a.e, code, "Ann", "Bob")
	if _, err := a.e.Start(context.Background(), code, hostID); err != nil {
		t.Fatal(err)
	}
	until(t, "the roster batch of the joins", func() bool {
		evs, err := store.Events(context.Background(), code, 0, 100)
		return err == nil && slices.ContainsFunc(evs, func(e room.Event) bool { return e.Type == room.EventRoster })
	})
	store.reads.Store(0)
	subs := make([]*room.Subscription, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			subs[i], errs[i] = a.e.Watch(context.Background(), code, room.Identity{Role: room.Spectator}, 0, 0)
		})
	}
	wg.Wait()
	seqs := map[uint64]bool{} // the snapshots' seqs: one scoreboard each
	for i, err := range errs {
		if err != nil {
			t.Fatalf("spectator %d: %v", i, err)
		}
		defer subs[i].Close()
		f, err := subs[i].Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		seqs[f.Seq] = true
	}
	if n := int(store.reads.Load()); n != len(seqs) || n >= callers {
		t.Errorf("%d scoreboard reads for %d concurrent snapshots of %d seqs, want one per seq", n, callers, len(seqs))
	}
}

// boardingStore gives every move that asks for it its scoreboard
// (Transition.Board), as the Redis store does, and counts the scoreboard
// reads the engine makes besides.
type boardingStore struct {
	room.Store
	reads atomic.Int32
}

func (s *boardingStore) Advance(ctx context.Context, code string, t room.Transition) (*room.State, error) {
	st, err := s.Store.Advance(ctx, code, t)
	if err == nil && t.Board {
		q := -1
		if t.To == game.PhaseReveal {
			q = t.Q
		}
		st.Board, err = s.Store.Scoreboard(ctx, code, q)
	}
	return st, err
}

func (s *boardingStore) Scoreboard(ctx context.Context, code string, q int) (*room.Scoreboard, error) {
	s.reads.Add(1)
	return s.Store.Scoreboard(ctx, code, q)
}

// TestMovesBringTheirBoard plays a room whose players watch here: the
// reveal (an early close, as every connected player answered), the
// leaderboard and the finish ask the store for their scoreboard, and their
// events reach the players with their own parts without another read.
func TestMovesBringTheirBoard(t *testing.T) {
	store := &boardingStore{Store: memstore.New(memstore.Config{})}
	a := startInstance(t, store, "a", room.Config{})
	spec, _, err := a.e.Create(context.Background(), room.Source{DeckID: "aws-compute"},
		game.Settings{QuestionCount: 1, Pacing: game.HostPaced, LeaderboardEvery: 1})
	if err != nil {
		t.Fatal(err)
	}
	p := joinAll(t, a.e, spec.Code, "Ann")[0]
	sub := watch(t, a.e, spec.Code, p)
	if _, err := a.e.Start(context.Background(), spec.Code, hostID); err != nil {
		t.Fatal(err)
	}
	a0 := firstAnswer(t, a.e, spec.Code)
	until(t, "the options open", func() bool {
		_, err := a.e.Submit(context.Background(), spec.Code, p, 0, a0)
		return err == nil
	})
	until(t, "the early close", func() bool { return state(t, a.e, spec.Code).Phase == game.PhaseReveal })
	if _, err := a.e.Next(context.Background(), spec.Code, hostID); err != nil { // the finish: one question
		t.Fatal(err)
	}
	// Every frame up to the finish, whose personal part needs its board.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		f, err := sub.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if f.Seq >= state(t, a.e, spec.Code).Seq {
			break
		}
	}
	if n := store.reads.Load(); n != 0 {
		t.Errorf("%d scoreboard reads besides the moves' own, want none", n)
	}
}
