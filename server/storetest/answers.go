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

func testSubmitRefusals(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single(), single(), single()}, nil)
	ids := f.players(2)
	refused := func(what string, id string, q int, grace time.Duration, why room.Refusal, open int) {
		t.Helper()
		s := f.submission(id, q, choice(1))
		s.Grace = grace
		_, err := f.s.Submit(f.ctx, f.code, s)
		want := why.Err(q, open)
		wantMsg(t, what, err, room.ErrPhase, want.Error())
	}
	refused("Submit in the lobby", ids[0], 0, f.grace, room.NotOpen, -1)
	f.advance(room.Transition{To: game.PhaseQuestion, Q: 0, Read: 5 * time.Second, Limit: 5 * time.Second})
	refused("Submit before the options open", ids[0], 0, f.grace, room.NotYet, 0)
	refused("Submit to another question", ids[0], 1, f.grace, room.OtherQuestion, 0)
	f.advance(room.Transition{To: game.PhasePaused})
	refused("Submit while paused", ids[0], 0, f.grace, room.Paused, 0)
	f.advance(room.Transition{To: game.PhaseReveal, Q: 0, Options: 4})
	refused("Submit after the reveal", ids[0], 0, f.grace, room.NotOpen, 0)
	f.advance(room.Transition{To: game.PhaseQuestion, Q: 1, Limit: 100 * time.Millisecond})
	time.Sleep(300 * time.Millisecond)
	refused("Submit after the deadline with no grace", ids[0], 1, 0, room.Late, 1)
	refused("Submit after the deadline and its grace", ids[0], 1, 150*time.Millisecond, room.Late, 1)

	f.advance(room.Transition{To: game.PhaseQuestion, Q: 2, Limit: 5 * time.Second})
	wantMsg(t, "Submit by an unknown player", second(f.s.Submit(f.ctx, f.code, f.submission(room.PlayerID(9), 2, choice(1)))),
		room.ErrDenied, fmt.Sprintf("no player %s in room %s", room.PlayerID(9), f.code))
	if err := f.s.Leave(f.ctx, f.code, ids[1]); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "Submit by a departed player", second(f.s.Submit(f.ctx, f.code, f.submission(ids[1], 2, choice(1)))), room.ErrDenied)
	if st := f.state(); st.Answered != 0 {
		t.Errorf("answered after refusals only: %d, want 0", st.Answered)
	}
}

func testSubmitGrace(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	ids := f.players(1)
	const limit = 200 * time.Millisecond
	f.advance(room.Transition{To: game.PhaseQuestion, Q: 0, Limit: limit})
	time.Sleep(2 * limit)
	s := f.submission(ids[0], 0, choice(1))
	s.Limit, s.Grace = limit, 10*time.Second
	acc, err := f.s.Submit(f.ctx, f.code, s)
	if err != nil {
		t.Fatalf("Submit within the grace window: %v", err)
	}
	if acc.Elapsed != limit {
		t.Errorf("Submit within the grace window: elapsed %v, want it capped at the limit %v", acc.Elapsed, limit)
	}
	f.reveal(0)
	want := s.Scoring.Score(s.Points, limit, limit, s.Kind, s.Grade, 0)
	sb, err := f.s.Scoreboard(f.ctx, f.code, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := sb.Results[ids[0]]; got.Points != want.Total() || got.Elapsed != limit {
		t.Errorf("result of an answer in the grace window: %+v, want %d points at %v", got, want.Total(), limit)
	}
}

func testSubmitOnce(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{multi()}, nil)
	ids := f.players(1)
	f.open(0)
	f.submit(ids[0], 0, choice(0, 1))
	wantMsg(t, "a second answer", second(f.s.Submit(f.ctx, f.code, f.submission(ids[0], 0, choice(2)))),
		room.ErrExists, "question_index 0 already answered: the first answer stands")
	sb, err := f.s.Scoreboard(f.ctx, f.code, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := sb.Results[ids[0]].Answer; !reflect.DeepEqual(got, choice(0, 1)) {
		t.Errorf("the answer kept: %+v, want the first %+v", got, choice(0, 1))
	}
	if st := f.state(); st.Answered != 1 {
		t.Errorf("answered after a refused second answer: %d, want 1", st.Answered)
	}
}

func testFirstAnswerWins(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single()}, nil)
	ids := f.players(1)
	f.open(0)
	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = f.s.Submit(f.ctx, f.code, f.submission(ids[0], 0, choice(i%4)))
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("answers %d and %d were both accepted", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, room.ErrExists):
			t.Errorf("answer %d: %v, want accepted or ErrExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no answer of 50 was accepted")
	}
	sb, err := f.s.Scoreboard(f.ctx, f.code, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := sb.Results[ids[0]].Answer; !reflect.DeepEqual(got, choice(winner%4)) {
		t.Errorf("the answer kept: %+v, want the accepted one %+v", got, choice(winner%4))
	}
	if st := f.state(); st.Answered != 1 {
		t.Errorf("answered after 50 concurrent answers of one player: %d, want 1", st.Answered)
	}
}

