package storetest

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

func testNow(t *testing.T, newStore NewStore) {
	s := newStore(t, Options{})
	c := ctx(t)
	a, err := s.Now(c)
	if err != nil {
		t.Fatalf("Now: %v", err)
	}
	if d := time.Until(a).Abs(); d > time.Minute {
		t.Errorf("Now: %v is %v away from this machine's clock, which the store shares in tests", a, d)
	}
	if a.Round(time.Millisecond) != a {
		t.Errorf("Now: %v has more than millisecond resolution", a)
	}
	time.Sleep(5 * time.Millisecond)
	b, err := s.Now(c)
	if err != nil {
		t.Fatalf("Now: %v", err)
	}
	if !b.After(a) {
		t.Errorf("Now: %v, then %v 5 ms later; want it to move on", a, b)
	}
}

func testCreateRoom(t *testing.T, newStore NewStore) {
	s := newStore(t, Options{})
	c := ctx(t)
	spec := newSpec([]game.Question{single()}, nil)
	before, _ := s.Now(c)
	if err := s.CreateRoom(c, spec, 2); err != nil {
		t.Fatalf("CreateRoom: %v", err)
	}
	st, err := s.State(c, spec.Code)
	if err != nil {
		t.Fatalf("State: %v", err)
	}
	if st.Phase != game.PhaseLobby || st.Q != -1 || st.Version != 0 || st.Seq != 0 || st.Players != 0 || st.Locked || st.Played != 0 {
		t.Errorf("new room: got %+v, want the lobby at question -1, version 0, seq 0, no players, unlocked", st)
	}
	if st.Touched.Before(before) || st.Now.Before(st.Touched) {
		t.Errorf("new room: touched %v, now %v; want both at or after %v, touched first", st.Touched, st.Now, before)
	}
	if !st.OpensAt.IsZero() || !st.Deadline.IsZero() {
		t.Errorf("new room: opens at %v, deadline %v; want neither", st.OpensAt, st.Deadline)
	}
	wantMsg(t, "CreateRoom with a taken code", s.CreateRoom(c, newSpecCode(spec.Code), 2), room.ErrExists, "room "+spec.Code+" exists")
	if err := s.CreateRoom(c, newSpec([]game.Question{single()}, nil), 2); err != nil {
		t.Fatalf("CreateRoom, second: %v", err)
	}
	wantMsg(t, "CreateRoom over the limit", s.CreateRoom(c, newSpec([]game.Question{single()}, nil), 2), room.ErrFull,
		"too many rooms on this server: at most 2")

	missing := room.NewCode()
	for _, e := range []struct {
		what string
		err  error
	}{
		{"State", second(s.State(c, missing))},
		{"Spec", second(s.Spec(c, missing))},
		{"Events", second(s.Events(c, missing, 0, 10))},
		{"Join", second(s.Join(c, missing, room.Join{Name: "A", NameKey: "a", TokenHash: "x"}))},
		{"Identify", second(s.Identify(c, missing, "x"))},
		{"Lease", second(s.Lease(c, missing, "me", time.Second))},
		{"Scoreboard", second(s.Scoreboard(c, missing, -1))},
		{"Report", second(s.Report(c, missing))},
		{"Advance", second(s.Advance(c, missing, room.Transition{To: game.PhaseQuestion}))},
	} {
		wantMsg(t, e.what+" of a missing room", e.err, room.ErrNotFound, "no room "+missing)
	}
}

// newSpecCode is a fresh spec with a given code.
func newSpecCode(code string) *room.Spec {
	s := newSpec([]game.Question{single()}, nil)
	s.Code = code
	return s
}

// second returns the error of a two-result call.
func second[T any](_ T, err error) error { return err }

