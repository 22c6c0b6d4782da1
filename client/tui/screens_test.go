package tui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/quizroom/quizroom/client/control"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// These tests draw each phase's screen at 80 columns, as a newcomer's
// terminal has, and read it: everything fits, nothing is cut off, the help
// line offers the keys that work now.

// newScreen is a fixture whose terminal is width × height.
func newScreen(mode Mode, width, height int) *fixture {
	f := newFixture(mode)
	f.send(tea.WindowSizeMsg{Width: width, Height: height})
	return f
}

// screen draws the model and fails the test when a line is wider than the
// terminal or the screen taller. Non-breaking spaces read as spaces.
func (f *fixture) screen(t *testing.T) string {
	t.Helper()
	v := f.m.View()
	lines := strings.Split(v, "\n")
	if len(lines) > f.m.height {
		t.Errorf("the screen has %d lines, the terminal %d:\n%s", len(lines), f.m.height, v)
	}
	for i, l := range lines {
		if w := lipgloss.Width(l); w > f.m.width {
			t.Errorf("line %d is %d cells wide, the terminal %d: %q", i+1, w, f.m.width, l)
		}
	}
	return strings.ReplaceAll(v, "\u00a0", " ")
}

// has fails the test unless screen v holds every one of wants.
func has(t *testing.T, v string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(v, w) {
			t.Errorf("the screen lacks %q:\n%s", w, v)
		}
	}
}

// lacks fails the test when screen v holds any of unwanted.
func lacks(t *testing.T, v string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(v, u) {
			t.Errorf("the screen has %q:\n%s", u, v)
		}
	}
}

// helpLine is the screen's last line, the keys that work.
func helpLine(v string) string { return v[strings.LastIndex(v, "\n")+1:] }

// Long options, longer than 80 columns with their marks.
var longOptions = []string{
	"Amazon EC2, which gives you virtual servers that you patch, scale and pay for by the second yourself",
	"AWS Lambda, which runs your functions when events arrive and bills only the milliseconds they run",
	"AWS Fargate, which runs your containers without servers or clusters of your own to look after",
}

// roster is n players as a snapshot lists them, the newest first:
// Player01 joined last.
func roster(n int) []*quizv1.Player {
	ps := make([]*quizv1.Player, n)
	for i := range ps {
		ps[i] = &quizv1.Player{PlayerId: fmt.Sprintf("p%06d", n-i), Name: fmt.Sprintf("Player%02d", i+1)}
	}
	return ps
}

func TestLobbyScreens(t *testing.T) {
	t.Run("host, two players", func(t *testing.T) {
		f := newScreen(Host, 80, 24)
		f.m.cfg.Invite = "quiz join ABC234 --name NAME --addr 127.0.0.1:19500"
		f.m.cfg.InviteHint = "only this machine can join: the server listens on 127.0.0.1:19500. To play with classmates, start it with quizd -listen 0.0.0.0:19500 (README.md, 'Play in a classroom')"
		f.event(1, t0, t0, lobby(quizv1.Role_ROLE_HOST))
		v := f.screen(t)
		has(t, v, BigText("ABC234"), "quiz join ABC234 --name NAME --addr 127.0.0.1:19500", "quizd -listen 0.0.0.0:19500", "classroom')",
			"2 players: Ann, Bob")
		if h := helpLine(v); h != "s start · l lock · k kick · e close the room · q quit" {
			t.Errorf("lobby help line %q", h)
		}
	})
	t.Run("player, one player", func(t *testing.T) {
		f := newScreen(Play, 80, 24)
		s := lobby(quizv1.Role_ROLE_PLAYER)
		s.Room.PlayerCount, s.Players = 1, s.Players[1:]
		f.event(1, t0, t0, s)
		v := f.screen(t)
		has(t, v, "You're in, Ann!", "1 player: Ann", "· 1 player")
		lacks(t, v, "1 players", "s start")
		if h := helpLine(v); h != "q quit" {
			t.Errorf("player's lobby help line %q", h)
		}
	})
	t.Run("host, 57 players", func(t *testing.T) {
		f := newScreen(Host, 80, 24)
		s := lobby(quizv1.Role_ROLE_HOST)
		s.Room.PlayerCount = 57
		s.Players = roster(57) // the newest first, as a snapshot lists them
		f.event(1, t0, t0, s)
		v := f.screen(t)
		has(t, v, "57 players · newest: Player01, Player02, Player03")
		lacks(t, v, "Player57") // the first to join is not among the newest
		start := strings.Index(v, "57 players ·")
		if n := lineCount(strings.TrimSpace(v[start:strings.LastIndex(v, "\n")])); n > 3 {
			t.Errorf("the roster takes %d lines, want at most 3:\n%s", n, v)
		}
	})
}

