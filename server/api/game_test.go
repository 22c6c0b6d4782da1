package api_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/quizroom/quizroom/content"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/servertest"
)

// testQuestions is testDeck as the rules see it, for recomputing scores.
func testQuestions(t *testing.T) []game.Question {
	t.Helper()
	d, err := content.Parse("test.md", []byte(testDeck))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[content.Kind]game.Kind{
		content.KindSingle: game.SingleChoice, content.KindMultiple: game.MultipleSelect,
		content.KindTrueFalse: game.TrueFalse, content.KindTyped: game.TypedAnswer, content.KindPoll: game.Poll,
	}
	var qs []game.Question
	for _, cq := range d.Questions {
		q := game.Question{Kind: kinds[cq.Kind], TimeLimit: cq.TimeLimit, Points: cq.Points}
		for i, o := range cq.Options {
			q.Options = append(q.Options, o.Text)
			if o.Correct {
				q.Correct = append(q.Correct, i)
			}
		}
		for _, a := range cq.Accepted {
			q.AcceptedKeys = append(q.AcceptedKeys, content.NormalizeAnswer(a))
		}
		qs = append(qs, q)
	}
	return qs
}

// randomAnswer draws an answer of the right shape, right or wrong.
func randomAnswer(rng *rand.Rand, q game.Question) *quizv1.Answer {
	switch q.Kind {
	case game.TypedAnswer:
		return &quizv1.Answer{Text: []string{"QuokkaTrace", "quokka trace service", "quokkat race", "X-Ray", "no idea"}[rng.IntN(5)]}
	case game.MultipleSelect:
		var cs []int32
		for i := range q.Options {
			if rng.IntN(2) == 0 {
				cs = append(cs, int32(i))
			}
		}
		if len(cs) == 0 {
			cs = []int32{int32(rng.IntN(len(q.Options)))}
		}
		return &quizv1.Answer{Choices: cs}
	default:
		return &quizv1.Answer{Choices: []int32{int32(rng.IntN(len(q.Options)))}}
	}
}

// TestWholeGame plays a whole game with 50 players answering at random (a
// few not at all) and checks every final score against the rules applied to
// the accepted answers, the ranking, and that every stream saw every event
// once, in order.
func TestWholeGame(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	settings := fast()
	settings.WrongAnswerPenalty = 250
	settings.LeaderboardEvery = 2
	r := e.create(t, settings)
	questions := testQuestions(t)

	const n = 50
	players := make([]player, n)
	watchers := make([]*watcher, n)
	for i := range players {
		players[i] = e.join(t, r.code, fmt.Sprintf("Player %02d", i))
		watchers[i] = e.watch(t, r.code, players[i].token, 0)
	}
	hostWatch := e.watch(t, r.code, r.host, 0)
	e.host(t, r, start)

	rng := rand.New(rand.NewPCG(1, 2))
	for q := range questions {
		for _, w := range watchers {
			w.until(t, opened(q))
		}
		skip := make([]bool, n)
		for i := range skip {
			skip[i] = rng.IntN(10) == 0
		}
		answers := make([]*quizv1.Answer, n)
		for i := range answers {
			answers[i] = randomAnswer(rng, questions[q])
		}
		parallel(n, func(i int) {
			if skip[i] {
				return
			}
			if _, err := e.answer(t, r.code, players[i], q, answers[i]); err != nil {
				t.Errorf("player %d, question %d: %v", i, q, err)
			}
		})
		if slices.Contains(skip, true) {
			e.host(t, r, closeQ) // else every connected player answered and it closed itself
		}
		hostWatch.until(t, revealed(q))
		if q < len(questions)-1 && (q+1)%2 == 0 {
			e.host(t, r, next) // to the leaderboard
		}
		e.host(t, r, next) // to the next question, or the end
	}
	hostWatch.until(t, finished)

	rep, err := e.client.GetReport(as(ctx(t), r.host), &quizv1.GetReportRequest{RoomCode: r.code})
	if err != nil {
		t.Fatal(err)
	}
	want := recompute(t, questions, rep.GetReport(), game.Scoring{Policy: game.Speed, StreakBonus: true, WrongPenalty: 250})
	var standings []game.Standing
	for _, p := range rep.GetReport().GetPlayers() {
		s := p.GetStanding()
		id := s.GetPlayer().GetPlayerId()
		if got := int(s.GetScore()); got != want[id].Score {
			t.Errorf("%s: reported score %d, the rules give %d", id, got, want[id].Score)
		}
		standings = append(standings, want[id])
	}
	game.Rank(standings)
	for i, p := range rep.GetReport().GetPlayers() {
		if got, want := p.GetStanding().GetPlayer().GetPlayerId(), standings[i].PlayerID; got != want {
			t.Errorf("rank %d: got %s, the rules rank %s there", i+1, got, want)
		}
	}

	for i, w := range watchers {
		final, _ := w.until(t, finished)
		you := w.you(final).GetStanding()
		if got := int(you.GetScore()); got != want[players[i].id].Score {
			t.Errorf("%s sees final score %d, the rules give %d", players[i].id, got, want[players[i].id].Score)
		}
		checkSeqs(t, players[i].name, w.all)
	}
}

