package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// lapse is a presence lease short enough to lapse within a test, and
// lapsed how long to wait for it to.
const (
	lapse  = 300 * time.Millisecond
	lapsed = 450 * time.Millisecond
)

// connectOn counts a stream of player id on instance in (+1) or out (-1)
// with lease ttl.
func (f *fixture) connectOn(instance, id string, delta int, ttl time.Duration) bool {
	f.t.Helper()
	c, err := f.s.Connect(f.ctx, f.code, room.Connection{PlayerID: id, Instance: instance, Delta: delta, TTL: ttl})
	if err != nil {
		f.t.Fatalf("Connect %s on %s %+d: %v", id, instance, delta, err)
	}
	return c.AllAnswered
}

// presence renews instance's lease, setting its counts when counts is not
// nil.
func (f *fixture) presence(instance string, ttl time.Duration, counts map[string]int) room.PresenceResult {
	f.t.Helper()
	res := f.s.Presence(f.ctx, []room.PresenceUpdate{{Code: f.code, Instance: instance, TTL: ttl, Counts: counts}})
	if len(res) != 1 {
		f.t.Fatalf("Presence of %s: %d results, want 1", instance, len(res))
	}
	if res[0].Err != nil {
		f.t.Fatalf("Presence of %s: %v", instance, res[0].Err)
	}
	return res[0]
}

// testPresenceBatch checks Presence with several rooms in one call: each
// room has its result, in order; counts are set where the update has them
// and only the lease is renewed elsewhere; a room that is gone fails alone
// (an update with counts says so; a renewal alone may not look at its
// room); the instance's lease is one for every room, so Lapsed is said in
// every room; AllAnswered is each room's own.
func testPresenceBatch(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	g, h := f.another([]game.Question{single()}), f.another([]game.Question{single()})
	fs, gs, hs := f.players(2), g.players(2), h.players(2)
	for _, r := range []*fixture{f, g, h} {
		r.open(0)
	}
	// Each result says which room it is about.
	check := func(what string, ups []room.PresenceUpdate, want []room.PresenceResult) {
		t.Helper()
		got := f.s.Presence(f.ctx, ups)
		if len(got) != len(want) {
			t.Fatalf("%s: %d results, want %d", what, len(got), len(want))
		}
		for i, res := range got {
			if res.Lapsed != want[i].Lapsed || res.AllAnswered != want[i].AllAnswered || (res.Err == nil) != (want[i].Err == nil) {
				t.Errorf("%s: result %d (room %s): %+v, want %+v", what, i, ups[i].Code, res, want[i])
			} else if want[i].Err != nil && !errors.Is(res.Err, want[i].Err) {
				t.Errorf("%s: result %d (room %s): %v, want %v", what, i, ups[i].Code, res.Err, want[i].Err)
			}
		}
	}
	waiting := func(what string, want ...int) {
		t.Helper()
		for i, r := range []*fixture{f, g, h} {
			r.wantWaiting(fmt.Sprintf("%s, room %d", what, i+1), want[i])
		}
	}
	renew := func(r *fixture) room.PresenceUpdate {
		return room.PresenceUpdate{Code: r.code, Instance: "A", TTL: time.Minute}
	}

	gone := room.NewCode()
	first := []room.PresenceUpdate{
		{Code: f.code, Instance: "A", TTL: lapse, Counts: map[string]int{fs[0]: 1, fs[1]: 1}},
		{Code: gone, Instance: "A", TTL: lapse, Counts: map[string]int{}},
		{Code: g.code, Instance: "A", TTL: lapse, Counts: map[string]int{gs[0]: 1}},
		{Code: h.code, Instance: "A", TTL: lapse},
	}
	check("A's first renewal, with a room that is gone", first, []room.PresenceResult{
		{Lapsed: true}, {Err: room.ErrNotFound}, {Lapsed: true}, {Lapsed: true},
	})
	waiting("counts set in rooms 1 and 2, renewed only in room 3", 2, 1, 0)

	time.Sleep(lapsed)
	check("A's renewal after its lease lapsed", []room.PresenceUpdate{renew(f), renew(g), renew(h)},
		[]room.PresenceResult{{Lapsed: true}, {Lapsed: true}, {Lapsed: true}})
	waiting("renewed only: counts unchanged", 2, 1, 0)

	f.submit(fs[0], 0, choice(1))
	check("A's counts in room 1 without the last player waiting", []room.PresenceUpdate{
		renew(g),
		{Code: f.code, Instance: "A", TTL: time.Minute, Counts: map[string]int{fs[0]: 1}},
		{Code: h.code, Instance: "A", TTL: time.Minute, Counts: map[string]int{hs[1]: 2}},
	}, []room.PresenceResult{{}, {AllAnswered: true}, {}})
	waiting("room 1 has nobody left to answer, room 3 counts a player", 0, 1, 1)
	if got := f.s.Presence(f.ctx, nil); len(got) != 0 {
		t.Errorf("Presence of no rooms: %+v, want no results", got)
	}
}