func TestQuestionScreens(t *testing.T) {
	single := quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE
	t.Run("single choice, long options wrap", func(t *testing.T) {
		f := newScreen(Play, 80, 24)
		f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
		f.event(2, t0, t0, question(0, single, longOptions...))
		v := f.screen(t)
		has(t, v, "Question 1 of 5 · pick one answer · 1000 points", "▸ ▲ A  Amazon EC2", "◆ B  AWS Lambda", "● C  AWS Fargate",
			"by the second yourself", "20.0s")
		if h := helpLine(v); h != "1-3/A-C answer · ↑↓ move, enter answer · q quit" {
			t.Errorf("help line %q", h)
		}
		f.send(key("b"))
		v = f.screen(t)
		has(t, v, "the milliseconds they run  ← your answer", "answer locked in after 1.2s", "0/2 answered")
		if h := helpLine(v); h != "q quit" {
			t.Errorf("help line after answering %q", h)
		}
	})
	t.Run("true or false", func(t *testing.T) {
		f := newScreen(Play, 80, 24)
		f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
		f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_TRUE_FALSE, "True", "False"))
		v := f.screen(t)
		has(t, v, "true or false", "▲ A  True", "◆ B  False")
		if h := helpLine(v); h != "t or 1 true · f or 2 false · ↑↓ move, enter answer · q quit" {
			t.Errorf("help line %q", h)
		}
		lacks(t, v, "1-6", "A-F")
		f.send(key("f"))
		if len(f.answers) != 1 || !slices.Equal(f.answers[0].GetChoices(), []int32{1}) {
			t.Errorf("f answered %v, want False", f.answers)
		}
	})
	t.Run("multiple select", func(t *testing.T) {
		f := newScreen(Play, 80, 24)
		f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
		f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT, longOptions...))
		f.send(key("1"))
		v := f.screen(t)
		has(t, v, "pick all that apply", "▸ [x] ▲ A  Amazon EC2", "[ ] ◆ B")
		if h := helpLine(v); h != "1-3/A-C or space toggle · ↑↓ move · enter submit · q quit" {
			t.Errorf("help line %q", h)
		}
	})
	t.Run("typed answer, then sent", func(t *testing.T) {
		f := newScreen(Play, 80, 24)
		f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
		f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER))
		v := f.screen(t)
		has(t, v, "type the answer", "✎ ")
		if h := helpLine(v); h != "type your answer · enter submit · ctrl+c quit" {
			t.Errorf("help line %q", h)
		}
		for _, k := range []string{"X", "-", "R", "a", "y", "enter"} {
			f.send(key(k))
		}
		v = f.screen(t)
		has(t, v, "your answer: X-Ray", "answer locked in after 1.2s")
		lacks(t, v, "enter submit")
	})
	t.Run("poll, host's screen", func(t *testing.T) {
		f := newScreen(Host, 80, 24)
		f.event(1, t0, t0, lobby(quizv1.Role_ROLE_HOST))
		q := question(0, quizv1.QuestionKind_QUESTION_KIND_POLL, "Tabs", "Spaces")
		q.Points = 0
		f.event(2, t0, t0, q)
		v := f.screen(t)
		has(t, v, "poll, no right answer · no points", "▲ A  Tabs", "0/2 answered")
		if h := helpLine(v); h != "c close the question · p pause · k kick · e end · q quit" {
			t.Errorf("host's question help line %q", h)
		}
	})
	t.Run("read time: get ready first", func(t *testing.T) {
		f := newScreen(Play, 80, 24)
		f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
		q := question(0, single, "a", "b")
		q.OpensAt, q.Deadline = timestamppb.New(t0.Add(3*time.Second)), timestamppb.New(t0.Add(23*time.Second))
		f.event(2, t0, t0, q)
		v := f.screen(t)
		has(t, v, "Get ready… the options open in 3.0s")
		lacks(t, v, "▲ A")
		if h := helpLine(v); h != "get ready · q quit" {
			t.Errorf("help line %q", h)
		}
	})
	t.Run("time's up", func(t *testing.T) {
		f := newScreen(Play, 80, 24)
		f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
		f.event(2, t0, t0, question(0, single, "a", "b"))
		f.now = t0.Add(21 * time.Second)
		has(t, f.screen(t), "time's up — no answer this time")
	})
}