func testSpecRoundTrip(t *testing.T, newStore NewStore) {
	s := newStore(t, Options{})
	c := ctx(t)
	tf := trueFalse()
	tf.Explanation = ""
	spec := newSpec([]game.Question{single(), multi(), tf, typed(), poll()}, func(g *game.Settings) {
		*g = game.Settings{
			QuestionCount: 5, ShuffleQuestions: true, ShuffleOptions: true, Seed: 1<<63 + 12345,
			Pacing: game.AutoPaced, TimeLimit: 25 * time.Second, ReadTime: 1500 * time.Millisecond,
			Scoring:          game.Scoring{Policy: game.Accuracy, StreakBonus: true, WrongPenalty: 250},
			LeaderboardEvery: -1, MaxPlayers: 42, RevealTime: 3 * time.Second, LeaderboardTime: 4 * time.Second,
			LeaderboardSize: 7,
		}
	})
	spec.Questions[0].Points = 0
	spec.Created = time.UnixMilli(1700000000123)
	if err := s.CreateRoom(c, spec, 10); err != nil {
		t.Fatalf("CreateRoom: %v", err)
	}
	got, err := s.Spec(c, spec.Code)
	if err != nil {
		t.Fatalf("Spec: %v", err)
	}
	if !got.Created.Equal(spec.Created) {
		t.Errorf("Spec: created %v, want %v", got.Created, spec.Created)
	}
	g, w := *got, *spec
	g.Created, w.Created = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("Spec round trip:\n got %+v\nwant %+v", g, w)
	}
}

func testRooms(t *testing.T, newStore NewStore) {
	s := newStore(t, Options{})
	c := ctx(t)
	codes := make([]string, 4)
	for i := range codes {
		spec := newSpec([]game.Question{single()}, nil)
		if err := s.CreateRoom(c, spec, 10); err != nil {
			t.Fatalf("CreateRoom: %v", err)
		}
		codes[i] = spec.Code
	}
	finish := func(code string, to game.Phase) {
		st, err := s.State(c, code)
		if err != nil {
			t.Fatalf("State: %v", err)
		}
		if _, err := s.Advance(c, code, room.Transition{Version: st.Version, To: to, Retain: time.Hour, Reason: "test"}); err != nil {
			t.Fatalf("Advance to %v: %v", to, err)
		}
	}
	finish(codes[1], game.PhaseFinished)
	finish(codes[2], game.PhaseClosed)
	got, err := s.Rooms(c)
	if err != nil {
		t.Fatalf("Rooms: %v", err)
	}
	slices.Sort(got)
	want := []string{codes[0], codes[3]}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Rooms: got %v, want the live ones %v (of %v)", got, want, codes)
	}
	// Finished rooms no longer count towards the limit.
	if err := s.CreateRoom(c, newSpec([]game.Question{single()}, nil), 3); err != nil {
		t.Errorf("CreateRoom with 2 live rooms of at most 3: %v", err)
	}
}

func testRetention(t *testing.T, newStore NewStore) {
	s := newStore(t, Options{})
	c := ctx(t)
	spec := newSpec([]game.Question{single()}, nil)
	if err := s.CreateRoom(c, spec, 10); err != nil {
		t.Fatalf("CreateRoom: %v", err)
	}
	f := &fixture{t: t, s: s, spec: spec, code: spec.Code, ctx: c}
	p, _ := f.join("Ann")
	f.open(0)
	f.submit(p.ID, 0, choice(1))
	f.reveal(0)
	const retain = 400 * time.Millisecond
	st := f.advance(room.Transition{To: game.PhaseFinished, Retain: retain})
	if st.Phase != game.PhaseFinished {
		t.Fatalf("Advance to finished: phase %v", st.Phase)
	}
	// Kept until Retain passes: the report can still be read.
	rep, err := s.Report(c, spec.Code)
	if err != nil || len(rep.Results) != 1 {
		t.Fatalf("Report right after the finish: %+v, %v; want one question's results", rep, err)
	}
	// Writes after the finish must not keep parts of the room alive.
	if _, err := s.Connect(c, spec.Code, room.Connection{PlayerID: p.ID, Instance: "i1", Delta: 1, TTL: time.Minute}); err != nil {
		t.Fatalf("Connect after the finish: %v", err)
	}
	if err := s.Leave(c, spec.Code, p.ID); err != nil {
		t.Fatalf("Leave after the finish: %v", err)
	}
	eventually(t, "the finished room expires", func() bool {
		_, err := s.State(c, spec.Code)
		return err != nil
	})
	wantErr(t, "State after Retain", second(s.State(c, spec.Code)), room.ErrNotFound)
	wantErr(t, "Spec after Retain", second(s.Spec(c, spec.Code)), room.ErrNotFound)
	wantErr(t, "Events after Retain", second(s.Events(c, spec.Code, 0, 10)), room.ErrNotFound)
	wantErr(t, "Report after Retain", second(s.Report(c, spec.Code)), room.ErrNotFound)
	_, _, err = s.Roster(c, spec.Code, 0)
	wantErr(t, "Roster after Retain", err, room.ErrNotFound)
	// The code is free again, and the new room starts from scratch.
	again := newSpecCode(spec.Code)
	if err := s.CreateRoom(c, again, 10); err != nil {
		t.Fatalf("CreateRoom with the expired room's code: %v", err)
	}
	st = f.state()
	if st.Phase != game.PhaseLobby || st.Seq != 0 || st.Players != 0 {
		t.Errorf("a room reusing an expired code: %+v; want a fresh lobby", st)
	}
	if p2, _ := f.join("Ann"); p2.ID != room.PlayerID(1) {
		t.Errorf("first player of a room reusing a code: id %s, want %s", p2.ID, room.PlayerID(1))
	}
	if evs := f.events(0); len(evs) != 0 {
		t.Errorf("a room reusing a code has events %+v; want none", evs)
	}
}

