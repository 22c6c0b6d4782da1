package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

func testJoin(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, func(s *game.Settings) { s.MaxPlayers = 3 })
	tryJoin := func(name string) error {
		name, key, err := room.ParseName(name)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.s.Join(f.ctx, f.code, room.Join{Name: name, NameKey: key, TokenHash: room.HashToken(room.NewToken())})
		return err
	}
	ann, _ := f.join("Ann")
	bob, _ := f.join("Bob")
	if ann != (room.Player{ID: room.PlayerID(1), Name: "Ann"}) || bob != (room.Player{ID: room.PlayerID(2), Name: "Bob"}) {
		t.Errorf("Join: got %+v and %+v, want ids %s and %s in join order", ann, bob, room.PlayerID(1), room.PlayerID(2))
	}
	wantMsg(t, "Join with a name taken in another case", tryJoin("ANN"), room.ErrExists, fmt.Sprintf("the name %q is taken in room %s", "ANN", f.code))
	cy, _ := f.join("Cy")
	wantMsg(t, "Join of a full room", tryJoin("Dee"), room.ErrFull, fmt.Sprintf("room %s is full: 3 players", f.code))
	// A kicked player's name stays taken; a departed player's is free again,
	// and a new join never reuses an id.
	if _, err := f.s.Kick(f.ctx, f.code, cy.ID); err != nil {
		t.Fatalf("Kick: %v", err)
	}
	wantErr(t, "Join with a kicked player's name", tryJoin("cy"), room.ErrExists)
	if err := f.s.Leave(f.ctx, f.code, bob.ID); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	bob2, _ := f.join("BOB")
	if bob2.ID != room.PlayerID(4) || bob2.Name != "BOB" {
		t.Errorf("Join with a departed player's name: got %+v, want a new player %s", bob2, room.PlayerID(4))
	}
	if st := f.state(); st.Players != 2 {
		t.Errorf("Players after 4 joins, a kick and a departure: %d, want 2", st.Players)
	}
	// A locked lobby refuses joins; unlocking admits them again.
	if _, err := f.s.Lock(f.ctx, f.code, true); err != nil {
		t.Fatalf("Lock: %v", err)
	}
	wantMsg(t, "Join of a locked room", tryJoin("Eve"), room.ErrPhase, fmt.Sprintf("room %s is locked", f.code))
	if _, err := f.s.Lock(f.ctx, f.code, false); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	// Joining once the game runs is allowed; once it is over it is not.
	f.open(0)
	f.join("Eve")
	f.advance(room.Transition{To: game.PhaseFinished, Retain: time.Hour})
	wantMsg(t, "Join of a finished game", tryJoin("Fay"), room.ErrPhase, fmt.Sprintf("the game in room %s is over", f.code))
}

func testIdentify(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	ann, annHash := f.join("Ann")
	bob, bobHash := f.join("Bob")
	cy, cyHash := f.join("Cy")
	id, err := f.s.Identify(f.ctx, f.code, f.spec.HostTokenHash)
	if err != nil || id != (room.Identity{Role: room.Host}) {
		t.Errorf("Identify the host: %+v, %v", id, err)
	}
	id, err = f.s.Identify(f.ctx, f.code, annHash)
	if err != nil || id != (room.Identity{Role: room.PlayerRole, PlayerID: ann.ID, Name: "Ann"}) {
		t.Errorf("Identify a player: %+v, %v", id, err)
	}
	wantMsg(t, "Identify an unknown token", second(f.s.Identify(f.ctx, f.code, room.HashToken("nobody"))), room.ErrDenied,
		fmt.Sprintf("the token is not valid for room %s", f.code))
	if _, err := f.s.Kick(f.ctx, f.code, bob.ID); err != nil {
		t.Fatalf("Kick: %v", err)
	}
	if err := f.s.Leave(f.ctx, f.code, cy.ID); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	wantMsg(t, "Identify a kicked player", second(f.s.Identify(f.ctx, f.code, bobHash)), room.ErrDenied,
		fmt.Sprintf("player %s is no longer in room %s", bob.ID, f.code))
	wantMsg(t, "Identify a departed player", second(f.s.Identify(f.ctx, f.code, cyHash)), room.ErrDenied,
		fmt.Sprintf("player %s is no longer in room %s", cy.ID, f.code))
	other := newRoom(t, newStore, []game.Question{single()}, nil)
	wantErr(t, "Identify with another room's host token", second(other.s.Identify(other.ctx, other.code, f.spec.HostTokenHash)), room.ErrDenied)
}