func TestCountdownColours(t *testing.T) {
	green, yellow, red := countdownStyle(0.9).GetForeground(), countdownStyle(0.4).GetForeground(), countdownStyle(0.1).GetForeground()
	if green == yellow || yellow == red || green == red {
		t.Errorf("countdown colours %v, %v, %v: want three", green, yellow, red)
	}
}

func TestOptionsHaveShapesAndColours(t *testing.T) {
	shapes, colours := map[string]bool{}, map[lipgloss.Color]bool{}
	for _, m := range marks {
		shapes[m.shape], colours[m.color] = true, true
		if lipgloss.Width(m.shape) != 1 {
			t.Errorf("shape %s is %d cells wide, want 1", m.shape, lipgloss.Width(m.shape))
		}
	}
	if len(shapes) != len(marks) || len(colours) != len(marks) {
		t.Errorf("%d shapes and %d colours for %d options: each needs its own", len(shapes), len(colours), len(marks))
	}
}

func TestRevealScreens(t *testing.T) {
	t.Run("player's wrong answer", func(t *testing.T) {
		f := newScreen(Play, 80, 30)
		f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
		f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, longOptions...))
		f.send(key("1"))
		f.personalEvent(3, t0.Add(time.Second), t0.Add(time.Second), &quizv1.QuestionRevealed{
			Index: 0, CorrectChoices: []int32{1}, OptionCounts: []int32{1, 1, 0}, Answered: 2, CorrectCount: 1, Players: 2,
			Explanation: "Lambda runs functions on events; EC2 and Fargate keep running while idle.", Section: "AWS Lambda",
		}, &quizv1.Personal{
			Result:   &quizv1.PlayerResult{Answered: true, Points: 0},
			Standing: &quizv1.Standing{Score: 0, Rank: 2}, GapToNext: 950,
		})
		v := f.screen(t)
		has(t, v, "✗ ▲ A", "✓ ◆ B", "by the second yourself", "← your answer", "2 of 2 answered, 1 right", "✗ wrong · 0 points",
			"rank 2 · 950 points behind the next player", "from the notes: AWS Lambda")
	})
	t.Run("poll", func(t *testing.T) {
		f := newScreen(Host, 80, 24)
		f.event(1, t0, t0, lobby(quizv1.Role_ROLE_HOST))
		f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_POLL, "Tabs", "Spaces"))
		f.event(3, t0, t0, &quizv1.QuestionRevealed{Index: 0, OptionCounts: []int32{2, 1}, Answered: 3, Players: 3})
		v := f.screen(t)
		has(t, v, "3 of 3 voted")
		lacks(t, v, "0 right", "✓")
		if h := helpLine(v); h != "n → leaderboard · p pause · k kick · e end · q quit" {
			t.Errorf("reveal help line %q", h)
		}
	})
	t.Run("typed answer", func(t *testing.T) {
		f := newScreen(Play, 80, 24)
		f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
		f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER))
		for _, k := range []string{"x", "r", "a", "y", "enter"} {
			f.send(key(k))
		}
		f.personalEvent(3, t0, t0, &quizv1.QuestionRevealed{Index: 0, AcceptedAnswers: []string{"X-Ray", "xray"}, Answered: 1, CorrectCount: 1, Players: 2},
			&quizv1.Personal{Result: &quizv1.PlayerResult{Answered: true, Correct: true, Points: 990, Streak: 3, StreakBonus: 200}, Standing: &quizv1.Standing{Score: 2800, Rank: 1}})
		v := f.screen(t)
		has(t, v, "accepted: X-Ray · xray", "your answer: xray", "✓ correct! +990 points (200 of them for your streak)", "streak 3 · score 2800 · rank 1")
	})
	t.Run("the last question leads to the final results", func(t *testing.T) {
		f := newScreen(Host, 80, 24)
		f.event(1, t0, t0, lobby(quizv1.Role_ROLE_HOST))
		f.event(2, t0, t0, question(4, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b"))
		f.event(3, t0, t0, &quizv1.QuestionRevealed{Index: 4, CorrectChoices: []int32{0}, OptionCounts: []int32{1, 1}, Answered: 2, Players: 2, CorrectCount: 1})
		if h := helpLine(f.screen(t)); !strings.HasPrefix(h, "n → final results") {
			t.Errorf("help line at the last reveal %q", h)
		}
	})
}

// TestRevealFitsASmallTerminal checks that a reveal with six long options
// and an explanation fits 80×24, keeping the player's result.
func TestRevealFitsASmallTerminal(t *testing.T) {
	f := newScreen(Play, 80, 24)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
	opts := append(slices.Clone(longOptions), longOptions...)
	f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, opts...))
	f.send(key("2"))
	f.personalEvent(3, t0, t0, &quizv1.QuestionRevealed{
		Index: 0, CorrectChoices: []int32{1}, OptionCounts: []int32{0, 2, 0, 0, 0, 0}, Answered: 2, CorrectCount: 2, Players: 2,
		Explanation: strings.Repeat("A long explanation of why the other options are wrong. ", 4), Section: "AWS Lambda",
	}, &quizv1.Personal{Result: &quizv1.PlayerResult{Answered: true, Correct: true, Points: 1000, Streak: 1}, Standing: &quizv1.Standing{Score: 1000, Rank: 1}})
	v := f.screen(t)
	has(t, v, "Question 1 of 5", "♥ F", "✓ correct! +1000 points", "2 of 2 answered, 2 right", "A long explanation", "milliseconds they run  ← your answer")
}

