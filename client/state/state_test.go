package state

import (
	"strings"
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
	case *quizv1.HostPresence:
		e.Payload = &quizv1.Event_HostPresence{HostPresence: p}
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

// TestHostPresence follows the host going away from a HOST-paced game,
// the game going on by itself, and the host coming back; a snapshot
// carries the presence too.
func TestHostPresence(t *testing.T) {
	host := &quizv1.RoomSettings{Pacing: quizv1.PacingMode_PACING_MODE_HOST}
	var r Room
	r.Apply(ev(5, t0, &quizv1.RoomSnapshot{Room: &quizv1.RoomInfo{Code: "ABC234", Settings: host}, Phase: quizv1.Phase_PHASE_REVEAL}), nil, t0)
	if away, _, _ := r.HostAway(t0); away || r.HostNotice(t0) != "" {
		t.Fatalf("host here: away %t, notice %q", away, r.HostNotice(t0))
	}
	steps := []struct {
		name   string
		apply  func()
		at     time.Time
		away   bool
		in     time.Duration
		auto   bool
		notice string
	}{
		{"away", func() {
			r.Apply(ev(6, t0, &quizv1.HostPresence{Away: true, AutoAt: timestamppb.New(t0.Add(60 * time.Second))}), nil, t0)
		}, t0.Add(17500 * time.Millisecond), true, 42500 * time.Millisecond, false, "The host is away — the game goes on by itself in 43 s"},
		{"limit passed, no event yet", func() {}, t0.Add(61 * time.Second), true, 0, false, "The host is away; the game goes on by itself"},
		{"auto pacing", func() {
			r.Apply(ev(7, t0.Add(60*time.Second), &quizv1.HostPresence{Away: true, AutoPacing: true}), nil, t0.Add(60*time.Second))
		}, t0.Add(70 * time.Second), true, 0, true, "The host is away; the game goes on by itself"},
		{"back", func() {
			r.Apply(ev(8, t0.Add(80*time.Second), &quizv1.HostPresence{}), nil, t0.Add(80*time.Second))
		}, t0.Add(80 * time.Second), false, 0, false, ""},
		{"away again, in a snapshot", func() {
			r.Apply(ev(12, t0.Add(90*time.Second), &quizv1.RoomSnapshot{
				Room: &quizv1.RoomInfo{Code: "ABC234", Settings: host}, Phase: quizv1.Phase_PHASE_QUESTION,
				Host: &quizv1.HostPresence{Away: true, AutoAt: timestamppb.New(t0.Add(150 * time.Second))},
			}), nil, t0.Add(90*time.Second))
		}, t0.Add(90 * time.Second), true, time.Minute, false, "The host is away — the game goes on by itself in 60 s"},
		{"game over", func() {
			r.Apply(ev(13, t0.Add(95*time.Second), &quizv1.GameFinished{}), nil, t0.Add(95*time.Second))
		}, t0.Add(95 * time.Second), false, 0, false, ""},
	}
	for _, s := range steps {
		s.apply()
		away, in, auto := r.HostAway(s.at)
		if away != s.away || in != s.in || auto != s.auto {
			t.Errorf("%s: HostAway = %t, %s, %t; want %t, %s, %t", s.name, away, in, auto, s.away, s.in, s.auto)
		}
		if got := r.HostNotice(s.at); got != s.notice {
			t.Errorf("%s: HostNotice = %q, want %q", s.name, got, s.notice)
		}
	}

	// In the lobby nothing starts without the host.
	var lobby Room
	lobby.Apply(ev(1, t0, &quizv1.RoomSnapshot{Room: &quizv1.RoomInfo{Settings: host}, Phase: quizv1.Phase_PHASE_LOBBY,
		Host: &quizv1.HostPresence{Away: true}}), nil, t0)
	if got, want := lobby.HostNotice(t0), "The host is away; the game starts when they are back"; got != want {
		t.Errorf("lobby: HostNotice = %q, want %q", got, want)
	}
	// A room paced by timers does not miss its host.
	auto := Room{}
	auto.Apply(ev(1, t0, &quizv1.RoomSnapshot{Room: &quizv1.RoomInfo{Settings: &quizv1.RoomSettings{Pacing: quizv1.PacingMode_PACING_MODE_AUTO}},
		Phase: quizv1.Phase_PHASE_QUESTION, Host: &quizv1.HostPresence{Away: true, AutoPacing: true}}), nil, t0)
	if away, _, _ := auto.HostAway(t0); away {
		t.Error("an AUTO-paced room says its host is away")
	}
}

func TestWhere(t *testing.T) {
	q := &quizv1.QuestionOpened{Index: 1, Count: 5}
	tests := []struct {
		phase, paused quizv1.Phase
		want          string
	}{
		{quizv1.Phase_PHASE_UNSPECIFIED, 0, "in the lobby"},
		{quizv1.Phase_PHASE_LOBBY, 0, "in the lobby"},
		{quizv1.Phase_PHASE_QUESTION, 0, "at question 2 of 5"},
		{quizv1.Phase_PHASE_REVEAL, 0, "after question 2 of 5"},
		{quizv1.Phase_PHASE_LEADERBOARD, 0, "after question 2 of 5"},
		{quizv1.Phase_PHASE_PAUSED, quizv1.Phase_PHASE_QUESTION, "paused at question 2 of 5"},
		{quizv1.Phase_PHASE_FINISHED, 0, "finished"},
		{quizv1.Phase_PHASE_CLOSED, 0, "closed"},
	}
	for _, tt := range tests {
		r := Room{Phase: tt.phase, PausedPhase: tt.paused, Question: q}
		if got := r.Where(); got != tt.want {
			t.Errorf("Where in %v (paused %v) = %q, want %q", tt.phase, tt.paused, got, tt.want)
		}
	}
}

// TestRosterBatches applies roster changes as a big room sends them: joins
// in batches, a join the snapshot already listed, a player who left and
// joined again within one batch. The roster keeps join order and lists
// everyone once.
func TestRosterBatches(t *testing.T) {
	var r Room
	r.Apply(ev(1, t0, &quizv1.RoomSnapshot{
		Room: &quizv1.RoomInfo{Code: "ABC234"}, Role: quizv1.Role_ROLE_HOST, Phase: quizv1.Phase_PHASE_LOBBY,
		Players: []*quizv1.Player{{PlayerId: "p2", Name: "Bob"}, {PlayerId: "p1", Name: "Ann"}},
	}), nil, t0)
	pl := func(id string) *quizv1.Player { return &quizv1.Player{PlayerId: id, Name: "N" + id} }
	r.Apply(ev(2, t0, &quizv1.RosterChanged{Joined: []*quizv1.Player{pl("p2"), pl("p3"), pl("p4"), pl("p3")}, PlayerCount: 4}), nil, t0)
	r.Apply(ev(3, t0, &quizv1.RosterChanged{Left: []*quizv1.Player{pl("p1"), pl("p3")}, Joined: []*quizv1.Player{pl("p5"), pl("p1")}, PlayerCount: 4}), nil, t0)
	var ids []string
	for _, p := range r.Players {
		ids = append(ids, p.GetPlayerId())
	}
	if got, want := strings.Join(ids, " "), "p2 p4 p5 p1"; got != want {
		t.Errorf("roster %q, want %q", got, want)
	}
	if r.PlayerCount != 4 {
		t.Errorf("player count %d, want 4", r.PlayerCount)
	}
}
