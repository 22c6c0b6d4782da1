package room_test

import (
	"context"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/room"
)

// progressEvents lists the answer-progress events in the room's log.
func progressEvents(t *testing.T, store room.Store, code string) []room.Event {
	t.Helper()
	evs, err := store.Events(context.Background(), code, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []room.Event
	for _, ev := range evs {
		if ev.Type == room.EventProgress {
			out = append(out, ev)
		}
	}
	return out
}

// answerOneByOne answers the room's open question with each of players in
// turn, each once the progress of the one before was published. The
// owners of these tests never read their room again on their own (Recheck
// is an hour), so a count the owner forgot never comes, and the wait for
// it fails.
func answerOneByOne(t *testing.T, e *room.Engine, store room.Store, code string, players []room.Identity) {
	t.Helper()
	for i, p := range players {
		answer(t, e, code, p)
		until(t, "the progress of every answer so far", func() bool {
			evs := progressEvents(t, store, code)
			return len(evs) > 0 && evs[len(evs)-1].Answered == i+1
		})
	}
}

// startAnswering starts a game of four watching players on an engine of
// cfg, waits for its first question's options, and returns the store,
// the engine, the room and the players.
func startAnswering(t *testing.T, cfg room.Config) (room.Store, *room.Engine, string, []room.Identity) {
	t.Helper()
	store := memstore.New(memstore.Config{})
	cfg.Tick, cfg.Recheck = 20*time.Millisecond, time.Hour
	e := startInstance(t, store, "a", cfg).e
	code := newRoom(t, e)
	players := joinAll(t, e, code, "Ann", "Bob", "Cid", "Dee")
	for _, p := range players {
		watch(t, e, code, p) // connected: the question waits for every player
	}
	if _, err := e.Start(context.Background(), code, hostID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(state(t, e, code).OpensAt))
	return store, e, code, players
}

// TestEveryAnswerGetsItsProgress answers an open question one player at a
// time, in game after game: each answer's progress is published whatever
// else woke the owner meanwhile (a question opening, a host call), never
// left for its next reading of the room. A ping comes only for the first
// answer since the last progress event, so one the owner forgot would
// leave the count stale until then: here, for the rest of the test.
func TestEveryAnswerGetsItsProgress(t *testing.T) {
	for range 5 {
		store, e, code, players := startAnswering(t, room.Config{})
		answerOneByOne(t, e, store, code, players[:3])
	}
}

// TestProgressIsSpacedInBigRooms answers an open question one player at a
// time in a room with more players than its ProgressRate allows every
// tick: each answer's progress is published (none waits for the owner's
// recheck), each the room's gap (here MaxProgressGap) after the one
// before, never sooner: spaced, not dropped.
func TestProgressIsSpacedInBigRooms(t *testing.T) {
	store, e, code, players := startAnswering(t, room.Config{ProgressRate: 1})
	answerOneByOne(t, e, store, code, players[:3])
	evs := progressEvents(t, store, code)
	if len(evs) != 3 {
		t.Fatalf("%d progress events for 3 answers given one at a time, want 3", len(evs))
	}
	for i := 1; i < len(evs); i++ {
		if d := evs[i].Time.Sub(evs[i-1].Time); d < room.MaxProgressGap {
			t.Errorf("progress event %d came %v after the one before, want at least %v", i+1, d, room.MaxProgressGap)
		}
	}
}