func standing(id, name string, rank, score, correct, streak int32) *quizv1.Standing {
	return &quizv1.Standing{Rank: rank, Player: &quizv1.Player{PlayerId: id, Name: name}, Score: score, CorrectCount: correct, Streak: streak}
}

func TestLeaderboardShowsStreaksAndMoves(t *testing.T) {
	f := newScreen(Play, 80, 24)
	s := lobby(quizv1.Role_ROLE_PLAYER)
	s.You = &quizv1.Player{PlayerId: "p9", Name: "Zed"}
	f.event(1, t0, t0, s)
	f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b"))
	f.personalEvent(3, t0, t0, &quizv1.Leaderboard{AfterQuestion: 0, PlayerCount: 9, Top: []*quizv1.Standing{
		standing("p1", "Ann", 1, 1000, 1, 1), standing("p2", "Bob", 2, 900, 1, 1), standing("p3", "Cy", 3, 800, 1, 1),
	}}, &quizv1.Personal{Standing: standing("p9", "Zed", 7, 0, 0, 0)})
	v := f.screen(t)
	has(t, v, "Leaderboard after question 1 of 5", "1.     Ann", "7.     Zed                           0  0 correct  ← you")
	f.event(4, t0, t0, question(1, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b"))
	f.personalEvent(5, t0, t0, &quizv1.Leaderboard{AfterQuestion: 1, PlayerCount: 9, Top: []*quizv1.Standing{
		standing("p2", "Bob", 1, 1950, 2, 2), standing("p1", "Ann", 2, 1000, 1, 0), standing("p4", "Dee", 3, 990, 1, 1),
	}}, &quizv1.Personal{Standing: standing("p9", "Zed", 5, 800, 1, 1)})
	v = f.screen(t)
	has(t, v, "Leaderboard after question 2 of 5",
		"1. ▲1  Bob", "1950  2 correct   streak 2",
		"2. ▼1  Ann",
		"3. ▲   Dee", // climbed into the top three
		"…", "5. ▲2  Zed                         800  1 correct  ← you")
	lacks(t, v, "streak 1", "streak 0")
}

func TestFinishedScreenAndSummary(t *testing.T) {
	f := newScreen(Play, 80, 24)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
	f.personalEvent(2, t0, t0, &quizv1.GameFinished{PlayerCount: 4, QuestionsPlayed: 5,
		Podium: []*quizv1.Standing{standing("p2", "Bob", 1, 4000, 5, 5), standing("p1", "Ann", 2, 3000, 4, 0), standing("p3", "Cy", 3, 10, 1, 0)},
		Standings: []*quizv1.Standing{
			standing("p2", "Bob", 1, 4000, 5, 5), standing("p1", "Ann", 2, 3000, 4, 0), standing("p3", "Cy", 3, 10, 1, 0), standing("p4", "Dee", 4, 0, 0, 0),
		},
	}, &quizv1.Personal{Standing: standing("p1", "Ann", 2, 3000, 4, 0)})
	v := f.screen(t)
	has(t, v, "Game over! 5 questions · 4 players", "🥇 Bob  4000 points", "🥈 Ann", "4.     Dee", "You finished 2nd of 4 with 3000 points (4 correct).")
	if !f.send(key("q")) {
		t.Fatal("q does not quit")
	}
	if got, want := f.m.Summary(), "room ABC234: game over after 5 questions, 4 players; Bob won with 4000 points; you finished 2nd with 3000 points"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

func TestFinishedScreenListsWhatToStudy(t *testing.T) {
	missed := []*quizv1.MissedQuestion{
		{Index: 1, Text: "Which service traces requests through your Lambda functions?", Kind: quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER,
			AcceptedAnswers: []string{"X-Ray"}, YourAnswer: &quizv1.Answer{Text: "CloudWatch"},
			Explanation: "X-Ray traces requests.", Section: "AWS Lambda", Passage: "- Lambda runs code without servers.\n- X-Ray traces requests."},
		{Index: 3, Text: "What is the default timeout of a Lambda function?", Kind: quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE,
			Options: []string{"3 seconds", "15 minutes"}, CorrectChoices: []int32{0}},
	}
	for _, size := range [][2]int{{80, 24}, {80, 10}} {
		f := newScreen(Play, size[0], size[1])
		f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
		f.personalEvent(2, t0, t0, &quizv1.GameFinished{PlayerCount: 2, QuestionsPlayed: 4,
			Podium: []*quizv1.Standing{standing("p2", "Bob", 1, 4000, 4, 4), standing("p1", "Ann", 2, 2000, 2, 0)},
		}, &quizv1.Personal{Standing: standing("p1", "Ann", 2, 2000, 2, 0), Missed: missed})
		v := f.screen(t)
		if size[1] == 24 {
			has(t, v, "To study next: 2 questions you missed", "2. Which service traces requests through your Lambda",
				"→ X-Ray", "4. What is the default timeout of a Lambda function? → 3 seconds")
		} else {
			has(t, v, "To study next: 2 questions you missed, listed with their notes when you quit.")
		}
		f.send(key("q"))
		has(t, f.m.Summary(), "To study next (2 questions you missed):",
			"2. Which service traces requests through your Lambda functions?\n   answer: X-Ray (yours: CloudWatch)\n   why: X-Ray traces requests.\n   notes, AWS Lambda:\n     - Lambda runs code without servers.\n     - X-Ray traces requests.",
			"4. What is the default timeout of a Lambda function?\n   answer: 3 seconds (yours: no answer)")
	}
}

func TestHostQuitWaitsForTheReport(t *testing.T) {
	f := newScreen(Host, 80, 24)
	path := "/home/ann/.local/share/quiz/reports/quiz-report-ABC234.csv"
	written := make(chan struct{})
	f.m.cfg.Report = func() (string, error) { <-written; return path, nil }
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_HOST))
	// The report is asked for on the finish; hold its command back.
	ev := &quizv1.Event{Seq: 2, ServerTime: timestamppb.New(t0), Payload: &quizv1.Event_GameFinished{GameFinished: &quizv1.GameFinished{
		PlayerCount: 1, QuestionsPlayed: 1, Podium: []*quizv1.Standing{standing("p1", "Ann", 1, 900, 1, 1)},
	}}}
	_, report := f.m.Update(UpdateMsg{Event: ev, Received: t0})
	has(t, f.screen(t), "writing the report…")
	if f.send(key("q")) {
		t.Fatal("q quit before the report was written")
	}
	close(written)
	if !f.send(report()) {
		t.Fatal("the UI did not quit once the report was written")
	}
	v := f.screen(t)
	has(t, v, "report written to", path)
	if s := f.m.Summary(); !strings.HasSuffix(s, "\nreport: "+path) {
		t.Errorf("summary %q does not say where the report is", s)
	}
}

func TestHostConfirmations(t *testing.T) {
	f := newScreen(Host, 80, 24)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_HOST))
	f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b"))

	f.send(key("e"))
	v := f.screen(t)
	has(t, v, "End the game now? Everyone goes to the final results.", "y yes · n no")
	f.send(key("enter"))
	if len(f.commands) != 0 {
		t.Fatalf("e then enter ran %v", f.commands)
	}
	has(t, f.screen(t), "cancelled")

	f.send(key("k"))
	v = f.screen(t)
	has(t, v, "Kick which player?", "▸ Ann", "  Bob")
	if h := helpLine(v); h != "↑↓ pick the player · enter kick · esc cancel" {
		t.Errorf("kick picker help line %q", h)
	}
	f.send(key("down"))
	f.send(key("enter"))
	has(t, f.screen(t), "Kick Bob? They are removed from the room.")
	f.send(key("esc"))
	if len(f.commands) != 0 {
		t.Fatalf("kick then esc ran %v", f.commands)
	}

	f.send(key("e"))
	f.send(key("y"))
	f.send(key("k"))
	f.send(key("enter"))
	f.send(key("y"))
	want := []control.Command{{Action: control.End}, {Action: control.Kick, PlayerID: "p1"}}
	if !slices.Equal(f.commands, want) {
		t.Errorf("commands %v, want %v", f.commands, want)
	}
}

