package state

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

var t0 = time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)

func ev(seq uint64, at time.Time, payload proto.Message) *quizv1.Event {
	e := &quizv1.Event{Seq: seq, ServerTime: timestamppb.New(at)}
	switch p := payload.(type) {
	case *quizv1.RoomSnapshot:
		e.Payload = &quizv1.Event_Snapshot{Snapshot: p}
	case *quizv1.RosterChanged:
		e.Payload = &quizv1.Event_RosterChanged{RosterChanged: p}
	case *quizv1.QuestionOpened:
		e.Payload = &quizv1.Event_QuestionOpened{QuestionOpened: p}
	case *quizv1.GamePaused:
		e.Payload = &quizv1.Event_GamePaused{GamePaused: p}
	case *quizv1.GameResumed:
		e.Payload = &quizv1.Event_GameResumed{GameResumed: p}
	case *quizv1.PlayerKicked:
		e.Payload = &quizv1.Event_PlayerKicked{PlayerKicked: p}
	case *quizv1.QuestionRevealed:
		e.Payload = &quizv1.Event_QuestionRevealed{QuestionRevealed: p}
	case *quizv1.GameFinished:
		e.Payload = &quizv1.Event_GameFinished{GameFinished: p}
	}
	return e
}

func TestApplyGame(t *testing.T) {
	var r Room
	r.Apply(ev(3, t0, &quizv1.RoomSnapshot{
		Room: &quizv1.RoomInfo{Code: "ABC234", PlayerCount: 2}, Role: quizv1.Role_ROLE_PLAYER, Phase: quizv1.Phase_PHASE_LOBBY,
		You:     &quizv1.Player{PlayerId: "p2", Name: "Bob"},
		Players: []*quizv1.Player{{PlayerId: "p2", Name: "Bob"}, {PlayerId: "p1", Name: "Ann"}},
	}), nil, t0)
	if r.Code() != "ABC234" || r.PlayerCount != 2 || r.Players[0].GetName() != "Ann" || r.Players[1].GetName() != "Bob" {
		t.Fatalf("after the snapshot: code %q, %d players %v", r.Code(), r.PlayerCount, r.Players)
	}
	r.Apply(ev(4, t0, &quizv1.RosterChanged{Joined: []*quizv1.Player{{PlayerId: "p3", Name: "Cy"}}, Left: []*quizv1.Player{{PlayerId: "p1"}}, PlayerCount: 2}), nil, t0)
	if len(r.Players) != 2 || r.Players[0].GetName() != "Bob" || r.Players[1].GetName() != "Cy" {
		t.Fatalf("after the roster change: %v", r.Players)
	}
	q := &quizv1.QuestionOpened{Index: 0, Count: 3, OpensAt: timestamppb.New(t0.Add(2 * time.Second)),
		Deadline: timestamppb.New(t0.Add(12 * time.Second)), TimeLimit: durationpb.New(10 * time.Second)}
	r.Apply(ev(5, t0, q), nil, t0)
	if r.Phase != quizv1.Phase_PHASE_QUESTION || r.Open(t0) || !r.Open(t0.Add(3*time.Second)) || r.Open(t0.Add(13*time.Second)) {
		t.Errorf("question phase %v; open before, during, after: %t %t %t", r.Phase, r.Open(t0), r.Open(t0.Add(3*time.Second)), r.Open(t0.Add(13*time.Second)))
	}
	if got := r.Fraction(t0.Add(7 * time.Second)); got != 0.5 {
		t.Errorf("fraction halfway = %v, want 0.5", got)
	}
	r.Apply(ev(6, t0.Add(7*time.Second), &quizv1.GamePaused{PausedPhase: quizv1.Phase_PHASE_QUESTION, Remaining: durationpb.New(5 * time.Second)}), nil, t0.Add(7*time.Second))
	if r.Phase != quizv1.Phase_PHASE_PAUSED || r.Remaining(t0.Add(time.Hour)) != 5*time.Second || r.Open(t0.Add(8*time.Second)) {
		t.Errorf("paused: phase %v, remaining %s", r.Phase, r.Remaining(t0.Add(time.Hour)))
	}
	r.Apply(ev(7, t0.Add(time.Minute), &quizv1.GameResumed{Phase: quizv1.Phase_PHASE_QUESTION, Deadline: timestamppb.New(t0.Add(time.Minute + 5*time.Second))}), nil, t0.Add(time.Minute))
	if r.Phase != quizv1.Phase_PHASE_QUESTION || r.Remaining(t0.Add(time.Minute+time.Second)) != 4*time.Second {
		t.Errorf("resumed: phase %v, remaining %s", r.Phase, r.Remaining(t0.Add(time.Minute+time.Second)))
	}
	if q.GetDeadline().AsTime() != t0.Add(12*time.Second) {
		t.Error("resuming changed the event already applied")
	}
	r.Apply(ev(8, t0.Add(time.Minute), &quizv1.QuestionRevealed{Index: 0}), &quizv1.Personal{Result: &quizv1.PlayerResult{Answered: true}}, t0.Add(time.Minute))
	if r.Phase != quizv1.Phase_PHASE_REVEAL || !r.Answered || r.Over() {
		t.Errorf("revealed: phase %v, answered %t", r.Phase, r.Answered)
	}
	r.Apply(ev(9, t0.Add(time.Minute), &quizv1.PlayerKicked{Player: &quizv1.Player{PlayerId: "p2"}, PlayerCount: 1}), nil, t0.Add(time.Minute))
	if !r.Kicked || !r.Over() || len(r.Players) != 1 || r.Seq != 9 {
		t.Errorf("kicked: %t, over %t, players %v, seq %d", r.Kicked, r.Over(), r.Players, r.Seq)
	}
}

