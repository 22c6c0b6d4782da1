package tui

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/quizroom/quizroom/client/conn"
	"github.com/quizroom/quizroom/client/control"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// t0 is the server's time when the tests' questions open.
var t0 = time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)

// fixture is a Model with a fake clock and fake calls.
type fixture struct {
	m        *Model
	now      time.Time
	answers  []*quizv1.Answer
	indexes  []int32
	commands []control.Command
	submit   error
}

func newFixture(mode Mode) *fixture {
	f := &fixture{now: t0}
	f.m = New(Config{
		Mode: mode, Code: "ABC234",
		Now: func() time.Time { return f.now },
		Submit: func(index int32, a *quizv1.Answer) (*quizv1.SubmitAnswerResponse, error) {
			f.indexes = append(f.indexes, index)
			f.answers = append(f.answers, a)
			if f.submit != nil {
				return nil, f.submit
			}
			return &quizv1.SubmitAnswerResponse{Accepted: true, Elapsed: durationpb.New(1200 * time.Millisecond)}, nil
		},
		Control: func(c control.Command) error { f.commands = append(f.commands, c); return nil },
	})
	return f
}

// send delivers msg and runs the commands it returns, as bubbletea would,
// feeding their messages back; it returns whether the model quit.
func (f *fixture) send(msg tea.Msg) (quit bool) {
	queue := []tea.Msg{msg}
	for steps := 0; len(queue) > 0 && steps < 100; steps++ {
		msg, queue = queue[0], queue[1:]
		_, cmd := f.m.Update(msg)
		for _, out := range run(cmd) {
			switch out.(type) {
			case tea.QuitMsg:
				quit = true
			case TickMsg:
			default:
				queue = append(queue, out)
			}
		}
	}
	return quit
}

