package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

func testAdvance(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single(), typed()}, nil)
	f.players(2)
	check := func(what string, st *room.State, version int64, seq uint64, want ...room.Event) {
		t.Helper()
		if st.Version != version || st.Seq != seq || !st.Touched.Equal(st.Now) {
			t.Errorf("%s: version %d, seq %d, touched %v at %v; want version %d, seq %d, touched now", what, st.Version, st.Seq, st.Touched, st.Now, version, seq)
		}
		got := f.events(seq - uint64(len(want)))
		for i := range want {
			want[i].Seq = seq - uint64(len(want)-1-i)
			if i < len(got) && !got[i].Time.Equal(st.Now) {
				t.Errorf("%s: event %d at %v, want the time of the move %v", what, got[i].Seq, got[i].Time, st.Now)
			}
			if i < len(got) {
				got[i].Time = time.Time{}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: events\n got %+v\nwant %+v", what, got, want)
		}
	}

	st := f.advance(room.Transition{To: game.PhaseQuestion, Q: 0, Read: time.Second, Limit: 5 * time.Second})
	if st.Phase != game.PhaseQuestion || st.Q != 0 || !st.OpensAt.Equal(st.Now.Add(time.Second)) || !st.Deadline.Equal(st.OpensAt.Add(5*time.Second)) {
		t.Errorf("first question: %+v; want question 0, options open 1 s after now, deadline 5 s later", st)
	}
	check("start", st, 1, 2,
		room.Event{Type: room.EventStarted, Players: 2},
		room.Event{Type: room.EventOpened, Q: 0, OpensAt: st.OpensAt, Deadline: st.Deadline})

	st = f.advance(room.Transition{To: game.PhaseReveal, Q: 0, Options: 4})
	if st.Phase != game.PhaseReveal || !st.Deadline.IsZero() || st.Played != 1 {
		t.Errorf("reveal without hold: %+v; want no deadline, 1 played", st)
	}
	check("reveal", st, 2, 3, room.Event{Type: room.EventRevealed, Q: 0, Counts: []int{0, 0, 0, 0}, Players: 2})

	st = f.advance(room.Transition{To: game.PhaseLeaderboard, Q: 0, Hold: 2 * time.Second})
	if st.Phase != game.PhaseLeaderboard || !st.Deadline.Equal(st.Now.Add(2*time.Second)) {
		t.Errorf("leaderboard with hold: %+v; want a deadline 2 s after now", st)
	}
	check("leaderboard", st, 3, 4, room.Event{Type: room.EventLeaderboard, Q: 0})

	st = f.advance(room.Transition{To: game.PhaseQuestion, Q: 1, Limit: 5 * time.Second})
	if st.Q != 1 || !st.OpensAt.Equal(st.Now) || st.Answered != 0 {
		t.Errorf("second question: %+v; want question 1 open now", st)
	}
	check("second question", st, 4, 5, room.Event{Type: room.EventOpened, Q: 1, OpensAt: st.OpensAt, Deadline: st.Deadline})

	st = f.advance(room.Transition{To: game.PhaseReveal, Q: 1, Hold: 3 * time.Second})
	if !st.Deadline.Equal(st.Now.Add(3*time.Second)) || st.Played != 2 {
		t.Errorf("reveal with hold: %+v; want a deadline 3 s after now, 2 played", st)
	}
	check("reveal of a typed question", st, 5, 6, room.Event{Type: room.EventRevealed, Q: 1, Players: 2})

	st = f.advance(room.Transition{To: game.PhaseFinished, Q: 1, Retain: time.Hour})
	if st.Phase != game.PhaseFinished || !st.Deadline.IsZero() {
		t.Errorf("finish: %+v; want finished with no deadline", st)
	}
	check("finish", st, 6, 7, room.Event{Type: room.EventFinished, Q: 1, Played: 2, Players: 2})

	g := newRoom(t, newStore, []game.Question{single()}, nil)
	wantMsg(t, "Advance to the lobby", second(g.s.Advance(g.ctx, g.code, room.Transition{To: game.PhaseLobby})), room.ErrInvalid, "no transition to lobby")
	wantMsg(t, "Resume of a game that is not paused", second(g.s.Advance(g.ctx, g.code, room.Transition{To: game.PhaseQuestion, Resume: true})),
		room.ErrPhase, fmt.Sprintf("the game in room %s is not paused", g.code))
	if st := g.state(); st.Version != 0 || st.Seq != 0 {
		t.Errorf("after refused moves: version %d, seq %d; want both 0", st.Version, st.Seq)
	}
	st = g.advance(room.Transition{To: game.PhaseClosed, Reason: "the host closed the room", Retain: time.Hour})
	if st.Phase != game.PhaseClosed {
		t.Errorf("close: phase %v", st.Phase)
	}
	if ev := g.lastEvent(); !sameEvent(ev, room.Event{Seq: 1, Type: room.EventClosed, Reason: "the host closed the room"}) {
		t.Errorf("close: event %+v", ev)
	}
}

