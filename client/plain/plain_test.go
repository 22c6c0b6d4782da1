package plain

import (
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/quizroom/quizroom/client/state"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

func TestParseAnswer(t *testing.T) {
	single := &quizv1.QuestionOpened{Kind: quizv1.QuestionKind_QUESTION_KIND_SINGLE_CHOICE, Options: []string{"a", "b", "c"}}
	multi := &quizv1.QuestionOpened{Kind: quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT, Options: []string{"a", "b", "c", "d"}}
	tf := &quizv1.QuestionOpened{Kind: quizv1.QuestionKind_QUESTION_KIND_TRUE_FALSE, Options: []string{"True", "False"}}
	typed := &quizv1.QuestionOpened{Kind: quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER}
	tests := []struct {
		line    string
		q       *quizv1.QuestionOpened
		choices []int32
		text    string
		err     string
	}{
		{"2", single, []int32{1}, "", ""},
		{" b ", single, []int32{1}, "", ""},
		{"C", single, []int32{2}, "", ""},
		{"4", single, nil, "", `no option "4": use 1 to 3 or A to C`},
		{"1,2", single, nil, "", "pick exactly one option"},
		{"", single, nil, "", "empty answer"},
		{"1,3", multi, []int32{0, 2}, "", ""},
		{"d a  a", multi, []int32{3, 0}, "", ""},
		{"true", tf, []int32{0}, "", ""},
		{"F", tf, []int32{1}, "", ""},
		{"2", tf, []int32{1}, "", ""},
		{"AWS X-Ray", typed, nil, "AWS X-Ray", ""},
		{"2", typed, nil, "2", ""},
		{strings.Repeat("x", 61), typed, nil, "", "answer too long: 61 characters, at most 60"},
	}
	for _, tt := range tests {
		a, err := ParseAnswer(tt.line, tt.q)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseAnswer(%q, %s) error = %v, want %q", tt.line, state.KindName(tt.q.GetKind()), err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(a.GetChoices(), tt.choices) || a.GetText() != tt.text {
			t.Errorf("ParseAnswer(%q, %s) = %v, %v; want choices %v text %q", tt.line, state.KindName(tt.q.GetKind()), a, err, tt.choices, tt.text)
		}
	}
}

var t0 = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