// run runs a command and the batches it holds.
func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, run(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// event delivers an event received at local time received.
func (f *fixture) event(seq uint64, serverTime time.Time, received time.Time, payload any) bool {
	return f.personalEvent(seq, serverTime, received, payload, nil)
}

// personalEvent sends an event with the watching player's own part.
func (f *fixture) personalEvent(seq uint64, serverTime time.Time, received time.Time, payload any, personal *quizv1.Personal) bool {
	ev := &quizv1.Event{Seq: seq, ServerTime: timestamppb.New(serverTime)}
	switch p := payload.(type) {
	case *quizv1.RoomSnapshot:
		ev.Payload = &quizv1.Event_Snapshot{Snapshot: p}
	case *quizv1.QuestionOpened:
		ev.Payload = &quizv1.Event_QuestionOpened{QuestionOpened: p}
	case *quizv1.QuestionRevealed:
		ev.Payload = &quizv1.Event_QuestionRevealed{QuestionRevealed: p}
	case *quizv1.PlayerKicked:
		ev.Payload = &quizv1.Event_PlayerKicked{PlayerKicked: p}
	case *quizv1.GamePaused:
		ev.Payload = &quizv1.Event_GamePaused{GamePaused: p}
	case *quizv1.GameFinished:
		ev.Payload = &quizv1.Event_GameFinished{GameFinished: p}
	case *quizv1.RosterChanged:
		ev.Payload = &quizv1.Event_RosterChanged{RosterChanged: p}
	case *quizv1.Leaderboard:
		ev.Payload = &quizv1.Event_Leaderboard{Leaderboard: p}
	case *quizv1.GameStarted:
		ev.Payload = &quizv1.Event_GameStarted{GameStarted: p}
	case *quizv1.HostPresence:
		ev.Payload = &quizv1.Event_HostPresence{HostPresence: p}
	default:
		panic("unexpected payload")
	}
	return f.send(UpdateMsg(conn.Update{Event: ev, Personal: personal, Received: received}))
}

func key(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "space":
		return tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func question(index int32, kind quizv1.QuestionKind, options ...string) *quizv1.QuestionOpened {
	return &quizv1.QuestionOpened{
		Index: index, Count: 5, Kind: kind, Text: "Which?", Options: options,
		OpensAt: timestamppb.New(t0), Deadline: timestamppb.New(t0.Add(20 * time.Second)),
		TimeLimit: durationpb.New(20 * time.Second), Points: 1000,
	}
}

func lobby(role quizv1.Role) *quizv1.RoomSnapshot {
	s := &quizv1.RoomSnapshot{
		Room: &quizv1.RoomInfo{Code: "ABC234", DeckTitle: "Deck", QuestionCount: 5, PlayerCount: 2},
		Role: role, Phase: quizv1.Phase_PHASE_LOBBY,
		Players: []*quizv1.Player{{PlayerId: "p2", Name: "Bob"}, {PlayerId: "p1", Name: "Ann"}},
	}
	if role == quizv1.Role_ROLE_PLAYER {
		s.You = &quizv1.Player{PlayerId: "p1", Name: "Ann"}
	}
	return s
}

func TestPlayerKeysSubmitAnswers(t *testing.T) {
	single := quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE
	multiple := quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT
	typed := quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER
	tests := []struct {
		name string
		kind quizv1.QuestionKind
		keys []string
		want *quizv1.Answer // nil: nothing submitted
	}{
		{"number", single, []string{"2"}, &quizv1.Answer{Choices: []int32{1}}},
		{"letter", single, []string{"c"}, &quizv1.Answer{Choices: []int32{2}}},
		{"capital letter", single, []string{"A"}, &quizv1.Answer{Choices: []int32{0}}},
		{"arrows and enter", single, []string{"down", "down", "up", "enter"}, &quizv1.Answer{Choices: []int32{1}}},
		{"arrows wrap", single, []string{"up", "enter"}, &quizv1.Answer{Choices: []int32{2}}},
		{"no such option", single, []string{"4", "z"}, nil},
		{"only the first answer", single, []string{"1", "2"}, &quizv1.Answer{Choices: []int32{0}}},
		{"multiple toggles and enter", multiple, []string{"1", "3", "enter"}, &quizv1.Answer{Choices: []int32{0, 2}}},
		{"multiple space", multiple, []string{"down", "space", "down", "space", "up", "space", "enter"}, &quizv1.Answer{Choices: []int32{2}}},
		{"multiple toggle off", multiple, []string{"2", "2", "1", "enter"}, &quizv1.Answer{Choices: []int32{0}}},
		{"multiple nothing selected", multiple, []string{"enter"}, nil},
		{"typed", typed, []string{"X", "-", "R", "a", "y", "enter"}, &quizv1.Answer{Text: "X-Ray"}},
		{"typed q does not quit", typed, []string{"q", "enter"}, &quizv1.Answer{Text: "q"}},
		{"typed empty", typed, []string{"enter"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(Play)
			f.event(1, t0.Add(-time.Minute), t0.Add(-time.Minute), lobby(quizv1.Role_ROLE_PLAYER))
			var opts []string
			if tt.kind != typed {
				opts = []string{"A one", "B two", "C three"}
			}
			f.event(2, t0, t0, question(0, tt.kind, opts...))
			for _, k := range tt.keys {
				if f.send(key(k)) {
					t.Fatalf("key %q quit", k)
				}
			}
			if tt.want == nil {
				if len(f.answers) != 0 {
					t.Fatalf("submitted %v, want nothing", f.answers)
				}
				return
			}
			if len(f.answers) != 1 {
				t.Fatalf("submitted %d answers, want 1", len(f.answers))
			}
			got := f.answers[0]
			if !slices.Equal(got.GetChoices(), tt.want.GetChoices()) || got.GetText() != tt.want.GetText() {
				t.Errorf("submitted %v, want %v", got, tt.want)
			}
			if f.indexes[0] != 0 {
				t.Errorf("submitted for question %d, want 0", f.indexes[0])
			}
			if v := f.m.View(); !strings.Contains(v, "answer locked in after 1.2s") {
				t.Errorf("the view does not show the accepted answer's time:\n%s", v)
			}
		})
	}
}

func TestPlayerCannotAnswerBeforeOptionsOpenOrAfterDeadline(t *testing.T) {
	f := newFixture(Play)
	f.event(1, t0.Add(-time.Minute), t0.Add(-time.Minute), lobby(quizv1.Role_ROLE_PLAYER))
	q := question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b")
	q.OpensAt = timestamppb.New(t0.Add(3 * time.Second)) // read time
	q.Deadline = timestamppb.New(t0.Add(23 * time.Second))
	f.event(2, t0, t0, q)
	f.send(key("1"))
	if len(f.answers) != 0 {
		t.Fatal("answered during the read time")
	}
	if v := f.m.View(); !strings.Contains(v, "options open in 3.0s") {
		t.Errorf("view during read time lacks the wait:\n%s", v)
	}
	f.now = t0.Add(24 * time.Second)
	f.send(key("1"))
	if len(f.answers) != 0 {
		t.Fatal("answered after the deadline")
	}
	f.now = t0.Add(4 * time.Second)
	f.send(key("1"))
	if len(f.answers) != 1 {
		t.Fatal("could not answer while open")
	}
}

func TestCountdownFollowsServerClock(t *testing.T) {
	f := newFixture(Play)
	// The local clock is 30 s ahead of the server's: events made at server
	// time T arrive at local time T+30s (plus a little network delay).
	skew := 30 * time.Second
	f.event(1, t0.Add(-time.Minute), t0.Add(-time.Minute+skew+80*time.Millisecond), lobby(quizv1.Role_ROLE_PLAYER))
	f.event(2, t0, t0.Add(skew+20*time.Millisecond), question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b"))
	tests := []struct {
		local time.Time
		want  time.Duration
	}{
		{t0.Add(skew + 20*time.Millisecond), 20 * time.Second},
		{t0.Add(skew + 5*time.Second + 20*time.Millisecond), 15 * time.Second},
		{t0.Add(skew + 25*time.Second), 0},
	}
	for _, tt := range tests {
		f.now = tt.local
		f.send(TickMsg(tt.local))
		if got := f.m.Room().Remaining(tt.local); got != tt.want {
			t.Errorf("remaining at local %s = %s, want %s", tt.local.Sub(t0), got, tt.want)
		}
	}
	f.now = t0.Add(skew + 5*time.Second + 20*time.Millisecond)
	if v := f.m.View(); !strings.Contains(v, " 15.0s") {
		t.Errorf("view lacks the 15.0s countdown:\n%s", v)
	}
	// A tick asks for the next tick.
	if _, cmd := f.m.Update(TickMsg(f.now)); cmd == nil {
		t.Error("a tick schedules no next tick")
	}
}

func TestReconnectStates(t *testing.T) {
	f := newFixture(Play)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
	f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b", "c"))
	f.send(key("down")) // the cursor is on b

	f.send(UpdateMsg(conn.Update{Reconnecting: true, Attempt: 2, Wait: time.Second, Err: errors.New("server unavailable")}))
	if f.m.Reconnecting() == nil {
		t.Fatal("no reconnecting state after a dropped stream")
	}
	if v := f.m.View(); !strings.Contains(v, "reconnecting (attempt 2)") {
		t.Errorf("view lacks the reconnection notice:\n%s", v)
	}

	// The resumed stream replays the same question: the choice in progress
	// stays, and the notice goes.
	f.event(2, t0, t0.Add(2*time.Second), question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b", "c"))
	if f.m.Reconnecting() != nil {
		t.Error("still reconnecting after an event")
	}
	f.now = t0.Add(2 * time.Second)
	f.send(key("enter"))
	if len(f.answers) != 1 || f.answers[0].GetChoices()[0] != 1 {
		t.Fatalf("answers after reconnecting = %v, want b", f.answers)
	}

	// Giving up for good quits with the error.
	if !f.send(EndMsg{Err: errors.New("gave up")}) || f.m.Err() == nil {
		t.Error("the UI did not quit with the stream's error")
	}
}

func TestSnapshotReplacesState(t *testing.T) {
	f := newFixture(Play)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
	f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b"))
	f.send(key("1"))
	if len(f.answers) != 1 {
		t.Fatal("no answer")
	}
	// After a long outage the server sends a snapshot: question 2 is open
	// and this player already answered it (from before the drop).
	snap := lobby(quizv1.Role_ROLE_PLAYER)
	snap.Phase = quizv1.Phase_PHASE_QUESTION
	snap.Room.PlayerCount = 7
	snap.Question = question(2, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "x", "y")
	snap.Answered = true
	snap.Progress = &quizv1.AnswerProgress{Index: 2, Answered: 3, Players: 7}
	f.event(40, t0, t0, snap)
	r := f.m.Room()
	if r.Seq != 40 || r.Question.GetIndex() != 2 || r.PlayerCount != 7 || !r.Answered {
		t.Fatalf("after the snapshot: seq %d, question %d, players %d, answered %t", r.Seq, r.Question.GetIndex(), r.PlayerCount, r.Answered)
	}
	f.send(key("2"))
	if len(f.answers) != 1 {
		t.Error("answered a question the snapshot says is answered")
	}
	if v := f.m.View(); !strings.Contains(v, "answered") || !strings.Contains(v, "3/7") {
		t.Errorf("view lacks the progress from the snapshot:\n%s", v)
	}
}

func TestRefusedAnswer(t *testing.T) {
	f := newFixture(Play)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
	f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b"))
	f.submit = &conn.Error{Code: codes.FailedPrecondition, Msg: "answering: question 1 is closed"}
	f.send(key("1"))
	if !strings.Contains(f.m.Note(), "closed") {
		t.Errorf("note %q does not say why the answer was refused", f.m.Note())
	}
	// A refused answer can be tried again (the question may reopen after a
	// pause); a second answer the server already has counts as locked in.
	f.submit = &conn.Error{Code: codes.AlreadyExists, Msg: "already answered"}
	f.send(key("2"))
	f.send(key("1"))
	if len(f.answers) != 2 {
		t.Errorf("answers sent = %d, want 2", len(f.answers))
	}
}

func TestRevealShowsResult(t *testing.T) {
	f := newFixture(Play)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
	f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "Lambda", "EC2"))
	f.send(key("1"))
	f.personalEvent(3, t0.Add(time.Second), t0.Add(time.Second), &quizv1.QuestionRevealed{
		Index: 0, CorrectChoices: []int32{0}, OptionCounts: []int32{3, 1}, Answered: 4, CorrectCount: 3, Players: 4,
		Explanation: "Lambda is serverless.", Section: "AWS Lambda",
	}, &quizv1.Personal{
		Result:   &quizv1.PlayerResult{Answered: true, Correct: true, Points: 950, Streak: 2},
		Standing: &quizv1.Standing{Score: 1900, Rank: 2}, GapToNext: 40,
	})
	v := strings.ReplaceAll(f.m.View(), "\u00a0", " ")
	for _, want := range []string{"✓ correct! +950 points", "streak 2", "score 1900", "rank 2", "40 points behind", "Lambda is serverless.", "from the notes: AWS Lambda", "← your answer", "4 of 4 answered, 3 right"} {
		if !strings.Contains(v, want) {
			t.Errorf("reveal view lacks %q:\n%s", want, v)
		}
	}
}

func TestKickedQuits(t *testing.T) {
	f := newFixture(Play)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_PLAYER))
	if !f.event(2, t0, t0, &quizv1.PlayerKicked{Player: &quizv1.Player{PlayerId: "p1", Name: "Ann"}, PlayerCount: 1}) {
		t.Fatal("a kicked player's UI did not quit")
	}
	if !errors.Is(f.m.Err(), ErrKicked) {
		t.Errorf("err = %v, want ErrKicked", f.m.Err())
	}
}