// wantWaiting fails unless the room counts n connected players waiting.
func (f *fixture) wantWaiting(what string, n int) {
	f.t.Helper()
	if st := f.state(); st.Waiting != n {
		f.t.Errorf("%s: waiting %d, want %d", what, st.Waiting, n)
	}
}

// testPresenceInstances checks presence across instances: a player counts
// while any instance with a current lease counts a stream of theirs; an
// instance whose lease lapsed stops counting; an instance's counts can be
// set at once.
func testPresenceInstances(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	ids := f.players(4)
	a, b, c, d := ids[0], ids[1], ids[2], ids[3]
	f.connectOn("A", a, 1, lapse)
	f.connectOn("B", b, 1, time.Minute)
	f.connectOn("A", c, 1, lapse)
	f.connectOn("B", c, 1, time.Minute)
	f.connectOn("B", d, 1, time.Minute)
	f.open(0)
	f.wantWaiting("opened with 4 connected", 4)
	f.submit(b, 0, choice(1))
	f.submit(d, 0, choice(1))
	f.wantWaiting("two answered", 2)
	time.Sleep(lapsed)
	// B judges: A's lease lapsed, so a stops counting; c still counts on B.
	if res := f.presence("B", time.Minute, nil); res.Lapsed || res.AllAnswered {
		t.Errorf("Presence of B after A lapsed: %+v, want B current and c still waiting", res)
	}
	f.wantWaiting("A's lease lapsed", 1)
	// B's counts set without c: nobody connected is left to answer.
	if res := f.presence("B", time.Minute, map[string]int{b: 1, d: 1}); !res.AllAnswered {
		t.Errorf("Presence of B dropping the last player waiting: %+v, want AllAnswered", res)
	}
	f.wantWaiting("B's counts set without c", 0)
	// A comes back: its lease had lapsed, so it must send its counts.
	if res := f.presence("A", time.Minute, nil); !res.Lapsed {
		t.Errorf("Presence of A after its lease lapsed: %+v, want Lapsed", res)
	}
	if res := f.presence("A", time.Minute, map[string]int{a: 1, c: 2}); res.AllAnswered {
		t.Errorf("Presence of A counting a and c again: %+v, want not AllAnswered", res)
	}
	f.wantWaiting("A counts a and c again", 2)
	// Leaving drops every instance's streams of the player.
	if err := f.s.Leave(f.ctx, f.code, c); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	f.wantWaiting("c left", 1)
	if f.connectOn("A", c, -1, time.Minute) {
		t.Error("Connect -1 of a departed player: want false")
	}
	if !f.connectOn("A", a, -1, time.Minute) {
		t.Error("Connect -1 of the last player waiting, on A: want AllAnswered")
	}
	f.wantWaiting("a disconnected", 0)
}

// testPresenceJudge checks that an instance whose own lease lapsed does
// not judge the others: when Redis or the instance was cut off, everyone's
// lease lapsed at once, and dropping them all would close the question on
// players who are still there.
func testPresenceJudge(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	ids := f.players(3)
	f.connectOn("A", ids[0], 1, lapse)
	f.connectOn("B", ids[1], 1, lapse)
	f.open(0)
	f.submit(ids[2], 0, choice(1))
	f.wantWaiting("opened", 2)
	time.Sleep(lapsed)
	// A comes back first; B gets a lease of A's length to come back too.
	// Long enough that A's own lease does not lapse between its renewals
	// on a loaded machine (A would then not judge).
	const lease = 3 * time.Second
	if res := f.presence("A", lease, nil); !res.Lapsed || res.AllAnswered {
		t.Errorf("Presence of A after every lease lapsed: %+v, want Lapsed and nobody dropped", res)
	}
	f.wantWaiting("A came back first", 2)
	time.Sleep(lease * 6 / 10)
	f.presence("A", lease, nil)
	f.wantWaiting("B's extra lease still runs", 2)
	// B never comes back: A, current, drops it once that lease lapsed.
	time.Sleep(lease * 6 / 10)
	f.presence("A", lease, nil)
	f.wantWaiting("B never came back", 1)
}