func TestHostQuitInTheLobbyClosesTheRoom(t *testing.T) {
	f := newScreen(Host, 80, 24)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_HOST))
	if f.send(key("q")) {
		t.Fatal("q quit at once")
	}
	has(t, f.screen(t), "Close the room as you leave? The players in the lobby are sent home.", "y close it · n leave it open · esc stay")
	if !f.send(key("y")) {
		t.Fatal("y did not quit")
	}
	if want := []control.Command{{Action: control.End}}; !slices.Equal(f.commands, want) {
		t.Errorf("commands %v, want %v", f.commands, want)
	}
	if got, want := f.m.Summary(), "You left room ABC234 in the lobby."; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

func TestHelpFollowsThePhase(t *testing.T) {
	f := newScreen(Host, 80, 24)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_HOST))
	f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b"))
	lacks(t, helpLine(f.screen(t)), "s start", "n →", "l lock")
	f.event(3, t0, t0, &quizv1.Leaderboard{AfterQuestion: 0, Top: []*quizv1.Standing{standing("p1", "Ann", 1, 900, 1, 1)}})
	if h := helpLine(f.screen(t)); !strings.HasPrefix(h, "n → question 2 · p pause") {
		t.Errorf("leaderboard help line %q", h)
	}
	f.event(4, t0, t0, &quizv1.GamePaused{PausedPhase: quizv1.Phase_PHASE_LEADERBOARD, Remaining: durationpb.New(0)})
	if h := helpLine(f.screen(t)); h != "p resume · k kick · e end · q quit" {
		t.Errorf("paused help line %q", h)
	}
}