func TestClockTakesSmallestLag(t *testing.T) {
	var c Clock
	if c.ServerNow(t0) != t0 {
		t.Error("the zero clock does not trust the local time")
	}
	ahead := 3 * time.Second // the local clock is 3 s ahead
	for i, delay := range []time.Duration{80, 20, 500, 40} {
		server := t0.Add(time.Duration(i) * time.Second)
		c.Observe(server, server.Add(ahead+delay*time.Millisecond))
	}
	if got, want := c.Offset(), ahead+20*time.Millisecond; got != want {
		t.Errorf("offset = %s, want %s", got, want)
	}
	// Old observations leave the window.
	for i := range clockWindow {
		server := t0.Add(time.Hour + time.Duration(i)*time.Second)
		c.Observe(server, server.Add(time.Second))
	}
	if got := c.Offset(); got != time.Second {
		t.Errorf("offset after the window moved = %s, want 1s", got)
	}
}

func TestMissedAnswers(t *testing.T) {
	tests := []struct {
		m           *quizv1.MissedQuestion
		right, gave string
	}{
		{&quizv1.MissedQuestion{Kind: quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT, Options: []string{"ECS", "EKS", "S3"},
			CorrectChoices: []int32{0, 1}, YourAnswer: &quizv1.Answer{Choices: []int32{0, 2}}}, "ECS / EKS", "ECS / S3"},
		{&quizv1.MissedQuestion{Kind: quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER, AcceptedAnswers: []string{"X-Ray", "AWS X-Ray"},
			YourAnswer: &quizv1.Answer{Text: "tracer"}}, "X-Ray / AWS X-Ray", "tracer"},
		{&quizv1.MissedQuestion{Kind: quizv1.QuestionKind_QUESTION_KIND_TRUE_FALSE, Options: []string{"True", "False"},
			CorrectChoices: []int32{1}}, "False", "no answer"},
	}
	for _, tt := range tests {
		if got := RightAnswer(tt.m); got != tt.right {
			t.Errorf("RightAnswer(%v) = %q, want %q", tt.m, got, tt.right)
		}
		if got := GivenAnswer(tt.m); got != tt.gave {
			t.Errorf("GivenAnswer(%v) = %q, want %q", tt.m, got, tt.gave)
		}
	}
}