func TestHostKeys(t *testing.T) {
	f := newFixture(Host)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_HOST))
	if v := f.m.View(); !strings.Contains(v, BigText("ABC234")) || !strings.Contains(v, "Ann") {
		t.Errorf("host lobby lacks the big code or the roster:\n%s", v)
	}
	for _, k := range []string{"l", "s", "c", "n", "p", "e", "y"} {
		f.send(key(k))
	}
	// Kick: pick the second player of the roster sorted by name, Bob.
	f.send(key("k"))
	f.send(key("down"))
	f.send(key("enter"))
	f.send(key("y"))
	f.send(key("k"))
	f.send(key("esc"))
	want := []control.Command{
		{Action: control.Lock}, {Action: control.Start}, {Action: control.Close}, {Action: control.Next},
		{Action: control.Pause}, {Action: control.End}, {Action: control.Kick, PlayerID: "p2"},
	}
	if !slices.Equal(f.commands, want) {
		t.Errorf("commands = %v, want %v", f.commands, want)
	}
	// Paused: p resumes.
	f.event(2, t0, t0, &quizv1.GamePaused{PausedPhase: quizv1.Phase_PHASE_LOBBY, Remaining: durationpb.New(time.Second)})
	f.send(key("p"))
	if got := f.commands[len(f.commands)-1]; got.Action != control.Resume {
		t.Errorf("p while paused ran %v, want resume", got.Action)
	}
	if f.send(key("q")) {
		t.Error("q quit a game in progress without asking")
	}
	if f.send(key("y")) {
		t.Error("q and y quit before the game ended")
	}
	if got := f.commands[len(f.commands)-1]; got.Action != control.End {
		t.Errorf("q and y ran %v, want end", got.Action)
	}
	if !f.event(3, t0, t0, &quizv1.GameFinished{PlayerCount: 2}) {
		t.Error("q and y do not quit once the game is over")
	}
}