func testDecks(t *testing.T, newStore NewStore) {
	s := newStore(t, Options{})
	c := ctx(t)
	wantMsg(t, "Deck of a missing deck", second(s.Deck(c, "nope")), room.ErrNotFound, `no deck "nope"`)
	ids, err := s.DeckIDs(c)
	if err != nil || len(ids) != 0 {
		t.Errorf("DeckIDs of an empty store: %v, %v; want none", ids, err)
	}
	if err := s.SaveDeck(c, "a-1", []byte("# A\n"), 2, time.Hour); err != nil {
		t.Fatalf("SaveDeck: %v", err)
	}
	if err := s.SaveDeck(c, "b-2", []byte("# B\n\nü"), 2, 400*time.Millisecond); err != nil {
		t.Fatalf("SaveDeck: %v", err)
	}
	// Saving again only renews, even at the limit, and keeps the first source.
	if err := s.SaveDeck(c, "a-1", []byte("# other\n"), 2, time.Hour); err != nil {
		t.Errorf("SaveDeck of a saved id at the limit: %v, want no error", err)
	}
	wantMsg(t, "SaveDeck over the limit", s.SaveDeck(c, "c-3", []byte("# C\n"), 2, time.Hour), room.ErrFull, "too many uploaded decks: at most 2")
	ids, err = s.DeckIDs(c)
	slices.Sort(ids)
	if err != nil || !slices.Equal(ids, []string{"a-1", "b-2"}) {
		t.Errorf("DeckIDs: %v, %v; want [a-1 b-2]", ids, err)
	}
	for id, want := range map[string]string{"a-1": "# A\n", "b-2": "# B\n\nü"} {
		src, err := s.Deck(c, id)
		if err != nil || string(src) != want {
			t.Errorf("Deck %s: %q, %v; want %q", id, src, err, want)
		}
	}
	// b-2 expires: it is gone, no longer counts, and cannot be kept.
	eventually(t, "the deck b-2 expiring", func() bool {
		_, err := s.Deck(c, "b-2")
		return err != nil
	})
	wantErr(t, "KeepDeck of an expired deck", s.KeepDeck(c, "b-2", time.Hour), room.ErrNotFound)
	if err := s.KeepDeck(c, "a-1", time.Hour); err != nil {
		t.Errorf("KeepDeck: %v", err)
	}
	if ids, err := s.DeckIDs(c); err != nil || !slices.Equal(ids, []string{"a-1"}) {
		t.Errorf("DeckIDs after b-2 expired: %v, %v; want [a-1]", ids, err)
	}
	if err := s.SaveDeck(c, "c-3", []byte("# C\n"), 2, time.Hour); err != nil {
		t.Errorf("SaveDeck once an expired deck made room: %v", err)
	}
}

