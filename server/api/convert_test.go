package api

import (
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// TestReadTimeDefault checks that a room gets a short read time unless the
// request sets one, 0 s included.
func TestReadTimeDefault(t *testing.T) {
	tests := []struct {
		name string
		in   *quizv1.RoomSettings
		want time.Duration
	}{
		{"no settings", nil, game.DefaultReadTime},
		{"unset", &quizv1.RoomSettings{QuestionCount: 3}, game.DefaultReadTime},
		{"none", &quizv1.RoomSettings{ReadTime: durationpb.New(0)}, 0},
		{"set", &quizv1.RoomSettings{ReadTime: durationpb.New(5 * time.Second)}, 5 * time.Second},
	}
	for _, tt := range tests {
		if got := settingsIn(tt.in).ReadTime; got != tt.want {
			t.Errorf("%s: read time %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := settingsOut(settingsIn(nil)).GetReadTime().AsDuration(); got != game.DefaultReadTime {
		t.Errorf("the settings a room shows have read time %v, want %v", got, game.DefaultReadTime)
	}
}

// TestHostAwayLimit checks that the host-away limit is read as the other
// durations are, and that a room shows its default.
func TestHostAwayLimit(t *testing.T) {
	if got := settingsIn(&quizv1.RoomSettings{HostAwayLimit: durationpb.New(2 * time.Minute)}).HostAwayLimit; got != 2*time.Minute {
		t.Errorf("host away limit %v, want 2m", got)
	}
	defaults := settingsIn(nil).WithDefaults(10)
	if got := settingsOut(defaults).GetHostAwayLimit().AsDuration(); got != game.DefaultHostAwayLimit {
		t.Errorf("the settings a room shows have host away limit %v, want %v", got, game.DefaultHostAwayLimit)
	}
}

// TestHostOut checks what players are told of an away host: when a
// HOST-paced game goes on by itself, that it does, or nothing in the lobby.
func TestHostOut(t *testing.T) {
	since := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	host := &room.Spec{Settings: game.Settings{Pacing: game.HostPaced, HostAwayLimit: time.Minute}}
	auto := &room.Spec{Settings: game.Settings{Pacing: game.AutoPaced, HostAwayLimit: time.Minute}}
	tests := []struct {
		name  string
		spec  *room.Spec
		phase game.Phase
		since time.Time
		auto  bool
		want  *quizv1.HostPresence
	}{
		{"back", host, game.PhaseReveal, time.Time{}, false, &quizv1.HostPresence{}},
		{"away in the lobby", host, game.PhaseLobby, since, false, &quizv1.HostPresence{Away: true}},
		{"away in a HOST-paced game", host, game.PhaseReveal, since, false, &quizv1.HostPresence{Away: true, AutoAt: timestamppb.New(since.Add(time.Minute))}},
		{"away from a paused game", host, game.PhasePaused, since, false, &quizv1.HostPresence{Away: true, AutoAt: timestamppb.New(since.Add(time.Minute))}},
		{"past the limit", host, game.PhaseQuestion, since, true, &quizv1.HostPresence{Away: true, AutoPacing: true}},
		{"away from an AUTO-paced game", auto, game.PhaseQuestion, since, false, &quizv1.HostPresence{Away: true, AutoPacing: true}},
	}
	for _, tt := range tests {
		if got := hostOut(tt.spec, tt.phase, tt.since, tt.auto); !proto.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