// recompute scores every player's accepted answers by the rules.
func recompute(t *testing.T, questions []game.Question, rep *quizv1.Report, scoring game.Scoring) map[string]game.Standing {
	t.Helper()
	out := map[string]game.Standing{}
	for join, p := range rep.GetPlayers() {
		id := p.GetStanding().GetPlayer().GetPlayerId()
		st := game.Standing{PlayerID: id, Join: join, StreakQ: -1}
		byQ := map[int32]*quizv1.ReportAnswer{}
		for _, a := range p.GetAnswers() {
			byQ[a.GetQuestionIndex()] = a
		}
		for q, question := range questions {
			a, ok := byQ[int32(q)]
			if !ok {
				continue
			}
			if a.GetText() != "" && a.GetNormalizedText() != content.NormalizeAnswer(a.GetText()) {
				t.Errorf("%s question %d: typed %q reported as normalised %q", id, q, a.GetText(), a.GetNormalizedText())
			}
			ans := game.Answer{Choices: intsOf(a.GetChoices()), Text: a.GetNormalizedText()}
			g := question.Grade(ans)
			elapsed := a.GetElapsed().AsDuration()
			before := game.StreakBefore(st.Streak, st.StreakQ, game.PreviousScored(questions, q))
			o := scoring.Score(question.Points, question.TimeLimit, elapsed, question.Kind, g, before)
			var applied int
			st.Score, applied = game.Apply(st.Score, o.Total())
			if applied != int(a.GetPoints()) {
				t.Errorf("%s question %d: reported points %d, the rules give %d", id, q, a.GetPoints(), applied)
			}
			if g.Correct != a.GetCorrect() {
				t.Errorf("%s question %d: reported correct=%v, the rules say %v", id, q, a.GetCorrect(), g.Correct)
			}
			if g.Correct {
				st.CorrectTime += elapsed
				st.Correct++
			}
			if question.Kind != game.Poll {
				st.Streak, st.StreakQ = o.Streak, q
			}
		}
		out[id] = st
	}
	// Join order is the player id's order.
	ids := make([]string, 0, len(out))
	for id := range out {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for i, id := range ids {
		s := out[id]
		s.Join = i + 1
		out[id] = s
	}
	return out
}

func intsOf(v []int32) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(x)
	}
	return out
}

// checkSeqs checks a stream's events: a snapshot first, then seqs one apart.
func checkSeqs(t *testing.T, who string, evs []*quizv1.Event) {
	t.Helper()
	if len(evs) == 0 || evs[0].GetSnapshot() == nil {
		t.Errorf("%s: the stream did not start with a snapshot", who)
		return
	}
	for i := 1; i < len(evs); i++ {
		if got, want := evs[i].GetSeq(), evs[i-1].GetSeq()+1; got != want {
			t.Errorf("%s: event %d has seq %d after %d: want %d", who, i, got, evs[i-1].GetSeq(), want)
		}
	}
}

// TestAutoPacing plays a game the timers drive: after the start nobody calls
// anything, and the game reaches its end.
func TestAutoPacing(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	settings := fast()
	settings.Pacing = quizv1.PacingMode_PACING_MODE_AUTO
	settings.QuestionCount = 2
	settings.RevealTime = durationOf(time.Second)
	settings.LeaderboardTime = durationOf(time.Second)
	r := e.create(t, settings)
	p := e.join(t, r.code, "Solo")
	w := e.watch(t, r.code, p.token, 0)
	e.host(t, r, start)
	var phases []string
	for q := range 2 {
		ev, _ := w.until(t, opened(q))
		// A short game draws its questions from across the deck: answer
		// whichever came.
		a := &quizv1.Answer{Choices: []int32{0}}
		if ev.GetQuestionOpened().GetKind() == quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER {
			a = &quizv1.Answer{Text: "a guess"}
		}
		if _, err := e.answer(t, r.code, p, q, a); err != nil {
			t.Fatal(err)
		}
	}
	_, seen := w.until(t, finished)
	for _, ev := range seen {
		switch {
		case ev.GetQuestionRevealed() != nil:
			phases = append(phases, "reveal")
		case ev.GetLeaderboard() != nil:
			phases = append(phases, "leaderboard")
		case ev.GetGameFinished() != nil:
			phases = append(phases, "finished")
		}
	}
	if want := []string{"reveal", "finished"}; !slices.Equal(phases, want) {
		t.Errorf("phases after the last question: got %v, want %v", phases, want)
	}
}