func TestHostWritesReportWhenFinished(t *testing.T) {
	f := newFixture(Host)
	reports := 0
	f.m.cfg.Report = func() (string, error) {
		reports++
		return "/home/ann/.local/share/quiz/reports/quiz-report-ABC234.csv", nil
	}
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_HOST))
	fin := &quizv1.GameFinished{PlayerCount: 2, QuestionsPlayed: 5, Podium: []*quizv1.Standing{
		{Rank: 1, Player: &quizv1.Player{PlayerId: "p1", Name: "Ann"}, Score: 3000},
		{Rank: 2, Player: &quizv1.Player{PlayerId: "p2", Name: "Bob"}, Score: 10},
	}}
	f.event(2, t0, t0, fin)
	f.event(3, t0, t0, fin)
	if reports != 1 {
		t.Errorf("report written %d times, want once", reports)
	}
	for _, k := range []string{"n", "s", "p", "l", "k", "e"} {
		f.send(key(k))
	}
	if len(f.commands) != 0 {
		t.Errorf("keys after the game sent %v, want nothing", f.commands)
	}
	v := f.m.View()
	if !strings.Contains(v, "the game is over · q quits") {
		t.Errorf("keys after the game do not say it is over:\n%s", v)
	}
	for _, want := range []string{"Game over!", "Ann", "3000 points", "/home/ann/.local/share/quiz/reports/quiz-report-ABC234.csv"} {
		if !strings.Contains(v, want) {
			t.Errorf("finished view lacks %q:\n%s", want, v)
		}
	}
}

func TestSpectatorIgnoresAnswerKeys(t *testing.T) {
	f := newFixture(Watch)
	f.event(1, t0, t0, lobby(quizv1.Role_ROLE_SPECTATOR))
	f.event(2, t0, t0, question(0, quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, "a", "b"))
	f.send(key("1"))
	f.send(key("s"))
	if len(f.answers) != 0 || len(f.commands) != 0 {
		t.Errorf("a spectator's keys sent answers %v and commands %v", f.answers, f.commands)
	}
	if !f.send(key("ctrl+c")) {
		t.Error("ctrl+c does not quit")
	}
}

func TestBigText(t *testing.T) {
	got := BigText("AB")
	lines := strings.Split(got, "\n")
	if len(lines) != 5 || lines[0] != " ███   ████" {
		t.Errorf("BigText(AB) =\n%s", got)
	}
}