func testLeaveKick(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	ids := f.players(4)
	missing := room.PlayerID(9)
	wantMsg(t, "Leave of an unknown player", f.s.Leave(f.ctx, f.code, missing), room.ErrNotFound,
		fmt.Sprintf("no player %s in room %s", missing, f.code))
	wantMsg(t, "Kick of an unknown player", second(f.s.Kick(f.ctx, f.code, missing)), room.ErrNotFound,
		fmt.Sprintf("no player %s in room %s", missing, f.code))
	if err := f.s.Leave(f.ctx, f.code, ids[0]); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	wantErr(t, "Leave twice", f.s.Leave(f.ctx, f.code, ids[0]), room.ErrNotFound)
	wantErr(t, "Kick of a departed player", second(f.s.Kick(f.ctx, f.code, ids[0])), room.ErrNotFound)
	before := f.state().Seq
	seq, err := f.s.Kick(f.ctx, f.code, ids[1])
	if err != nil {
		t.Fatalf("Kick: %v", err)
	}
	if seq != before+1 {
		t.Errorf("Kick: seq %d, want %d", seq, before+1)
	}
	ev := f.lastEvent()
	want := room.Player{ID: ids[1], Name: "PB"}
	if ev.Seq != seq || ev.Type != room.EventKicked || ev.Player == nil || *ev.Player != want || ev.Players != 2 {
		t.Errorf("Kick event: %+v, want EventKicked of %+v with 2 players left", ev, want)
	}
	wantErr(t, "Kick twice", second(f.s.Kick(f.ctx, f.code, ids[1])), room.ErrNotFound)
	wantErr(t, "Leave of a kicked player", f.s.Leave(f.ctx, f.code, ids[1]), room.ErrNotFound)
	sb, err := f.s.Scoreboard(f.ctx, f.code, -1)
	if err != nil {
		t.Fatalf("Scoreboard: %v", err)
	}
	if len(sb.Standings) != 2 || sb.Standings[0].PlayerID != ids[2] || sb.Standings[1].PlayerID != ids[3] {
		t.Errorf("Scoreboard after a departure and a kick: %+v, want %s and %s only", sb.Standings, ids[2], ids[3])
	}
}

func testLock(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	seq, err := f.s.Lock(f.ctx, f.code, true)
	if err != nil || seq != 1 {
		t.Fatalf("Lock: seq %d, %v; want seq 1", seq, err)
	}
	if ev := f.lastEvent(); ev.Type != room.EventLocked || !ev.Locked || ev.Seq != 1 {
		t.Errorf("Lock event: %+v, want EventLocked locked", ev)
	}
	if !f.state().Locked {
		t.Error("State after Lock: not locked")
	}
	if seq, err := f.s.Lock(f.ctx, f.code, true); err != nil || seq != 0 {
		t.Errorf("Lock of a locked room: seq %d, %v; want 0, no event", seq, err)
	}
	seq, err = f.s.Lock(f.ctx, f.code, false)
	if err != nil || seq != 2 {
		t.Fatalf("Unlock: seq %d, %v; want 2", seq, err)
	}
	if ev := f.lastEvent(); ev.Type != room.EventLocked || ev.Locked {
		t.Errorf("Unlock event: %+v, want EventLocked unlocked", ev)
	}
	if f.state().Locked {
		t.Error("State after unlocking: locked")
	}
	f.open(0)
	wantErr(t, "Lock once the game has started", second(f.s.Lock(f.ctx, f.code, true)), room.ErrPhase)
	f.advance(room.Transition{To: game.PhaseFinished, Retain: time.Hour})
	wantErr(t, "Lock once the game is over", second(f.s.Lock(f.ctx, f.code, true)), room.ErrPhase)
}