func testPauseResume(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single(), single()}, nil)
	f.players(1)
	open := f.advance(room.Transition{To: game.PhaseQuestion, Q: 0, Read: time.Second, Limit: 5 * time.Second})
	paused := f.advance(room.Transition{To: game.PhasePaused})
	if paused.Phase != game.PhasePaused || paused.PausedPhase != game.PhaseQuestion || !paused.PausedAt.Equal(paused.Now) {
		t.Errorf("pause: %+v; want paused in the question at now", paused)
	}
	remaining := open.Deadline.Sub(paused.PausedAt)
	if paused.Remaining() != remaining {
		t.Errorf("pause: remaining %v, want %v", paused.Remaining(), remaining)
	}
	if ev := f.lastEvent(); !sameEvent(ev, room.Event{Seq: paused.Seq, Type: room.EventPaused, Phase: game.PhaseQuestion, Remaining: remaining}) {
		t.Errorf("pause: event %+v, want EventPaused of the question with %v remaining", ev, remaining)
	}
	time.Sleep(300 * time.Millisecond)
	if st := f.state(); st.Remaining() != remaining {
		t.Errorf("remaining while paused: %v, want it frozen at %v", st.Remaining(), remaining)
	}
	resumed := f.advance(room.Transition{To: game.PhaseQuestion, Resume: true})
	shift := resumed.Now.Sub(paused.PausedAt)
	if shift < 300*time.Millisecond {
		t.Errorf("resume: %v after the pause, want at least the 300 ms slept", shift)
	}
	if resumed.Phase != game.PhaseQuestion || resumed.PausedPhase != 0 || !resumed.PausedAt.IsZero() ||
		!resumed.OpensAt.Equal(open.OpensAt.Add(shift)) || !resumed.Deadline.Equal(open.Deadline.Add(shift)) {
		t.Errorf("resume: %+v; want the question back with options and deadline %v later", resumed, shift)
	}
	want := room.Event{Seq: resumed.Seq, Type: room.EventResumed, Phase: game.PhaseQuestion, OpensAt: resumed.OpensAt, Deadline: resumed.Deadline}
	if ev := f.lastEvent(); !sameEvent(ev, want) || !ev.Time.Equal(resumed.Now) {
		t.Errorf("resume: event %+v, want %+v", ev, want)
	}

	// A pause of a reveal without a deadline keeps none; ending a paused
	// question (a reveal that is not a resume) clears the pause.
	f.advance(room.Transition{To: game.PhasePaused})
	st := f.advance(room.Transition{To: game.PhaseReveal, Q: 0, Options: 4})
	if st.Phase != game.PhaseReveal || st.PausedPhase != 0 || !st.PausedAt.IsZero() {
		t.Errorf("reveal of a paused question: %+v; want the reveal and no pause", st)
	}
	f.advance(room.Transition{To: game.PhasePaused})
	st = f.advance(room.Transition{To: game.PhaseReveal, Resume: true})
	if st.Phase != game.PhaseReveal || !st.Deadline.IsZero() {
		t.Errorf("resume of a reveal without a deadline: %+v; want the reveal, still without a deadline", st)
	}
	// A reveal's hold is frozen and shifted like a question's deadline.
	f.advance(room.Transition{To: game.PhaseQuestion, Q: 1, Limit: 5 * time.Second})
	held := f.advance(room.Transition{To: game.PhaseReveal, Q: 1, Options: 4, Hold: 5 * time.Second})
	paused = f.advance(room.Transition{To: game.PhasePaused})
	if ev := f.lastEvent(); ev.Phase != game.PhaseReveal || ev.Remaining != held.Deadline.Sub(paused.PausedAt) {
		t.Errorf("pause of a held reveal: event %+v, want the reveal with %v remaining", ev, held.Deadline.Sub(paused.PausedAt))
	}
	time.Sleep(100 * time.Millisecond)
	resumed = f.advance(room.Transition{To: game.PhaseReveal, Resume: true})
	if !resumed.Deadline.Equal(held.Deadline.Add(resumed.Now.Sub(paused.PausedAt))) {
		t.Errorf("resume of a held reveal: deadline %v, want %v shifted by the pause", resumed.Deadline, held.Deadline)
	}
}

