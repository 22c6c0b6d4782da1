package room_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