// testEpoch checks that every room has an epoch of its own.
func testEpoch(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	other := newSpec([]game.Question{single()}, nil)
	if err := f.s.CreateRoom(f.ctx, other, 10); err != nil {
		t.Fatal(err)
	}
	st2, err := f.s.State(f.ctx, other.Code)
	if err != nil {
		t.Fatal(err)
	}
	st := f.state()
	if st.Epoch == 0 || st.Epoch > room.MaxEpoch || st.Epoch == st2.Epoch || st.Lost {
		t.Errorf("epochs of two new rooms: %d and %d (lost %v); want two different ones in 1..MaxEpoch", st.Epoch, st2.Epoch, st.Lost)
	}
	f.lockToggles(3)
	if got := f.state().Epoch; got != st.Epoch {
		t.Errorf("epoch after events: %d, want %d unchanged", got, st.Epoch)
	}
}

// testMarkLost checks that a room whose history was lost is closed, with
// a new epoch and an EventClosed that says so, and that marking it again
// changes nothing.
func testMarkLost(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	p, _ := f.join("Ann")
	f.open(0)
	f.submit(p.ID, 0, choice(1))
	before := f.state()
	st, err := f.s.MarkLost(f.ctx, f.spec, "lost", time.Hour)
	if err != nil {
		t.Fatalf("MarkLost: %v", err)
	}
	if !st.Lost || st.Phase != game.PhaseClosed || st.Epoch == before.Epoch || st.Seq != before.Seq+1 || st.Version == before.Version {
		t.Errorf("MarkLost: %+v; want lost, closed, a new epoch, one event more, a new version (before %+v)", st, before)
	}
	if got := f.state(); !got.Lost || got.Epoch != st.Epoch {
		t.Errorf("State after MarkLost: %+v, want it lost with epoch %d", got, st.Epoch)
	}
	ev := f.lastEvent()
	if ev.Type != room.EventClosed || !ev.Lost || ev.Reason != "lost" || ev.Seq != st.Seq {
		t.Errorf("last event after MarkLost: %+v, want EventClosed, lost, at seq %d", ev, st.Seq)
	}
	name, key, _ := room.ParseName("Late")
	_, err = f.s.Join(f.ctx, f.code, room.Join{Name: name, NameKey: key, TokenHash: room.HashToken(room.NewToken())})
	wantMsg(t, "Join of a lost room", err, room.ErrPhase, room.LostRoomError(f.code).Error())
	again, err := f.s.MarkLost(f.ctx, f.spec, "lost again", time.Hour)
	if err != nil || again.Seq != st.Seq || again.Epoch != st.Epoch {
		t.Errorf("MarkLost again: %+v, %v; want nothing changed", again, err)
	}
	if rep, err := f.s.Report(f.ctx, f.code); err != nil || len(rep.Standings) != 1 {
		t.Errorf("Report of a lost room: %+v, %v; want what was kept", rep, err)
	}
	if _, err := f.s.Rooms(f.ctx); err != nil {
		t.Fatal(err)
	}
	live, _ := f.s.Rooms(f.ctx)
	for _, code := range live {
		if code == f.code {
			t.Error("Rooms lists a lost room")
		}
	}
}

// testMarkLostGone checks that a room gone from the store is created again
// closed and lost, so that everyone who comes back learns what happened;
// it expires after retain.
func testMarkLostGone(t *testing.T, newStore NewStore) {
	s := newStore(t, Options{})
	spec := newSpec([]game.Question{single(), multi()}, nil)
	c := ctx(t)
	st, err := s.MarkLost(c, spec, "gone", 400*time.Millisecond)
	if err != nil {
		t.Fatalf("MarkLost of a room that is not there: %v", err)
	}
	if !st.Lost || st.Phase != game.PhaseClosed || st.Seq != 1 || st.Epoch == 0 {
		t.Errorf("MarkLost of a room that is not there: %+v; want lost, closed, seq 1, an epoch", st)
	}
	if got, err := s.Spec(c, spec.Code); err != nil || got.Code != spec.Code || len(got.Questions) != 2 {
		t.Errorf("Spec of the lost room: %+v, %v", got, err)
	}
	evs, err := s.Events(c, spec.Code, 0, 10)
	if err != nil || len(evs) != 1 || evs[0].Type != room.EventClosed || !evs[0].Lost || evs[0].Reason != "gone" {
		t.Errorf("Events of the lost room: %+v, %v; want one lost EventClosed", evs, err)
	}
	if rep, err := s.Report(c, spec.Code); err != nil || len(rep.Standings) != 0 {
		t.Errorf("Report of the lost room: %+v, %v; want an empty one", rep, err)
	}
	eventually(t, "the lost room expires", func() bool {
		_, err := s.State(c, spec.Code)
		return err != nil
	})
}
