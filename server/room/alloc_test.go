package room_test

import (
	"context"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/room"
)

// TestWatchAllocations bounds what the engine allocates for one watcher:
// thousands of players join and watch at once, and what each Watch
// allocates is garbage the server's heap grows by before a collection
// (BENCHMARKS.md, "Why RSS per player stays above the target"). A Watch of
// a player who watches again, its snapshot read and its Close, with the
// test's encoder (the real one's share is the encoder's).
func TestWatchAllocations(t *testing.T) {
	// 9 in December 2026; 11 before, when every subscription had a
	// context of its own for its end (and the gRPC adapter one more, with
	// a map, to watch it).
	const most = 10
	e := newEngine(t, room.Config{DisconnectGrace: time.Hour})
	code := newRoom(t, e)
	ps := joinAll(t, e, code, "Ann", "Bob")
	watch(t, e, code, ps[1]) // keeps the room's hub running between the watches
	ctx := context.Background()
	got := testing.AllocsPerRun(100, func() {
		s, err := e.Watch(ctx, code, ps[0], 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Next(ctx); err != nil {
			t.Fatal(err)
		}
		s.Close()
	})
	t.Logf("%.0f allocations per Watch, Next and Close", got)
	if got > most {
		t.Errorf("a Watch, its snapshot and its Close allocate %.0f times, want at most %d", got, most)
	}
}