func TestLines(t *testing.T) {
	r := &state.Room{}
	q := &quizv1.QuestionOpened{Index: 1, Count: 5, Kind: quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT,
		Text: `Which "run" containers?`, Options: []string{"ECS", "EKS", "S3"}, Points: 2000, TimeLimit: durationpb.New(20 * time.Second)}
	ann := &quizv1.Player{PlayerId: "p1", Name: "Ann"}
	tests := []struct {
		ev       *quizv1.Event
		personal *quizv1.Personal
		want     []string
	}{
		{&quizv1.Event{Seq: 3, Payload: &quizv1.Event_RosterChanged{RosterChanged: &quizv1.RosterChanged{
			Joined: []*quizv1.Player{ann, {Name: "Bob"}}, JoinedOmitted: 4, PlayerCount: 6}}}, nil,
			[]string{`seq=3 roster players=6 joined="Ann|Bob" left="" joined_omitted=4`}},
		{&quizv1.Event{Seq: 4, Payload: &quizv1.Event_QuestionOpened{QuestionOpened: q}}, nil,
			[]string{`seq=4 question 2/5 multiple "Which \"run\" containers?" options="ECS|EKS|S3" points=2000 time=20s`}},
		{&quizv1.Event{Seq: 5, Payload: &quizv1.Event_AnswerProgress{AnswerProgress: &quizv1.AnswerProgress{Index: 1, Answered: 2, Players: 6}}}, nil,
			[]string{`seq=5 progress 2/5 answered=2/6`}},
		{&quizv1.Event{Seq: 6, Payload: &quizv1.Event_QuestionRevealed{QuestionRevealed: &quizv1.QuestionRevealed{
			Index: 1, CorrectChoices: []int32{0, 1}, OptionCounts: []int32{4, 3, 1}, Answered: 5, CorrectCount: 2, Players: 6,
			Explanation: "Both."}}},
			&quizv1.Personal{Result: &quizv1.PlayerResult{Answered: true, Points: 500, Elapsed: durationpb.New(1234567 * time.Microsecond)},
				Standing: &quizv1.Standing{Score: 1500, Rank: 2}, GapToNext: 30},
			[]string{
				`seq=6 reveal 2/5 correct=1,2 answer="ECS|EKS" answered=5/6 right=2 split=4,3,1 explanation="Both."`,
				`seq=6 result 2/5 answered=true correct=false points=500 streak=0 score=1500 rank=2 gap=30 elapsed=1.235s`,
			}},
		{&quizv1.Event{Seq: 7, Payload: &quizv1.Event_Leaderboard{Leaderboard: &quizv1.Leaderboard{AfterQuestion: 1, PlayerCount: 6,
			Top: []*quizv1.Standing{{Rank: 1, Player: ann, Score: 3000, CorrectCount: 2, Streak: 2}}}}},
			&quizv1.Personal{Standing: &quizv1.Standing{Rank: 2, Player: &quizv1.Player{Name: "Bob"}, Score: 1500, CorrectCount: 1}},
			[]string{`seq=7 leaderboard 2/5 players=6`, `seq=7 standing rank=1 score=3000 correct=2 streak=2 name="Ann"`, `seq=7 you rank=2 score=1500 correct=1 streak=0 name="Bob"`}},
		{&quizv1.Event{Seq: 8, Payload: &quizv1.Event_GamePaused{GamePaused: &quizv1.GamePaused{PausedPhase: quizv1.Phase_PHASE_LEADERBOARD, Remaining: durationpb.New(3 * time.Second)}}}, nil,
			[]string{`seq=8 paused phase=leaderboard remaining=3s`}},
		{&quizv1.Event{Seq: 9, Payload: &quizv1.Event_GameFinished{GameFinished: &quizv1.GameFinished{QuestionsPlayed: 2, PlayerCount: 6,
			Podium:    []*quizv1.Standing{{Rank: 1, Player: ann, Score: 3000}},
			Standings: []*quizv1.Standing{{Rank: 1, Player: ann, Score: 3000}, {Rank: 2, Player: &quizv1.Player{Name: "Bob"}, Score: 1500}}}}}, nil,
			[]string{`seq=9 finished questions=2 players=6`, `seq=9 podium rank=1 score=3000 correct=0 streak=0 name="Ann"`, `seq=9 standing rank=2 score=1500 correct=0 streak=0 name="Bob"`}},
		{&quizv1.Event{Seq: 10, Payload: &quizv1.Event_GameFinished{GameFinished: &quizv1.GameFinished{QuestionsPlayed: 2, PlayerCount: 6}}},
			&quizv1.Personal{Missed: []*quizv1.MissedQuestion{{Index: 1, Text: "Which \"run\" containers?",
				Kind: quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT, Options: []string{"ECS", "EKS", "S3"}, CorrectChoices: []int32{0, 1},
				YourAnswer: &quizv1.Answer{Choices: []int32{2}}, Explanation: "Both.", Section: "Containers", Passage: "- ECS runs containers."}}},
			[]string{`seq=10 finished questions=2 players=6`,
				`seq=10 missed 2/2 "Which \"run\" containers?" answer="ECS / EKS" yours="S3" section="Containers" explanation="Both." passage="- ECS runs containers."`}},
		{&quizv1.Event{Seq: 10, ServerTime: timestamppb.New(t0), Payload: &quizv1.Event_HostPresence{HostPresence: &quizv1.HostPresence{
			Away: true, AutoAt: timestamppb.New(t0.Add(60 * time.Second))}}}, nil,
			[]string{`seq=10 host away=true auto_in=1m0s auto_pacing=false`}},
		{&quizv1.Event{Seq: 10, Payload: &quizv1.Event_HostPresence{HostPresence: &quizv1.HostPresence{Away: true, AutoPacing: true}}}, nil,
			[]string{`seq=10 host away=true auto_pacing=true`}},
		{&quizv1.Event{Seq: 10, Payload: &quizv1.Event_HostPresence{HostPresence: &quizv1.HostPresence{}}}, nil,
			[]string{`seq=10 host away=false auto_pacing=false`}},
		{&quizv1.Event{Seq: 10, Payload: &quizv1.Event_RoomClosed{RoomClosed: &quizv1.RoomClosed{Reason: "the host closed the room"}}}, nil,
			[]string{`seq=10 closed reason="the host closed the room"`}},
	}
	for _, tt := range tests {
		r.Apply(tt.ev, tt.personal, time.Now())
		if got := Lines(tt.ev, r); !slices.Equal(got, tt.want) {
			t.Errorf("Lines(seq %d) =\n%s\nwant\n%s", tt.ev.GetSeq(), strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
		}
	}
}

func TestSnapshotLines(t *testing.T) {
	q := &quizv1.QuestionOpened{Index: 0, Count: 2, Kind: quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER, Text: "Tracing?", TimeLimit: durationpb.New(10 * time.Second), Points: 1000}
	ev := &quizv1.Event{Seq: 12, Payload: &quizv1.Event_Snapshot{Snapshot: &quizv1.RoomSnapshot{
		Room: &quizv1.RoomInfo{Code: "ABC234", DeckTitle: "AWS", QuestionCount: 2, PlayerCount: 3},
		Role: quizv1.Role_ROLE_PLAYER, Phase: quizv1.Phase_PHASE_PAUSED, PausedPhase: quizv1.Phase_PHASE_QUESTION,
		PausedRemaining: durationpb.New(4 * time.Second), Question: q, Answered: true,
		Host: &quizv1.HostPresence{Away: true, AutoAt: timestamppb.New(t0.Add(42 * time.Second))},
	}}, ServerTime: timestamppb.New(t0)}
	r := &state.Room{}
	r.Apply(ev, nil, time.Now())
	want := []string{
		`seq=12 snapshot room=ABC234 phase=paused role=player players=3 questions=2 deck="AWS"`,
		`seq=12 host away=true auto_in=42s auto_pacing=false`,
		`seq=12 paused phase=question remaining=4s`,
		`seq=12 question 1/2 typed "Tracing?" options="" points=1000 time=10s`,
		`seq=12 answered 1/2`,
	}
	if got := Lines(ev, r); !slices.Equal(got, want) {
		t.Errorf("Lines(snapshot) =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