func testRoster(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	if seq, err := f.s.FlushRoster(f.ctx, f.code, 2); err != nil || seq != 0 {
		t.Errorf("FlushRoster with no changes: seq %d, %v; want 0", seq, err)
	}
	if f.state().RosterPending {
		t.Error("State before any join: RosterPending")
	}
	ids := f.players(5)
	if !f.state().RosterPending {
		t.Error("State after joins: not RosterPending")
	}
	seq, err := f.s.FlushRoster(f.ctx, f.code, 2)
	if f.state().RosterPending {
		t.Error("State after FlushRoster: RosterPending")
	}
	if err != nil || seq != 1 {
		t.Fatalf("FlushRoster: seq %d, %v; want 1", seq, err)
	}
	p := func(i int) room.Player { return room.Player{ID: ids[i], Name: "P" + string(rune('A'+i))} }
	want := room.Event{Seq: 1, Type: room.EventRoster, Players: 5, Joined: []room.Player{p(3), p(4)}, JoinedOmitted: 3}
	if ev := f.lastEvent(); !sameEvent(ev, want) {
		t.Errorf("roster event:\n got %+v\nwant %+v", ev, want)
	}
	if seq, err := f.s.FlushRoster(f.ctx, f.code, 2); err != nil || seq != 0 {
		t.Errorf("FlushRoster right after a flush: seq %d, %v; want 0", seq, err)
	}
	for _, i := range []int{1, 2} {
		if err := f.s.Leave(f.ctx, f.code, ids[i]); err != nil {
			t.Fatalf("Leave: %v", err)
		}
	}
	if !f.state().RosterPending {
		t.Error("State after departures: not RosterPending")
	}
	if _, err := f.s.Kick(f.ctx, f.code, ids[3]); err != nil { // seq 2, not in a roster event
		t.Fatalf("Kick: %v", err)
	}
	fay, _ := f.join("PF")
	seq, err = f.s.FlushRoster(f.ctx, f.code, 1)
	if err != nil || seq != 3 {
		t.Fatalf("FlushRoster: seq %d, %v; want 3", seq, err)
	}
	want = room.Event{Seq: 3, Type: room.EventRoster, Players: 3, Joined: []room.Player{fay}, Left: []room.Player{p(2)}, LeftOmitted: 1}
	if ev := f.lastEvent(); !sameEvent(ev, want) {
		t.Errorf("roster event:\n got %+v\nwant %+v", ev, want)
	}
	roster, n, err := f.s.Roster(f.ctx, f.code, 0)
	if wantAll := []room.Player{fay, p(4), p(0)}; err != nil || n != 3 || !reflect.DeepEqual(roster, wantAll) {
		t.Errorf("Roster(0): %+v, %d, %v; want %+v, 3", roster, n, err, wantAll)
	}
	roster, n, err = f.s.Roster(f.ctx, f.code, 2)
	if wantTwo := []room.Player{fay, p(4)}; err != nil || n != 3 || !reflect.DeepEqual(roster, wantTwo) {
		t.Errorf("Roster(2): %+v, %d, %v; want %+v, 3", roster, n, err, wantTwo)
	}
}

// sameEvent compares events but for their time.
func sameEvent(got, want room.Event) bool {
	got.Time = time.Time{}
	return reflect.DeepEqual(got, want)
}