func testFencing(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	st := f.state()
	stale := room.Transition{Version: st.Version + 1, To: game.PhaseQuestion, Limit: 5 * time.Second}
	wantMsg(t, "Advance with a newer version", second(f.s.Advance(f.ctx, f.code, stale)), room.ErrConflict,
		fmt.Sprintf("room %s changed: version 0, expected 1", f.code))
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = f.s.Advance(f.ctx, f.code, room.Transition{Version: st.Version, To: game.PhaseQuestion, Limit: 5 * time.Second})
		})
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, room.ErrConflict):
			t.Errorf("concurrent Advance %d: %v, want success or ErrConflict", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d concurrent moves from version %d: %d succeeded, want 1", n, st.Version, won)
	}
	if st := f.state(); st.Version != 1 || st.Seq != 2 || len(f.events(0)) != 2 {
		t.Errorf("after one move won: version %d, seq %d, %d events; want 1, 2 and 2 (started, opened)", st.Version, st.Seq, len(f.events(0)))
	}
}

// lockToggles appends n EventLocked events, each flipping the lock.
func (f *fixture) lockToggles(n int) {
	f.t.Helper()
	locked := f.state().Locked
	for range n {
		locked = !locked
		if _, err := f.s.Lock(f.ctx, f.code, locked); err != nil {
			f.t.Fatalf("Lock: %v", err)
		}
	}
}

func testEvents(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	if evs := f.events(0); len(evs) != 0 {
		t.Errorf("events of a new room: %+v, want none", evs)
	}
	f.lockToggles(20)
	all := f.events(0)
	if len(all) != 20 {
		t.Fatalf("events after 20 changes: %d", len(all))
	}
	for i, ev := range all {
		if ev.Seq != uint64(i+1) || ev.Type != room.EventLocked || ev.Locked != (i%2 == 0) {
			t.Errorf("event %d: %+v, want seq %d, locked %v", i, ev, i+1, i%2 == 0)
		}
		if i > 0 && ev.Time.Before(all[i-1].Time) {
			t.Errorf("event %d at %v, before the one ahead of it at %v", ev.Seq, ev.Time, all[i-1].Time)
		}
	}
	evs, err := f.s.Events(f.ctx, f.code, 5, 3)
	if err != nil || len(evs) != 3 || evs[0].Seq != 6 || evs[2].Seq != 8 {
		t.Errorf("Events after 5, at most 3: %+v, %v; want seqs 6 to 8", evs, err)
	}
	if evs := f.events(20); len(evs) != 0 {
		t.Errorf("Events after the last: %+v, want none", evs)
	}
	wantErr(t, "Events after a seq beyond the last", second(f.s.Events(f.ctx, f.code, 25, 10)), room.ErrLost)
	if st := f.state(); st.Seq != 20 {
		t.Errorf("state seq: %d, want 20", st.Seq)
	}
}

func testTrimmed(t *testing.T, newStore NewStore) {
	s := newStore(t, Options{LogSize: 10})
	spec := newSpec([]game.Question{single()}, nil)
	c := ctx(t)
	if err := s.CreateRoom(c, spec, 10); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, s: s, spec: spec, code: spec.Code, ctx: c}
	const n = 300
	f.lockToggles(n)
	wantErr(t, "Events after 0 of 300 with a log of 10", second(s.Events(c, f.code, 0, 10)), room.ErrTrimmed)
	wantErr(t, "Wait after 0 of 300 with a log of 10", second(s.Wait(c, f.code, 0, 10, time.Second)), room.ErrTrimmed)
	evs, err := s.Events(c, f.code, n-10, 100)
	if err != nil || len(evs) != 10 || evs[0].Seq != n-9 || evs[9].Seq != n {
		t.Errorf("Events of the last 10 of 300 with a log of 10: %d events, %v; want seqs %d to %d", len(evs), err, n-9, n)
	}
}

func testWait(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	f.lockToggles(5)
	evs, err := f.s.Wait(f.ctx, f.code, 2, 2, 5*time.Second)
	if err != nil || len(evs) != 2 || evs[0].Seq != 3 || evs[1].Seq != 4 {
		t.Errorf("Wait with events pending: %+v, %v; want seqs 3 and 4 at once", evs, err)
	}
	evs, err = f.s.Wait(f.ctx, f.code, 5, 10, 200*time.Millisecond)
	if err != nil || len(evs) != 0 {
		t.Errorf("Wait with nothing appended: %+v, %v; want no events and no error", evs, err)
	}
	type result struct {
		evs []room.Event
		err error
	}
	done := make(chan result, 1)
	go func() {
		evs, err := f.s.Wait(f.ctx, f.code, 5, 10, timeout)
		done <- result{evs, err}
	}()
	time.Sleep(200 * time.Millisecond) // let it block
	f.lockToggles(1)
	select {
	case r := <-done:
		if r.err != nil || len(r.evs) != 1 || r.evs[0].Seq != 6 {
			t.Errorf("Wait woken by an event: %+v, %v; want seq 6", r.evs, r.err)
		}
	case <-time.After(timeout + 5*time.Second):
		t.Fatal("Wait did not return after an event was appended")
	}
	wantErr(t, "Wait on a missing room", second(f.s.Wait(f.ctx, room.NewCode(), 0, 10, 200*time.Millisecond)), room.ErrNotFound)
}

