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
// turn, each once the progress of the one before was published, and
// returns when each answered.
func answerOneByOne(t *testing.T, e *room.Engine, store room.Store, code string, players []room.Identity) []time.Time {
	t.Helper()
	var at []time.Time
	for i, p := range players {
		at = append(at, time.Now())
		answer(t, e, code, p)
		until(t, "the progress of every answer so far", func() bool {
			evs := progressEvents(t, store, code)
			return len(evs) > 0 && evs[len(evs)-1].Answered == i+1
		})
	}
	return at
}

// TestEveryAnswerGetsItsProgress answers an open question one player at a
// time, again and again: each answer's progress is published at the
// owner's next tick, whatever else woke the owner meanwhile (a question
// opening, a host call), never left for its next reading of the room
// (five seconds later). A ping comes only for the first answer since the
// last progress event, so one the owner forgot would leave the count
// stale until then.
func TestEveryAnswerGetsItsProgress(t *testing.T) {
	store := memstore.New(memstore.Config{})
	e := startInstance(t, store, "a", room.Config{Tick: 20 * time.Millisecond}).e
	for range 5 {
		code := newRoom(t, e)
		players := joinAll(t, e, code, "Ann", "Bob", "Cid", "Dee")
		for _, p := range players {
			watch(t, e, code, p) // connected: the question waits for every player
		}
		if _, err := e.Start(context.Background(), code, hostID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Until(state(t, e, code).OpensAt))
		at := answerOneByOne(t, e, store, code, players[:3])
		for i, ev := range progressEvents(t, store, code) {
			// A bound far above the tick and below the owner's recheck,
			// not a timing: a forgotten ping shows as the recheck.
			if d := ev.Time.Sub(at[i]); d > 2500*time.Millisecond {
				t.Errorf("the progress of answer %d came %v after it, as if the owner had forgotten the ping", i+1, d)
			}
		}
	}
}

// TestProgressIsSpacedInBigRooms answers an open question one player at a
// time in a room with more players than its ProgressRate allows every
// tick: each answer's progress is published, each the room's gap (here
// MaxProgressGap) after the one before, never sooner: spaced, not dropped.
func TestProgressIsSpacedInBigRooms(t *testing.T) {
	store := memstore.New(memstore.Config{})
	e := startInstance(t, store, "a", room.Config{Tick: 20 * time.Millisecond, ProgressRate: 1}).e
	code := newRoom(t, e)
	players := joinAll(t, e, code, "Ann", "Bob", "Cid", "Dee")
	for _, p := range players {
		watch(t, e, code, p)
	}
	if _, err := e.Start(context.Background(), code, hostID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(state(t, e, code).OpensAt))
	at := answerOneByOne(t, e, store, code, players[:3])
	evs := progressEvents(t, store, code)
	if len(evs) != 3 {
		t.Fatalf("%d progress events for 3 answers given one at a time, want 3", len(evs))
	}
	for i := 1; i < len(evs); i++ {
		if d := evs[i].Time.Sub(evs[i-1].Time); d < room.MaxProgressGap {
			t.Errorf("progress event %d came %v after the one before, want at least %v", i+1, d, room.MaxProgressGap)
		}
		// Not a timing either: a postponed count the owner forgot shows
		// as its recheck, 5 s on.
		if d := evs[i].Time.Sub(at[i]); d > room.MaxProgressGap+1500*time.Millisecond {
			t.Errorf("the progress of answer %d came %v after it, as if the owner had forgotten it was due", i+1, d)
		}
	}
}