func testPresence(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single(), single()}, nil)
	ids := f.players(4)
	a, b, c, d := ids[0], ids[1], ids[2], ids[3]
	// Each Connect asks for the state after it too, which must be what a
	// read right after finds, the clock aside.
	connect := func(id string, delta int) bool {
		t.Helper()
		c, err := f.s.Connect(f.ctx, f.code, room.Connection{PlayerID: id, Instance: "i1", Delta: delta, TTL: time.Minute, State: true})
		if err != nil {
			t.Fatalf("Connect %s %+d: %v", id, delta, err)
		}
		st := f.state()
		if got := c.State; got == nil || got.Now.IsZero() || got.Now.After(st.Now) {
			t.Fatalf("Connect %s %+d: state %+v, want one read no later than %v", id, delta, got, st.Now)
		}
		got := *c.State
		got.Now = st.Now
		if got != *st {
			t.Errorf("Connect %s %+d: state %+v; a read right after: %+v", id, delta, got, *st)
		}
		return c.AllAnswered
	}
	wantCounts := func(what string, answered, waiting int) {
		t.Helper()
		if st := f.state(); st.Answered != answered || st.Waiting != waiting {
			t.Errorf("%s: answered %d, waiting %d; want %d, %d", what, st.Answered, st.Waiting, answered, waiting)
		}
	}
	connect(a, 1)
	connect(b, 1)
	connect(d, 1)
	wantCounts("in the lobby", 0, 0)
	f.open(0)
	wantCounts("question opened with 3 connected", 0, 3)
	connect(a, 1) // a second stream
	connect(a, -1)
	wantCounts("a second stream opened and closed", 0, 3)
	if acc := f.submit(a, 0, choice(1)); acc.AllAnswered {
		t.Error("Submit with 2 connected players waiting: AllAnswered")
	}
	wantCounts("a connected player answered", 1, 2)
	if acc := f.submit(c, 0, choice(0)); acc.AllAnswered {
		t.Error("Submit by a player who is not connected: AllAnswered")
	}
	wantCounts("a player who is not connected answered", 2, 2)
	if err := f.s.Leave(f.ctx, f.code, d); err != nil {
		t.Fatalf("Leave: %v", err)
	}
	wantCounts("a connected player left without answering", 2, 1)
	if !connect(b, -1) {
		t.Error("Connect -1 of the last player waiting: want true, everyone connected answered")
	}
	wantCounts("the last player waiting disconnected", 2, 0)
	connect(c, 1)
	wantCounts("a player who answered connected", 2, 0)
	if connect(room.PlayerID(99), 1) || connect(d, 1) {
		t.Error("Connect of an unknown or departed player: want false")
	}
	f.reveal(0)
	f.open(1) // a and c are connected
	wantCounts("second question opened", 0, 2)
	if acc := f.submit(a, 1, choice(1)); acc.AllAnswered {
		t.Error("Submit with one player waiting: AllAnswered")
	}
	acc := f.submit(c, 1, choice(1))
	if !acc.AllAnswered || acc.Version != f.state().Version {
		t.Errorf("Submit by the last connected player: %+v; want AllAnswered at version %d", acc, f.state().Version)
	}
}

// testPresenceWhilePaused checks that streams opened or closed while a
// question is paused count once it resumes.
func testPresenceWhilePaused(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	ids := f.players(3)
	connect := func(id string, delta int) {
		t.Helper()
		if _, err := f.s.Connect(f.ctx, f.code, room.Connection{PlayerID: id, Instance: "i1", Delta: delta, TTL: time.Minute}); err != nil {
			t.Fatal(err)
		}
	}
	connect(ids[0], 1)
	connect(ids[1], 1)
	f.open(0)
	f.advance(room.Transition{To: game.PhasePaused})
	connect(ids[2], 1) // starts waiting while paused
	f.advance(room.Transition{To: game.PhaseQuestion, Resume: true})
	if st := f.state(); st.Waiting != 3 {
		t.Errorf("Waiting after a pause in which a player connected: %d, want 3", st.Waiting)
	}
	f.advance(room.Transition{To: game.PhasePaused})
	connect(ids[1], -1) // stops waiting while paused
	f.advance(room.Transition{To: game.PhaseQuestion, Resume: true})
	if st := f.state(); st.Waiting != 2 {
		t.Errorf("Waiting after a pause in which a player disconnected: %d, want 2", st.Waiting)
	}
	if acc := f.submit(ids[0], 0, choice(1)); acc.AllAnswered {
		t.Error("Submit while a player who connected during a pause has not answered: AllAnswered")
	}
	if acc := f.submit(ids[2], 0, choice(1)); !acc.AllAnswered {
		t.Error("Submit by the last connected player: not AllAnswered")
	}
}