func testRanking(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single(), single()}, scoring(game.Scoring{Policy: game.Accuracy}))
	// Joins: A, B, C, D, E, F, G. Accuracy scores flat, so scores tie on
	// purpose and correct time (then join order) decides.
	ids := f.players(7)
	models := make([]model, len(ids))
	for i := range models {
		models[i].streakQ = -1
	}
	plans := [][]plan{
		row(late(choice(1)), ans(choice(0))),  // A: 1000, slow
		row(ans(choice(1)), ans(choice(0))),   // B: 1000, fast
		row(none(), none()),                   // C: 0, no time
		row(ans(choice(0)), ans(choice(0))),   // D: 0, no time, after C
		row(late(choice(1)), late(choice(1))), // E: 2000, slowest
		row(ans(choice(1)), late(choice(1))),  // F: 2000, faster than E
		row(ans(choice(1)), ans(choice(0))),   // G: 1000, fast, after B
	}
	for q := range f.spec.Questions {
		f.open(q)
		f.submitPlans(t, q, ids, plans, models)
		f.reveal(q)
	}
	sb, err := f.s.Scoreboard(f.ctx, f.code, -1)
	if err != nil {
		t.Fatal(err)
	}
	checkStandings(t, "ranking", sb.Standings, ids, models, 0)
	if len(sb.Results) != 0 {
		t.Errorf("Scoreboard(-1) results: %+v, want none", sb.Results)
	}
	order := make([]string, len(sb.Standings))
	for i, s := range sb.Standings {
		order[i] = s.Name
		if s.Rank != i+1 {
			t.Errorf("standing %d has rank %d", i, s.Rank)
		}
	}
	// E and F tie on score; F was faster. A, B and G tie on score; B and G
	// were fast, A slow. C and D tie on everything; C joined first.
	if order[0] != "PF" || order[1] != "PE" || order[4] != "PA" || order[5] != "PC" || order[6] != "PD" {
		t.Errorf("ranking: %v, want PF, PE, then PB and PG by time, PA, PC, PD", order)
	}
}

func testReport(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single(), single(), single()}, nil)
	ids := f.players(5) // A leaves, B is kicked, C, D, E stay
	models := make([]model, len(ids))
	for i := range models {
		models[i].streakQ = -1
	}
	answer := func(i, q int, a game.Answer) room.Result {
		s := f.submission(ids[i], q, a)
		acc := f.submit(ids[i], q, a)
		return models[i].apply(ids[i], q, s, acc.Elapsed)
	}
	f.open(0)
	q0 := []room.Result{answer(0, 0, choice(1)), answer(1, 0, choice(1)), answer(2, 0, choice(0)), answer(3, 0, choice(1))}
	f.reveal(0)
	if err := f.s.Leave(f.ctx, f.code, ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.Kick(f.ctx, f.code, ids[1]); err != nil {
		t.Fatal(err)
	}
	f.open(1)
	// Answers arrive out of join order; the report lists them in join order.
	e := answer(4, 1, choice(1))
	c := answer(2, 1, choice(1))
	q1 := []room.Result{c, e}
	f.reveal(1)
	f.open(2)
	f.submit(ids[3], 2, choice(1)) // never revealed: not in the report, not scored
	rep, err := f.s.Report(f.ctx, f.code)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]room.Result{q0, q1}; !reflect.DeepEqual(rep.Results, want) {
		t.Errorf("report results:\n got %+v\nwant %+v", rep.Results, want)
	}
	if !reflect.DeepEqual(rep.Departed, map[string]bool{ids[0]: true}) || !reflect.DeepEqual(rep.Kicked, map[string]bool{ids[1]: true}) {
		t.Errorf("report: departed %v, kicked %v; want %s and %s", rep.Departed, rep.Kicked, ids[0], ids[1])
	}
	// Active players ranked first, then the others in join order.
	checkStandings(t, "report standings of active players", rep.Standings[:3], ids, models, 2)
	gone := rep.Standings[3:]
	if len(gone) != 2 || gone[0].PlayerID != ids[0] || gone[1].PlayerID != ids[1] || gone[0].Score != models[0].score || gone[1].Score != models[1].score {
		t.Errorf("report standings of departed players: %+v, want %s then %s with their scores", gone, ids[0], ids[1])
	}
}