func TestStaleLinesClear(t *testing.T) {
	f := newScreen(Host, 80, 24)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_HOST))
	f.send(controlMsg{cmd: control.Command{Action: control.Lock}, err: errors.New("lock: try again")})
	has(t, f.screen(t), "lock: try again")
	f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b"))
	lacks(t, f.screen(t), "lock: try again")
	// A command's success shows on the screen itself: no "done" stays.
	f.send(key("c"))
	f.event(3, t0, t0, &quizv1.QuestionRevealed{Index: 0, CorrectChoices: []int32{0}, OptionCounts: []int32{0, 0}, Players: 2})
	lacks(t, f.screen(t), "close…", "done")
}

func TestAnsweredCountFollowsTheRoster(t *testing.T) {
	f := newScreen(Watch, 80, 24)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_SPECTATOR))
	f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b"))
	has(t, f.screen(t), "0/2 answered")
	f.event(3, t0, t0, &quizv1.RosterChanged{Left: []*quizv1.Player{{PlayerId: "p2", Name: "Bob"}}, PlayerCount: 1})
	v := f.screen(t)
	has(t, v, "0/1 answered", "· 1 player")
}

func TestLongStatusLinesWrap(t *testing.T) {
	f := newScreen(Host, 80, 24)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_HOST))
	f.send(controlMsg{cmd: control.Command{Action: control.Start}, err: fmt.Errorf("start: %s", strings.Repeat("the server says something long ", 5)+"END")})
	v := f.screen(t)
	has(t, v, "END")
}