func testProgress(t *testing.T, newStore NewStore) {
	f := newRoom(t, newStore, []game.Question{single(), single()}, nil)
	ids := f.players(3)
	progress := func() uint64 {
		t.Helper()
		seq, err := f.s.Progress(f.ctx, f.code)
		if err != nil {
			t.Fatalf("Progress: %v", err)
		}
		return seq
	}
	if progress() != 0 {
		t.Error("Progress in the lobby: appended an event")
	}
	f.open(0)
	if progress() != 0 {
		t.Error("Progress with no answers: appended an event")
	}
	if f.state().ProgressPending {
		t.Error("State with no answers: ProgressPending")
	}
	f.submit(ids[0], 0, choice(1))
	if !f.state().ProgressPending {
		t.Error("State after an answer: not ProgressPending")
	}
	seq := progress()
	if f.state().ProgressPending {
		t.Error("State after Progress: ProgressPending")
	}
	want := room.Event{Seq: seq, Type: room.EventProgress, Q: 0, Answered: 1, Players: 3}
	if ev := f.lastEvent(); seq == 0 || !sameEvent(ev, want) {
		t.Errorf("Progress after an answer: seq %d, event %+v; want %+v", seq, ev, want)
	}
	if progress() != 0 {
		t.Error("Progress with no new answer: appended an event")
	}
	f.submit(ids[1], 0, choice(1))
	f.submit(ids[2], 0, choice(2))
	if ev := f.events(progress() - 1); len(ev) != 1 || ev[0].Answered != 3 {
		t.Errorf("Progress after two more answers: %+v, want one event with 3 answered", ev)
	}
	f.reveal(0)
	if progress() != 0 {
		t.Error("Progress in a reveal: appended an event")
	}
	f.open(1)
	if progress() != 0 {
		t.Error("Progress of a new question with no answers: appended an event")
	}
	f.submit(ids[0], 1, choice(1))
	if ev := f.events(progress() - 1); len(ev) != 1 || ev[0].Q != 1 || ev[0].Answered != 1 {
		t.Errorf("Progress of the second question: %+v, want question index 1 with 1 answered", ev)
	}
}

// model is a player's running totals as the rules compute them.
type model struct {
	score, correct, streak int
	streakQ                int
	correctTime            time.Duration
}

// apply applies an answer the store accepted to the model and returns the
// result the store must report for it.
func (m *model) apply(id string, q int, s room.Submission, elapsed time.Duration) room.Result {
	before := game.StreakBefore(m.streak, m.streakQ, s.PrevScored)
	o := s.Scoring.Score(s.Points, s.Limit, elapsed, s.Kind, s.Grade, before)
	var applied int
	m.score, applied = game.Apply(m.score, o.Total())
	if s.Grade.Correct {
		m.correctTime += elapsed.Truncate(time.Millisecond)
		m.correct++
	}
	if s.Kind != game.Poll {
		m.streak, m.streakQ = o.Streak, q
	}
	return room.Result{PlayerID: id, Answer: s.Answer, Correct: s.Grade.Correct, Points: applied, Bonus: o.Bonus, Streak: o.Streak, Elapsed: elapsed}
}