// shortQuestionOpen starts a game whose questions have the shortest time
// limit, with one watching player, and waits until the first is open.
func shortQuestionOpen(t *testing.T, name string) (*env, testRoom, player, *watcher) {
	t.Helper()
	e := newEnv(t, servertest.Options{})
	settings := fast()
	settings.TimeLimit = durationOf(game.MinTimeLimit)
	r := e.create(t, settings)
	p := e.join(t, r.code, name)
	w := e.watch(t, r.code, p.token, 0)
	e.host(t, r, start)
	w.until(t, opened(0))
	return e, r, p, w
}

// TestPauseFreezesTimer pauses a question past its deadline; after the
// resume the answer is still accepted, timed without the pause.
func TestPauseFreezesTimer(t *testing.T) {
	e, r, p, w := shortQuestionOpen(t, "Patient")
	e.host(t, r, pause)
	ev, _ := w.until(t, func(ev *quizv1.Event) bool { return ev.GetGamePaused() != nil })
	if got := ev.GetGamePaused().GetPausedPhase(); got != quizv1.Phase_PHASE_QUESTION {
		t.Errorf("paused phase: got %v, want PHASE_QUESTION", got)
	}
	_, err := e.answer(t, r.code, p, 0, &quizv1.Answer{Choices: []int32{1}})
	wantCode(t, err, codes.FailedPrecondition, "answer while paused")
	time.Sleep(game.MinTimeLimit + time.Second) // past the deadline the question had
	e.host(t, r, resume)
	ev, _ = w.until(t, func(ev *quizv1.Event) bool { return ev.GetGameResumed() != nil })
	if ev.GetGameResumed().GetDeadline().AsTime().Before(time.Now()) {
		t.Errorf("the resumed deadline %v is already past", ev.GetGameResumed().GetDeadline().AsTime())
	}
	resp, err := e.answer(t, r.code, p, 0, &quizv1.Answer{Choices: []int32{1}})
	if err != nil {
		t.Fatalf("answer after the resume: %v", err)
	}
	if resp.GetElapsed().AsDuration() >= game.MinTimeLimit {
		t.Errorf("elapsed %v counts the pause", resp.GetElapsed().AsDuration())
	}
}

// TestDeadlineClosesQuestion lets a question run out: it closes by itself,
// and an answer after it is refused.
func TestDeadlineClosesQuestion(t *testing.T) {
	e, r, p, w := shortQuestionOpen(t, "Slow")
	ev, _ := w.until(t, revealed(0))
	if w.you(ev).GetResult().GetAnswered() {
		t.Error("the reveal says the player answered; they did not")
	}
	_, err := e.answer(t, r.code, p, 0, &quizv1.Answer{Choices: []int32{1}})
	wantCode(t, err, codes.FailedPrecondition, "answer after the deadline")
}

// TestConcurrentSecondAnswers sends one player's answer 20 times at once:
// exactly one is accepted.
func TestConcurrentSecondAnswers(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	r := e.create(t, fast())
	p := e.join(t, r.code, "Eager")
	e.join(t, r.code, "Other") // keeps the question open after Eager answers
	e.host(t, r, start)
	var mu sync.Mutex
	accepted, refused := 0, 0
	parallel(20, func(i int) {
		_, err := e.answer(t, r.code, p, 0, &quizv1.Answer{Choices: []int32{int32(i % 3)}})
		mu.Lock()
		defer mu.Unlock()
		switch status.Code(err) {
		case codes.OK:
			accepted++
		case codes.AlreadyExists:
			refused++
		default:
			t.Errorf("answer: %v", err)
		}
	})
	if accepted != 1 || refused != 19 {
		t.Errorf("got %d accepted and %d refused, want 1 and 19", accepted, refused)
	}
}

// TestStartGameSeq checks that StartGame returns the seq of GameStarted,
// as documented, with the first question right after it.
func TestStartGameSeq(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	r := e.create(t, fast())
	w := e.watch(t, r.code, r.host, 0)
	resp, err := e.client.StartGame(as(ctx(t), r.host), &quizv1.StartGameRequest{RoomCode: r.code})
	if err != nil {
		t.Fatal(err)
	}
	started, _ := w.until(t, func(ev *quizv1.Event) bool { return ev.GetGameStarted() != nil })
	if got, want := resp.GetSeq(), started.GetSeq(); got != want {
		t.Errorf("StartGame returned seq %d, GameStarted has seq %d", got, want)
	}
	if ev := w.next(t); ev.GetQuestionOpened() == nil || ev.GetSeq() != resp.GetSeq()+1 {
		t.Errorf("after GameStarted came %v, want QuestionOpened at seq %d", ev, resp.GetSeq()+1)
	}
}