func TestPlayerQuitSummary(t *testing.T) {
	f := newScreen(Play, 80, 24)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
	f.event(2, t0, t0, question(1, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b"))
	if !f.send(key("q")) {
		t.Fatal("q does not quit")
	}
	if got, want := f.m.Summary(), "You left room ABC234 at question 2 of 5."; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

// TestPlayerCtrlCSaysHowToComeBack leaves with ctrl+c: the line left on
// the terminal says how to come back with the score.
func TestPlayerCtrlCSaysHowToComeBack(t *testing.T) {
	f := newScreen(Play, 80, 24)
	f.m.cfg.ComeBack = "quiz join ABC234"
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
	f.event(2, t0, t0, question(1, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b"))
	if !f.send(tea.KeyMsg{Type: tea.KeyCtrlC}) {
		t.Fatal("ctrl+c does not quit")
	}
	if got, want := f.m.Summary(), "You left room ABC234 at question 2 of 5; run `quiz join ABC234` to come back with your score."; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if len(f.commands) != 0 {
		t.Errorf("leaving ran %v", f.commands)
	}
}

// TestHostCtrlCAsks leaves a game with ctrl+c: the host is asked whether
// to end it; n leaves it running and says how to take it back, and after
// how long it goes on by itself (the room's host-away limit); y ends it.
func TestHostCtrlCAsks(t *testing.T) {
	for _, answer := range []string{"n", "ctrl+c", "esc", "y"} {
		t.Run(answer, func(t *testing.T) {
			f := newScreen(Host, 80, 24)
			f.m.cfg.ComeBack = "quiz host --resume ABC234"
			snap := lobby(quizv1.Role_ROLE_HOST)
			snap.Room.Settings = &quizv1.RoomSettings{Pacing: quizv1.PacingMode_PACING_MODE_HOST, HostAwayLimit: durationpb.New(90 * time.Second)}
			f.event(1, t0, t0, snap)
			f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b"))
			if f.send(tea.KeyMsg{Type: tea.KeyCtrlC}) {
				t.Fatal("ctrl+c quit a game in progress without asking")
			}
			v := f.screen(t)
			has(t, v, "End the game for everyone as you leave?", "quiz host --resume ABC234", "after 90 s", "y end it · n leave it running · esc stay")
			k := key(answer)
			if answer == "ctrl+c" {
				k = tea.KeyMsg{Type: tea.KeyCtrlC}
			}
			quit := f.send(k)
			switch answer {
			case "n", "ctrl+c":
				if !quit || len(f.commands) != 0 {
					t.Fatalf("%s: quit %t, commands %v; want to quit leaving the game running", answer, quit, f.commands)
				}
				want := "You left room ABC234 at question 1 of 5; run `quiz host --resume ABC234` to take it back; the game goes on by itself after 90 s."
				if got := f.m.Summary(); got != want {
					t.Errorf("summary %q, want %q", got, want)
				}
			case "esc":
				if quit || len(f.commands) != 0 {
					t.Fatalf("esc: quit %t, commands %v; want to stay", quit, f.commands)
				}
				has(t, f.screen(t), "cancelled")
			case "y":
				if quit || !slices.Equal(f.commands, []control.Command{{Action: control.End}}) {
					t.Fatalf("y: quit %t, commands %v; want the game ended, then quit", quit, f.commands)
				}
				if !f.event(3, t0, t0, &quizv1.GameFinished{PlayerCount: 2, QuestionsPlayed: 1}) {
					t.Error("y: no quit once the game is over")
				}
			}
		})
	}
}

// TestHostAwayBanner shows players and spectators that the host is away,
// counting down to the game going on by itself, then that it does, then
// nothing once the host is back; a resumed player is welcomed.
func TestHostAwayBanner(t *testing.T) {
	for _, mode := range []Mode{Play, Watch} {
		f := newScreen(mode, 80, 24)
		f.m.cfg.Notice = "Welcome back, Ann: you have 900 points, 1st of 2."
		role := quizv1.Role_ROLE_SPECTATOR
		if mode == Play {
			role = quizv1.Role_ROLE_PLAYER
		}
		snap := lobby(role)
		snap.Phase = quizv1.Phase_PHASE_REVEAL
		snap.Room.Settings = &quizv1.RoomSettings{Pacing: quizv1.PacingMode_PACING_MODE_HOST}
		f.event(1, t0, t0, snap)
		has(t, f.screen(t), "Welcome back, Ann: you have 900 points, 1st of 2.")
		f.event(2, t0, t0, &quizv1.HostPresence{Away: true, AutoAt: timestamppb.New(t0.Add(60 * time.Second))})
		f.now = t0.Add(18 * time.Second)
		has(t, f.screen(t), "The host is away — the game goes on by itself in 42 s")
		f.event(3, t0.Add(60*time.Second), t0.Add(60*time.Second), &quizv1.HostPresence{Away: true, AutoPacing: true})
		v := f.screen(t)
		has(t, v, "The host is away; the game goes on by itself")
		lacks(t, v, " in ")
		f.event(4, t0.Add(70*time.Second), t0.Add(70*time.Second), &quizv1.HostPresence{})
		lacks(t, f.screen(t), "The host is away")
	}
}

// TestKeysTypedFastAreEachAKey checks that keys arriving together, as
// from a fast typist, toggle each option.
func TestKeysTypedFastAreEachAKey(t *testing.T) {
	f := newScreen(Play, 80, 24)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
	f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT, "a", "b", "c"))
	f.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("ac")})
	f.send(key("enter"))
	if len(f.answers) != 1 || !slices.Equal(f.answers[0].GetChoices(), []int32{0, 2}) {
		t.Errorf("answers %v, want A and C", f.answers)
	}
}