// plan is one player's answer to one question: the answer, and whether it is
// sent after delay (so that speed scoring takes off points).
type plan struct {
	a       *game.Answer
	delayed bool
}

// delay is how long delayed answers wait: past game.FullPointsWithin.
const delay = 700 * time.Millisecond

func ans(a game.Answer) plan    { return plan{a: &a} }
func late(a game.Answer) plan   { return plan{a: &a, delayed: true} }
func text(s string) game.Answer { return game.Answer{Text: s} }
func none() plan                { return plan{} }
func row(ps ...plan) []plan     { return ps }
func scoring(s game.Scoring) func(*game.Settings) {
	return func(g *game.Settings) { g.Scoring = s }
}

// testScoring plays a game under several scoring settings and checks every
// result and standing against the rules: points, bonus, streak (across a
// poll and missed questions), the floor at 0 with the change applied, and
// the correct-time totals.
func testScoring(t *testing.T, newStore NewStore) {
	zero := single()
	zero.Points = 0
	questions := []game.Question{single(), multi(), poll(), typed(), trueFalse(), zero, single()}
	plans := [][]plan{
		// 0 single, 1 multi (0,1 correct), 2 poll, 3 typed, 4 true/false, 5 single worth 0, 6 single;
		// a typed answer with quotes, a non-ASCII letter and a trailing
		// backslash, which a store keeps as escaped JSON
		row(ans(choice(1)), ans(choice(0, 1)), ans(choice(0)), ans(text("lambda")), ans(choice(0)), ans(choice(1)), ans(choice(1))),
		row(late(choice(1)), late(choice(1, 0)), late(choice(2)), late(text("aws lambda")), late(choice(0)), late(choice(1)), late(choice(1))),
		row(ans(choice(0)), ans(choice(2, 3)), ans(choice(1)), ans(text("ec2")), ans(choice(1)), ans(choice(0)), ans(choice(0))),
		row(ans(choice(1)), none(), ans(choice(1)), ans(text("lambda")), none(), ans(choice(1)), late(choice(1))),
		row(late(choice(1)), ans(choice(0)), none(), late(text("lambda")), ans(choice(0)), none(), ans(choice(2))),
		row(ans(choice(1)), late(choice(0, 2)), ans(choice(2)), ans(text("lambda")), late(choice(1)), ans(choice(1)), ans(choice(1))),
		row(ans(choice(1)), ans(choice(3)), none(), ans(text(`"nope", λ \`)), ans(choice(0)), late(choice(0)), late(choice(1))),
	}
	for _, sc := range []game.Scoring{
		{Policy: game.Speed},
		{Policy: game.Speed, StreakBonus: true, WrongPenalty: 250},
		{Policy: game.Accuracy, StreakBonus: true, WrongPenalty: 1000},
	} {
		t.Run(fmt.Sprintf("%+v", sc), func(t *testing.T) {
			t.Parallel()
			playScored(t, newRoom(t, newStore, questions, scoring(sc)), plans)
		})
	}
}

// playScored plays every question of f with plans[player][question] and
// checks each reveal against the model.
func playScored(t *testing.T, f *fixture, plans [][]plan) {
	ids := f.players(len(plans))
	models := make([]model, len(ids))
	for i := range models {
		models[i].streakQ = -1
	}
	for q := range f.spec.Questions {
		f.open(q)
		want := f.submitPlans(t, q, ids, plans, models)
		st := f.reveal(q)
		ev := f.lastEvent()
		checkRevealed(t, f, q, ev, st, want)
		sb, err := f.s.Scoreboard(f.ctx, f.code, q)
		if err != nil {
			t.Fatalf("Scoreboard q%d: %v", q, err)
		}
		if !reflect.DeepEqual(sb.Results, want) {
			t.Errorf("results of question %d:\n got %+v\nwant %+v", q, sb.Results, want)
		}
		checkStandings(t, fmt.Sprintf("standings after question %d", q), sb.Standings, ids, models, 0)
	}
}

// checkRevealed checks question q's reveal event against the results.
func checkRevealed(t *testing.T, f *fixture, q int, ev room.Event, st *room.State, want map[string]room.Result) {
	t.Helper()
	options := len(f.spec.Questions[q].Options)
	wantEv := room.Event{Seq: st.Seq, Type: room.EventRevealed, Q: q, Answered: len(want), Players: st.Players}
	if options > 0 {
		wantEv.Counts = make([]int, options)
	}
	for _, r := range want {
		for _, c := range r.Answer.Choices {
			wantEv.Counts[c]++
		}
		if r.Correct {
			wantEv.Correct++
		}
	}
	if !sameEvent(ev, wantEv) {
		t.Errorf("reveal of question %d:\n got %+v\nwant %+v", q, ev, wantEv)
	}
}

// checkStandings checks standings against the models of the players ids
// (all who joined, in join order) from index from on: every total, and the
// order game.Rank gives.
func checkStandings(t *testing.T, what string, got []game.Standing, ids []string, models []model, from int) {
	t.Helper()
	var want []game.Standing
	for i := from; i < len(ids); i++ {
		m, id := models[i], ids[i]
		want = append(want, game.Standing{
			PlayerID: id, Name: "P" + string(rune('A'+i)), Join: i + 1, Score: m.score,
			CorrectTime: m.correctTime, Correct: m.correct, Streak: m.streak, StreakQ: m.streakQ,
		})
	}
	game.Rank(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// testParity checks the store's points against game.Scoring.Score for a
// table of settings, question values, grades and previous streaks. Each
// row is one player: they build their streak on warm-up questions, then
// answer the last question with the row's submission, and the store's
// result must be what Score gives for the elapsed time the store measured.
func testParity(t *testing.T, newStore NewStore) {
	speed := game.Scoring{Policy: game.Speed}
	bonus := game.Scoring{Policy: game.Speed, StreakBonus: true, WrongPenalty: 250}
	flat := game.Scoring{Policy: game.Accuracy, StreakBonus: true, WrongPenalty: 1000}
	right := game.Grade{Correct: true, Num: 1, Den: 1}
	wrong := game.Grade{Wrong: true, Den: 1}
	half := game.Grade{Num: 1, Den: 2}
	twoThirds := game.Grade{Num: 2, Den: 3}
	pollGrade := game.Grade{Den: 1}
	rows := []struct {
		s       game.Scoring
		kind    game.Kind
		points  int
		limit   time.Duration
		g       game.Grade
		streak  int
		delayed bool
	}{
		{speed, game.SingleChoice, 1000, 20 * time.Second, right, 0, false},
		{speed, game.SingleChoice, 1000, 20 * time.Second, right, 0, true},
		{speed, game.SingleChoice, 2000, 5 * time.Second, right, 2, true},
		{speed, game.SingleChoice, 1000, 600 * time.Millisecond, right, 0, true}, // elapsed capped at the limit
		{speed, game.MultipleSelect, 2000, 7 * time.Second, twoThirds, 1, true},
		{speed, game.MultipleSelect, 1000, 20 * time.Second, half, 3, false},
		{speed, game.SingleChoice, 1000, 20 * time.Second, wrong, 4, false},
		{bonus, game.SingleChoice, 1000, 20 * time.Second, right, 1, false},
		{bonus, game.SingleChoice, 1000, 9 * time.Second, right, 3, true},
		{bonus, game.SingleChoice, 2000, 20 * time.Second, right, 6, false}, // bonus capped
		{bonus, game.SingleChoice, 0, 20 * time.Second, right, 4, false},    // no bonus on 0 points
		{bonus, game.SingleChoice, 1000, 20 * time.Second, wrong, 0, false},
		{bonus, game.SingleChoice, 2000, 20 * time.Second, wrong, 5, true},
		{bonus, game.MultipleSelect, 2000, 11 * time.Second, half, 2, true},
		{bonus, game.Poll, 0, 20 * time.Second, pollGrade, 3, false},
		{flat, game.SingleChoice, 1000, 20 * time.Second, right, 0, true},
		{flat, game.MultipleSelect, 2000, 20 * time.Second, twoThirds, 2, true},
		{flat, game.TypedAnswer, 1000, 13 * time.Second, right, 5, false},
		{flat, game.TrueFalse, 2000, 20 * time.Second, wrong, 2, false},
		{flat, game.SingleChoice, 0, 20 * time.Second, wrong, 0, false},
	}
	warmUp := 6
	qs := make([]game.Question, warmUp+1)
	for i := range qs {
		qs[i] = single()
	}
	f := newRoom(t, newStore, qs, scoring(bonus))
	ids := f.players(len(rows))
	for q := range warmUp {
		f.open(q)
		for i, r := range rows {
			// Build a streak of r.streak ending at the last warm-up question.
			a := choice(0)
			if q >= warmUp-r.streak {
				a = choice(1)
			}
			f.submit(ids[i], q, a)
		}
		f.reveal(q)
	}
	sb, err := f.s.Scoreboard(f.ctx, f.code, -1)
	if err != nil {
		t.Fatal(err)
	}
	before := map[string]game.Standing{}
	for _, s := range sb.Standings {
		before[s.PlayerID] = s
	}
	f.open(warmUp)
	subs := make([]room.Submission, len(rows))
	elapsed := make([]time.Duration, len(rows))
	var wg sync.WaitGroup
	for i, r := range rows {
		subs[i] = room.Submission{
			PlayerID: ids[i], Q: warmUp, Answer: choice(1), Grade: r.g, Kind: r.kind, Points: r.points,
			Limit: r.limit, PrevScored: warmUp - 1, Scoring: r.s, Grace: f.grace,
		}
		wg.Go(func() {
			if r.delayed {
				time.Sleep(delay)
			}
			acc, err := f.s.Submit(f.ctx, f.code, subs[i])
			if err != nil {
				t.Errorf("row %d: Submit: %v", i, err)
			}
			elapsed[i] = acc.Elapsed
		})
	}
	wg.Wait()
	f.reveal(warmUp)
	sb, err = f.s.Scoreboard(f.ctx, f.code, warmUp)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		prev := before[ids[i]]
		if prev.Streak != r.streak {
			t.Fatalf("row %d: warm-up left a streak of %d, want %d", i, prev.Streak, r.streak)
		}
		if r.delayed && elapsed[i] < min(delay, r.limit) || elapsed[i] > r.limit {
			t.Errorf("row %d: elapsed %v, want from %v to the limit %v", i, elapsed[i], min(delay, r.limit), r.limit)
		}
		o := r.s.Score(r.points, r.limit, elapsed[i], r.kind, r.g, r.streak)
		_, applied := game.Apply(prev.Score, o.Total())
		want := room.Result{PlayerID: ids[i], Answer: choice(1), Correct: r.g.Correct, Points: applied, Bonus: o.Bonus, Streak: o.Streak, Elapsed: elapsed[i]}
		if got := sb.Results[ids[i]]; !reflect.DeepEqual(got, want) {
			t.Errorf("row %d %+v at %v:\n got %+v\nwant %+v (score %d before)", i, r, elapsed[i], got, want, prev.Score)
		}
	}
}

// submitPlans submits question q's answers of every player's plan at once
// (delayed ones after the others), applies each accepted one to the
// player's model, and returns the results the models expect.
func (f *fixture) submitPlans(t *testing.T, q int, ids []string, plans [][]plan, models []model) map[string]room.Result {
	t.Helper()
	want := map[string]room.Result{}
	var mu sync.Mutex // guards want
	var wg sync.WaitGroup
	for i, id := range ids {
		p := plans[i][q]
		if p.a == nil {
			continue
		}
		wg.Go(func() {
			if p.delayed {
				time.Sleep(delay)
			}
			s := f.submission(id, q, *p.a)
			acc, err := f.s.Submit(f.ctx, f.code, s)
			if err != nil {
				t.Errorf("Submit %s q%d: %v", id, q, err)
				return
			}
			r := models[i].apply(id, q, s, acc.Elapsed) // each goroutine owns models[i]
			mu.Lock()
			want[id] = r
			mu.Unlock()
		})
	}
	wg.Wait()
	return want
}
