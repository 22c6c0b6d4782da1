package storetest

import (
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// testFollow checks a room's notices (Store.Follow): events, and the pings
// of a join, a departure and the first answer since the last progress
// event, which append no event.
func testFollow(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	notes, err := f.s.Follow(f.ctx, f.code)
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	defer notes.Close()
	// news waits for a notice that says more than that the log reached
	// seq, after act. A store may miss notices while it subscribes: the
	// first step appends events until one is announced.
	news := func(what string, seq uint64, act func()) {
		t.Helper()
		wake := notes.Next()
		act()
		give := time.After(20 * time.Second) // a guard against a hang, not a timing
		for !notes.News(seq) {
			select {
			case <-wake:
				if notes.News(seq) {
					return
				}
				wake = notes.Next()
			case <-give:
				t.Fatalf("%s: no notice", what)
			}
		}
	}
	locked := false
	seq := f.state().Seq
	news("an event", seq, func() {
		for range 50 {
			locked = !locked
			if _, err := f.s.Lock(f.ctx, f.code, locked); err != nil {
				t.Fatalf("Lock: %v", err)
			}
			if notes.News(seq) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	if locked {
		if _, err := f.s.Lock(f.ctx, f.code, false); err != nil {
			t.Fatalf("Lock: %v", err)
		}
	}
	seq = f.state().Seq
	if notes.Next(); notes.News(seq) {
		t.Fatal("News right after Next with nothing new")
	}
	var ids []string
	news("a join", seq, func() { ids = f.players(2) })
	if st := f.state(); st.Seq != seq || !st.RosterPending {
		t.Fatalf("after a join: seq %d (want %d, no event), roster pending %v", st.Seq, seq, st.RosterPending)
	}
	if _, err := f.s.FlushRoster(f.ctx, f.code, room.RosterLimit); err != nil {
		t.Fatalf("FlushRoster: %v", err)
	}
	seq = f.open(0).Seq
	news("the first answer", seq, func() { f.submit(ids[0], 0, choice(1)) })
	if _, err := f.s.Progress(f.ctx, f.code); err != nil {
		t.Fatalf("Progress: %v", err)
	}
	seq = f.state().Seq
	news("a departure", seq, func() {
		if err := f.s.Leave(f.ctx, f.code, ids[1]); err != nil {
			t.Fatalf("Leave: %v", err)
		}
	})
}

// testFollowPast checks that News says an event past seq was announced
// however many Next calls came since: an owner compares the state it
// knows with it.
func testFollowPast(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	notes, err := f.s.Follow(f.ctx, f.code)
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	defer notes.Close()
	seq := f.state().Seq
	locked := false
	// A store may miss notices while it subscribes: events are appended
	// until one is announced. Next right after each notice leaves only
	// the events as news.
	for i := 0; ; i++ {
		if i == 50 {
			t.Fatal("50 events and none announced after a Next")
		}
		wake := notes.Next()
		locked = !locked
		if _, err := f.s.Lock(f.ctx, f.code, locked); err != nil {
			t.Fatalf("Lock: %v", err)
		}
		select {
		case <-wake:
		case <-time.After(time.Second): // a guard against a hang, not a timing
		}
		notes.Next()
		if notes.News(seq) {
			break
		}
	}
	notes.Next()
	if !notes.News(seq) {
		t.Errorf("News(%d) after an event past it and another Next: false", seq)
	}
	if last := f.state().Seq; notes.News(last) {
		t.Errorf("News(%d), the last event's seq, with nothing new: true", last)
	}
}