// TestTypedAnswerIgnoresSpaces answers a typed question with the letters
// right and the spaces wrong: it is correct, and the report keeps what the
// player typed beside the form it was compared in.
func TestTypedAnswerIgnoresSpaces(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	r := e.create(t, fast())
	p := e.join(t, r.code, "Spacey")
	e.host(t, r, start)
	for range 3 { // to question 3, the typed one
		e.host(t, r, closeQ)
		e.host(t, r, next)
		e.host(t, r, next)
	}
	if _, err := e.answer(t, r.code, p, 3, &quizv1.Answer{Text: "  Quokkat race! "}); err != nil {
		t.Fatal(err)
	}
	_, err := e.answer(t, r.code, e.join(t, r.code, "Dots"), 3, &quizv1.Answer{Text: "..."})
	wantCode(t, err, codes.InvalidArgument, "a typed answer of punctuation only")
	e.host(t, r, closeQ)
	rep, err := e.client.GetReport(as(ctx(t), r.host), &quizv1.GetReportRequest{RoomCode: r.code})
	if err != nil {
		t.Fatal(err)
	}
	for _, pl := range rep.GetReport().GetPlayers() {
		if pl.GetStanding().GetPlayer().GetPlayerId() != p.id {
			continue
		}
		a := pl.GetAnswers()[0]
		if a.GetText() != "Quokkat race!" || a.GetNormalizedText() != "quokkat race" || !a.GetCorrect() {
			t.Errorf("report has text %q, normalised %q, correct %t; want \"Quokkat race!\", \"quokkat race\", true",
				a.GetText(), a.GetNormalizedText(), a.GetCorrect())
		}
		return
	}
	t.Fatal("the player is not in the report")
}

// TestMissedQuestionsToStudy plays three questions of the built-in deck
// with a player who answers none right: the final results on their stream,
// a snapshot of the finished game and the host's report list every scored
// question they missed, each with its explanation and notes passage.
func TestMissedQuestionsToStudy(t *testing.T) {
	e := newEnv(t, servertest.Options{})
	settings := fast()
	settings.QuestionCount = 3
	resp, err := e.client.CreateRoom(ctx(t), &quizv1.CreateRoomRequest{
		Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"}, Settings: settings,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := testRoom{code: resp.GetRoom().GetCode(), host: resp.GetHostToken()}
	p := e.join(t, r.code, "Learner")
	w := e.watch(t, r.code, p.token, 0)
	e.host(t, r, start)
	for q := range 3 {
		w.until(t, opened(q))
		e.host(t, r, closeQ)
		w.until(t, revealed(q))
		e.host(t, r, next)
		if q < 2 {
			e.host(t, r, next)
		}
	}
	final, _ := w.until(t, finished)
	check := func(where string, missed []*quizv1.MissedQuestion) {
		t.Helper()
		if len(missed) != 3 {
			t.Fatalf("%s: %d missed questions, want the 3 unanswered", where, len(missed))
		}
		for i, m := range missed {
			if m.GetIndex() != int32(i) || m.GetText() == "" || m.GetExplanation() == "" || m.GetSection() == "" ||
				!strings.HasPrefix(m.GetPassage(), "- ") || m.GetYourAnswer() != nil {
				t.Errorf("%s: missed question %d is %v; want its text, explanation, section, passage and no answer", where, i, m)
			}
			if len(m.GetCorrectChoices()) == 0 && len(m.GetAcceptedAnswers()) == 0 {
				t.Errorf("%s: missed question %d does not say the answer", where, i)
			}
		}
	}
	check("GameFinished", w.you(final).GetMissed())
	after := e.watch(t, r.code, p.token, 0)
	snap := after.next(t)
	check("the snapshot of the finished game", after.you(snap).GetMissed())
	for _, pl := range e.report(t, r).GetPlayers() {
		if got := pl.GetMissedQuestions(); !slices.Equal(got, []int32{0, 1, 2}) {
			t.Errorf("the report lists missed questions %v, want [0 1 2]", got)
		}
	}
	for _, q := range e.report(t, r).GetQuestions() {
		if !strings.HasPrefix(q.GetPassage(), "- ") {
			t.Errorf("report question %d has passage %q", q.GetIndex(), q.GetPassage())
		}
	}
}
