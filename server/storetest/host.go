package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// wantHostEvent fails unless the room's newest event says the host is
// away (or back) with auto pacing as given, in phase.
func (f *fixture) wantHostEvent(what string, away, auto bool, phase game.Phase) room.Event {
	f.t.Helper()
	ev := f.lastEvent()
	if ev.Type != room.EventHost || ev.Away != away || ev.AutoPacing != auto || ev.Phase != phase {
		f.t.Errorf("%s: last event %+v, want EventHost away %v, auto %v, in %v", what, ev, away, auto, phase)
	}
	return ev
}

// testHostPresence checks that the host's streams count under
// room.HostMember without counting as a player who may answer, that the
// host going away (its last stream out, or its instance's lease lapsed)
// and coming back are recorded once each, and that a finished room
// records neither.
func testHostPresence(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single(), single()}, nil)
	ids := f.players(2)
	f.connectOn("A", room.HostMember, 1, time.Minute)
	f.connectOn("A", room.HostMember, 1, time.Minute)
	if st := f.state(); !st.HostAway.IsZero() || st.Seq != 0 {
		t.Errorf("a host who connected: %+v, want no event and the host here", st)
	}
	f.connectOn("A", room.HostMember, -1, time.Minute)
	if st := f.state(); !st.HostAway.IsZero() || st.Seq != 0 {
		t.Errorf("a host with one of two streams left: %+v, want the host here", st)
	}
	f.connectOn("A", room.HostMember, -1, time.Minute)
	ev := f.wantHostEvent("the host's last stream out, in the lobby", true, false, game.PhaseLobby)
	if st := f.state(); !st.HostAway.Equal(ev.Time) {
		t.Errorf("HostAway %v, want the event's time %v", st.HostAway, ev.Time)
	}
	f.connectOn("B", room.HostMember, 1, time.Minute)
	f.wantHostEvent("the host back on another instance", false, false, game.PhaseLobby)
	if st := f.state(); !st.HostAway.IsZero() {
		t.Errorf("HostAway %v after the host came back, want zero", st.HostAway)
	}

	// The host counts nowhere in Waiting: one connected player answering
	// is everyone.
	f.connectOn("B", ids[0], 1, time.Minute)
	f.open(0)
	f.wantWaiting("a question opened with the host and one player connected", 1)
	if acc := f.submit(ids[0], 0, choice(1)); !acc.AllAnswered {
		t.Errorf("the one connected player answered: %+v, want AllAnswered", acc)
	}

	// The host's instance stops renewing: another instance judges it.
	f.connectOn("C", room.HostMember, 1, lapse)
	f.connectOn("B", room.HostMember, -1, time.Minute)
	seq := f.state().Seq
	time.Sleep(lapsed)
	f.presence("B", time.Minute, nil)
	f.wantHostEvent("the host's instance lapsed", true, false, game.PhaseQuestion)
	if got := f.state().Seq; got != seq+1 {
		t.Errorf("seq %d after the lease lapsed, want %d: one event", got, seq+1)
	}
	// Set counts bring the host back, as Connect does.
	f.presence("B", time.Minute, map[string]int{ids[0]: 1, room.HostMember: 1})
	f.wantHostEvent("the host counted by Presence", false, false, game.PhaseQuestion)
	f.presence("B", time.Minute, map[string]int{ids[0]: 1})
	f.wantHostEvent("the host dropped by Presence", true, false, game.PhaseQuestion)

	f.reveal(0)
	f.advance(room.Transition{To: game.PhaseFinished, Retain: time.Hour})
	f.connectOn("B", room.HostMember, 1, time.Minute)
	seq = f.state().Seq
	f.connectOn("B", room.HostMember, -1, time.Minute)
	if st := f.state(); st.Seq != seq {
		t.Errorf("the host left a finished game: seq %d, want %d (no event)", st.Seq, seq)
	}
}

// testHostAuto checks Transition.Auto: refused while the host is here,
// it puts the game on AUTO pacing (a pause ends, a reveal gets a hold,
// later reveals hold AutoHold) until the host comes back, which drops the
// hold AUTO pacing set.
func testHostAuto(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single(), single(), single()}, nil)
	f.players(1)
	f.connectOn("A", room.HostMember, 1, time.Minute)
	f.open(0)
	f.reveal(0)
	f.advance(room.Transition{To: game.PhasePaused, Q: 0})
	auto := room.Transition{Auto: true, Hold: 2 * time.Second, Retain: time.Hour}
	auto.Version = f.state().Version
	if _, err := f.s.Advance(f.ctx, f.code, auto); !errors.Is(err, room.ErrConflict) {
		t.Errorf("Auto while the host is here: %v, want ErrConflict", err)
	}
	f.connectOn("A", room.HostMember, -1, time.Minute)
	f.wantHostEvent("the host away in a pause", true, false, game.PhasePaused)
	seq := f.state().Seq
	st := f.advance(auto)
	if !st.AutoPacing || st.Phase != game.PhaseReveal || st.Deadline.IsZero() || st.Deadline.Sub(st.Now) > 2*time.Second {
		t.Errorf("after Auto: %+v; want AUTO pacing, the pause over, a reveal held at most 2 s", st)
	}
	evs := f.events(seq)
	if len(evs) != 2 || evs[0].Type != room.EventResumed || evs[0].Phase != game.PhaseReveal {
		t.Fatalf("events of Auto: %+v, want EventResumed then EventHost", evs)
	}
	f.wantHostEvent("Auto", true, true, game.PhaseReveal)
	auto.Version = st.Version
	if _, err := f.s.Advance(f.ctx, f.code, auto); !errors.Is(err, room.ErrConflict) {
		t.Errorf("Auto twice: %v, want ErrConflict", err)
	}

	// Under AUTO pacing a reveal without a Hold of its own holds AutoHold.
	f.open(1)
	st = f.advance(room.Transition{To: game.PhaseReveal, Q: 1, Options: 4, AutoHold: 3 * time.Second})
	if st.Deadline.IsZero() || st.Deadline.Sub(st.Now) > 3*time.Second {
		t.Errorf("a reveal under AUTO pacing: deadline %v at %v, want at most 3 s on", st.Deadline, st.Now)
	}
	// The host comes back: it paces again, and the reveal waits for it.
	f.connectOn("B", room.HostMember, 1, time.Minute)
	f.wantHostEvent("the host back", false, false, game.PhaseReveal)
	if st := f.state(); st.AutoPacing || !st.Deadline.IsZero() || !st.HostAway.IsZero() {
		t.Errorf("after the host came back: %+v, want HOST pacing and no deadline", st)
	}
	f.open(2)
	if st := f.advance(room.Transition{To: game.PhaseReveal, Q: 2, Options: 4, AutoHold: 3 * time.Second}); !st.Deadline.IsZero() {
		t.Errorf("a reveal with the host back: deadline %v, want none", st.Deadline)
	}
}