func testLease(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	lease := func(owner string, ttl time.Duration) bool {
		t.Helper()
		ok, err := f.s.Lease(f.ctx, f.code, owner, ttl)
		if err != nil {
			t.Fatalf("Lease for %s: %v", owner, err)
		}
		return ok
	}
	const ttl = 300 * time.Millisecond
	if !lease("a", ttl) {
		t.Fatal("Lease of a free room: refused")
	}
	if !lease("a", ttl) {
		t.Error("Lease renewed by its owner: refused")
	}
	if lease("b", ttl) {
		t.Error("Lease held by another owner: granted")
	}
	if err := f.s.Release(f.ctx, f.code, "b"); err != nil {
		t.Fatalf("Release by a non-owner: %v", err)
	}
	if lease("b", ttl) {
		t.Error("Lease after a non-owner's release: granted, want the owner to keep it")
	}
	eventually(t, "the lease expires without renewal", func() bool { return lease("b", time.Minute) })
	if lease("a", ttl) {
		t.Error("Lease taken over after its TTL: the old owner got it back")
	}
	if err := f.s.Release(f.ctx, f.code, "b"); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if !lease("a", ttl) {
		t.Error("Lease after its owner's release: refused")
	}
}

// testKeepLeases checks that KeepLeases renews every lease its owner holds,
// and no other owner's, and that they lapse once it stops.
func testKeepLeases(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	g, h := f.another([]game.Question{single()}), f.another([]game.Question{single()})
	lease := func(r *fixture, owner string, ttl time.Duration) bool {
		t.Helper()
		ok, err := f.s.Lease(f.ctx, r.code, owner, ttl)
		if err != nil {
			t.Fatalf("Lease of %s for %s: %v", r.code, owner, err)
		}
		return ok
	}
	const ttl = time.Second
	if !lease(f, "a", ttl) || !lease(g, "a", ttl) || !lease(h, "b", ttl) {
		t.Fatal("Lease of free rooms: refused")
	}
	for range 6 { // twice the TTL
		time.Sleep(ttl / 3)
		if err := f.s.KeepLeases(f.ctx, "a", ttl); err != nil {
			t.Fatalf("KeepLeases: %v", err)
		}
	}
	if lease(f, "c", time.Minute) || lease(g, "c", time.Minute) {
		t.Error("Lease of a room whose owner keeps its leases: granted")
	}
	if !lease(h, "c", time.Minute) {
		t.Error("Lease of another owner's room, not renewed for twice its TTL: refused (KeepLeases renewed it)")
	}
	eventually(t, "a's leases lapsing once it no longer keeps them", func() bool { return lease(f, "c", time.Minute) })
}

// testKeep checks that a room whose game runs expires unless kept, every
// part of it, and that a finished room keeps its own retention.
func testKeep(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	p, _ := f.join("Ann")
	f.connectOn("A", p.ID, 1, time.Minute)
	f.open(0)
	f.submit(p.ID, 0, choice(1))
	const ttl = 2 * time.Second // sleeps of half and three quarters of it stay shorter on a loaded machine
	if err := f.s.Keep(f.ctx, f.code, ttl); err != nil {
		t.Fatalf("Keep: %v", err)
	}
	time.Sleep(ttl / 2)
	if err := f.s.Keep(f.ctx, f.code, ttl); err != nil { // kept again
		t.Fatalf("Keep again: %v", err)
	}
	time.Sleep(ttl * 3 / 4)
	if _, err := f.s.State(f.ctx, f.code); err != nil {
		t.Errorf("State of a room kept again: %v", err)
	}
	eventually(t, "a room no longer kept expiring", func() bool {
		_, err := f.s.State(f.ctx, f.code)
		return err != nil
	})
	wantErr(t, "Spec of a room that expired", second(f.s.Spec(f.ctx, f.code)), room.ErrNotFound)
	wantErr(t, "Report of a room that expired", second(f.s.Report(f.ctx, f.code)), room.ErrNotFound)
	wantErr(t, "Keep of a room that expired", f.s.Keep(f.ctx, f.code, ttl), room.ErrNotFound)
	live, err := f.s.Rooms(f.ctx)
	if err != nil || slices.Contains(live, f.code) {
		t.Errorf("Rooms after the room expired: %v, %v; want it gone", live, err)
	}

	// A finished room is kept for its retention, whatever Keep says.
	g := newRoom(t, newStore, []game.Question{single()}, nil)
	g.advance(room.Transition{To: game.PhaseClosed, Retain: time.Hour})
	if err := g.s.Keep(g.ctx, g.code, time.Millisecond); err != nil {
		t.Fatalf("Keep of a closed room: %v", err)
	}
	time.Sleep(50 * time.Millisecond)
	if _, err := g.s.State(g.ctx, g.code); err != nil {
		t.Errorf("State of a closed room after a short Keep: %v, want it retained", err)
	}
}
