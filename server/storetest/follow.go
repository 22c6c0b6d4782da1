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
	f, notes := followed(t, newStore)
	// news waits for a notice that says more than that the log reached
	// seq, after act. A store may miss notices while it subscribes: the
	// first step appends events until one is announced.
	news := func(what string, seq uint64, act func()) {
		t.Helper()
		wake := notes.Next()
		notes.Pending() // what came before act is not act's
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
	if notes.Pending(); notes.News(seq) {
		t.Fatal("News right after Pending with nothing new")
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

// testFollowPending checks that pings say what pends: a roster change
// after a join or a departure, answers after the first answer since the
// last progress event, so that the room's owner need not read its state
// to know.
func testFollowPending(t *testing.T, newStore NewStore) {
	f, notes := followed(t, newStore)
	subscribed(t, f, notes)
	// pending is what the ping after act said; act makes no event.
	pending := func(what string, act func(), roster, answers bool) {
		t.Helper()
		caughtUp(t, f, notes)
		wake := notes.Next()
		act()
		select {
		case <-wake:
		case <-time.After(20 * time.Second): // a guard against a hang, not a timing
			t.Fatalf("%s: no notice", what)
		}
		if r, a, missed := notes.Pending(); r != roster || a != answers || missed {
			t.Errorf("%s: Pending says roster %v, answers %v, missed %v; want %v, %v, false", what, r, a, missed, roster, answers)
		}
	}
	var ids []string
	pending("a join", func() { ids = f.players(2) }, true, false)
	if _, err := f.s.FlushRoster(f.ctx, f.code, room.RosterLimit); err != nil {
		t.Fatalf("FlushRoster: %v", err)
	}
	f.open(0)
	pending("the first answer", func() { f.submit(ids[0], 0, choice(1)) }, false, true)
	if _, err := f.s.Progress(f.ctx, f.code); err != nil {
		t.Fatalf("Progress: %v", err)
	}
	pending("a departure", func() {
		if err := f.s.Leave(f.ctx, f.code, ids[1]); err != nil {
			t.Fatalf("Leave: %v", err)
		}
	}, true, false)
}

// subscribed waits until notes hears the room's events (a store may miss
// notices while it subscribes: events are appended until one is announced
// after a Next), then until the last of them was announced, so that the
// next notice is of what comes next. It returns the seq of the events
// appended before.
func subscribed(t *testing.T, f *fixture, notes room.Notices) uint64 {
	t.Helper()
	before := f.state().Seq
	locked := false
	lock := func() {
		locked = !locked
		if _, err := f.s.Lock(f.ctx, f.code, locked); err != nil {
			t.Fatalf("Lock: %v", err)
		}
	}
	wait := func(wake <-chan struct{}) {
		select {
		case <-wake:
		case <-time.After(time.Second): // a guard against a hang, not a timing
		}
	}
	for i := 0; ; i++ {
		if i == 50 {
			t.Fatal("50 events and none announced after a Next")
		}
		wake := notes.Next()
		lock()
		wait(wake)
		notes.Pending() // news is then of events only
		if notes.News(before) {
			break
		}
	}
	if locked {
		lock()
	}
	caughtUp(t, f, notes)
	return before
}

// caughtUp waits until notes heard the room's last event, so that the
// next notice is of what comes next.
func caughtUp(t *testing.T, f *fixture, notes room.Notices) {
	t.Helper()
	last := f.state().Seq
	for i := 0; last > 0; i++ {
		wake := notes.Next()
		notes.Pending() // news is then of events only
		if notes.News(last - 1) {
			return
		}
		if i == 50 {
			t.Fatalf("the event of seq %d never announced", last)
		}
		select {
		case <-wake:
		case <-time.After(time.Second): // a guard against a hang, not a timing
		}
	}
}

// testFollowPast checks that News says an event past seq was announced
// however many Next and Pending calls came since: an owner compares the
// state it knows with it.
func testFollowPast(t *testing.T, newStore NewStore) {
	f, notes := followed(t, newStore)
	seq := subscribed(t, f, notes)
	notes.Next()
	notes.Pending()
	if !notes.News(seq) {
		t.Errorf("News(%d) after events past it, another Next and Pending: false", seq)
	}
	if last := f.state().Seq; notes.News(last) {
		t.Errorf("News(%d), the last event's seq, with nothing new: true", last)
	}
}

// testFollowKeepsPings checks that a ping stays to be reported until
// Pending reports it, however many Next calls come first: an owner woken
// by something else takes the channel again (Next) before it asks what
// pends, and a ping comes only when work starts to pend, so one forgotten
// would leave that work undone until the owner reads the room again.
func testFollowKeepsPings(t *testing.T, newStore NewStore) {
	f, notes := followed(t, newStore)
	subscribed(t, f, notes)
	caughtUp(t, f, notes)
	wake := notes.Next()
	f.players(1)
	select {
	case <-wake:
	case <-time.After(20 * time.Second): // a guard against a hang, not a timing
		t.Fatal("a join: no notice")
	}
	seq := f.state().Seq
	notes.Next() // woken by something else, the owner takes the channel again
	if !notes.News(seq) {
		t.Error("News after a join's ping and another Next: false")
	}
	if roster, _, _ := notes.Pending(); !roster {
		t.Error("Pending after a join's ping and another Next: no roster change")
	}
	if roster, answers, missed := notes.Pending(); roster || answers || missed {
		t.Errorf("Pending again: roster %v, answers %v, missed %v; want all false, the ping reported once", roster, answers, missed)
	}
}

// followed creates a room of one question and follows its notices until
// the test ends.
func followed(t *testing.T, newStore NewStore) (*fixture, room.Notices) {
	t.Helper()
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	notes, err := f.s.Follow(f.ctx, f.code)
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	t.Cleanup(notes.Close)
	return f, notes
}
