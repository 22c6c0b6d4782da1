package game

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

const testMaxPlayers = 100

func TestWithDefaults(t *testing.T) {
	// custom sets every field to something other than zero and its default.
	custom := Settings{
		QuestionCount:    7,
		ShuffleQuestions: true,
		ShuffleOptions:   true,
		Seed:             42,
		Pacing:           AutoPaced,
		TimeLimit:        30 * time.Second,
		ReadTime:         3 * time.Second,
		Scoring:          Scoring{Policy: Accuracy, StreakBonus: true, WrongPenalty: 250},
		LeaderboardEvery: 3,
		MaxPlayers:       12,
		RevealTime:       8 * time.Second,
		LeaderboardTime:  9 * time.Second,
		LeaderboardSize:  25,
		AllowTypos:       true,
		HostAwayLimit:    5 * time.Minute,
	}
	tests := []struct {
		name  string
		clear func(*Settings) // zero the field
		fill  func(*Settings) // set it to its default
	}{
		{"pacing", func(s *Settings) { s.Pacing = 0 }, func(s *Settings) { s.Pacing = HostPaced }},
		{"time limit", func(s *Settings) { s.TimeLimit = 0 }, func(s *Settings) { s.TimeLimit = 20 * time.Second }},
		{"points policy", func(s *Settings) { s.Scoring.Policy = 0 }, func(s *Settings) { s.Scoring.Policy = Speed }},
		{"leaderboard every", func(s *Settings) { s.LeaderboardEvery = 0 }, func(s *Settings) { s.LeaderboardEvery = 1 }},
		{"max players", func(s *Settings) { s.MaxPlayers = 0 }, func(s *Settings) { s.MaxPlayers = testMaxPlayers }},
		{"reveal time", func(s *Settings) { s.RevealTime = 0 }, func(s *Settings) { s.RevealTime = 5 * time.Second }},
		{"leaderboard time", func(s *Settings) { s.LeaderboardTime = 0 }, func(s *Settings) { s.LeaderboardTime = 5 * time.Second }},
		{"leaderboard size", func(s *Settings) { s.LeaderboardSize = 0 }, func(s *Settings) { s.LeaderboardSize = 10 }},
		{"host away limit", func(s *Settings) { s.HostAwayLimit = 0 }, func(s *Settings) { s.HostAwayLimit = time.Minute }},
		// Zero is a value of its own for these.
		{"question count 0 means all", func(s *Settings) { s.QuestionCount = 0 }, func(s *Settings) {}},
		{"read time 0 is kept", func(s *Settings) { s.ReadTime = 0 }, func(s *Settings) {}},
		{"streak bonus off is kept", func(s *Settings) { s.Scoring.StreakBonus = false }, func(s *Settings) {}},
		{"no penalty is kept", func(s *Settings) { s.Scoring.WrongPenalty = 0 }, func(s *Settings) {}},
		{"typos refused is kept", func(s *Settings) { s.AllowTypos = false }, func(s *Settings) {}},
		{"no shuffle is kept", func(s *Settings) { s.ShuffleQuestions, s.ShuffleOptions, s.Seed = false, false, 0 }, func(s *Settings) {}},
		{"nothing zero", func(s *Settings) {}, func(s *Settings) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, want := custom, custom
			tt.clear(&in)
			tt.clear(&want)
			tt.fill(&want)
			if got := in.WithDefaults(testMaxPlayers); got != want {
				t.Errorf("WithDefaults(%d):\ngot  %+v\nwant %+v", testMaxPlayers, got, want)
			}
		})
	}

	t.Run("zero value", func(t *testing.T) {
		want := Settings{
			Pacing:           HostPaced,
			TimeLimit:        DefaultTimeLimit,
			Scoring:          Scoring{Policy: Speed},
			LeaderboardEvery: 1,
			MaxPlayers:       testMaxPlayers,
			RevealTime:       DefaultHoldTime,
			LeaderboardTime:  DefaultHoldTime,
			LeaderboardSize:  DefaultLeaderboardSize,
			HostAwayLimit:    DefaultHostAwayLimit,
		}
		if got := (Settings{}).WithDefaults(testMaxPlayers); got != want {
			t.Errorf("Settings{}.WithDefaults(%d):\ngot  %+v\nwant %+v", testMaxPlayers, got, want)
		}
	})
	t.Run("never between questions is kept", func(t *testing.T) {
		if got := (Settings{LeaderboardEvery: -1}).WithDefaults(testMaxPlayers).LeaderboardEvery; got != -1 {
			t.Errorf("WithDefaults: LeaderboardEvery = %d, want -1", got)
		}
	})
}

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		name string
		set  func(*Settings)
	}{
		{"defaults", func(s *Settings) {}},
		{"question count 1", func(s *Settings) { s.QuestionCount = 1 }},
		{"auto pacing", func(s *Settings) { s.Pacing = AutoPaced }},
		{"host pacing", func(s *Settings) { s.Pacing = HostPaced }},
		{"time limit at min", func(s *Settings) { s.TimeLimit = 5 * time.Second }},
		{"time limit at max", func(s *Settings) { s.TimeLimit = 240 * time.Second }},
		{"read time 0", func(s *Settings) { s.ReadTime = 0 }},
		{"read time at max", func(s *Settings) { s.ReadTime = 30 * time.Second }},
		{"speed", func(s *Settings) { s.Scoring.Policy = Speed }},
		{"accuracy", func(s *Settings) { s.Scoring.Policy = Accuracy }},
		{"penalty 0", func(s *Settings) { s.Scoring.WrongPenalty = 0 }},
		{"penalty at max", func(s *Settings) { s.Scoring.WrongPenalty = 1000 }},
		{"leaderboard never", func(s *Settings) { s.LeaderboardEvery = -1 }},
		{"leaderboard every question", func(s *Settings) { s.LeaderboardEvery = 1 }},
		{"leaderboard every 50", func(s *Settings) { s.LeaderboardEvery = 50 }},
		{"max players 1", func(s *Settings) { s.MaxPlayers = 1 }},
		{"max players at the server limit", func(s *Settings) { s.MaxPlayers = testMaxPlayers }},
		{"reveal time at min", func(s *Settings) { s.RevealTime = time.Second }},
		{"reveal time at max", func(s *Settings) { s.RevealTime = 60 * time.Second }},
		{"leaderboard time at min", func(s *Settings) { s.LeaderboardTime = time.Second }},
		{"leaderboard time at max", func(s *Settings) { s.LeaderboardTime = 60 * time.Second }},
		{"leaderboard size 1", func(s *Settings) { s.LeaderboardSize = 1 }},
		{"leaderboard size at max", func(s *Settings) { s.LeaderboardSize = 100 }},
		{"typos allowed", func(s *Settings) { s.AllowTypos = true }},
		{"host away limit at min", func(s *Settings) { s.HostAwayLimit = 10 * time.Second }},
		{"host away limit at max", func(s *Settings) { s.HostAwayLimit = 30 * time.Minute }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Settings{}.WithDefaults(testMaxPlayers)
			tt.set(&s)
			if err := s.Validate(testMaxPlayers); err != nil {
				t.Errorf("Validate(%+v) = %v, want nil", s, err)
			}
		})
	}
}

func TestValidateRefuses(t *testing.T) {
	tests := []struct {
		name  string
		set   func(*Settings)
		field string
	}{
		{"negative question count", func(s *Settings) { s.QuestionCount = -1 }, "question_count"},
		{"pacing unset", func(s *Settings) { s.Pacing = 0 }, "pacing"},
		{"unknown pacing", func(s *Settings) { s.Pacing = AutoPaced + 1 }, "pacing"},
		{"time limit under min", func(s *Settings) { s.TimeLimit = 5*time.Second - time.Nanosecond }, "time_limit"},
		{"time limit over max", func(s *Settings) { s.TimeLimit = 240*time.Second + time.Nanosecond }, "time_limit"},
		{"negative time limit", func(s *Settings) { s.TimeLimit = -time.Second }, "time_limit"},
		{"negative read time", func(s *Settings) { s.ReadTime = -time.Nanosecond }, "read_time"},
		{"read time over max", func(s *Settings) { s.ReadTime = 30*time.Second + time.Nanosecond }, "read_time"},
		{"policy unset", func(s *Settings) { s.Scoring.Policy = 0 }, "points_policy"},
		{"unknown policy", func(s *Settings) { s.Scoring.Policy = Accuracy + 1 }, "points_policy"},
		{"negative penalty", func(s *Settings) { s.Scoring.WrongPenalty = -1 }, "wrong_answer_penalty"},
		{"penalty over max", func(s *Settings) { s.Scoring.WrongPenalty = 1001 }, "wrong_answer_penalty"},
		{"leaderboard every -2", func(s *Settings) { s.LeaderboardEvery = -2 }, "leaderboard_every"},
		{"max players 0", func(s *Settings) { s.MaxPlayers = 0 }, "max_players"},
		{"max players over the server limit", func(s *Settings) { s.MaxPlayers = testMaxPlayers + 1 }, "max_players"},
		{"reveal time under min", func(s *Settings) { s.RevealTime = time.Second - time.Nanosecond }, "reveal_time"},
		{"reveal time over max", func(s *Settings) { s.RevealTime = 60*time.Second + time.Nanosecond }, "reveal_time"},
		{"leaderboard time under min", func(s *Settings) { s.LeaderboardTime = time.Second - time.Nanosecond }, "leaderboard_time"},
		{"leaderboard time over max", func(s *Settings) { s.LeaderboardTime = 60*time.Second + time.Nanosecond }, "leaderboard_time"},
		{"leaderboard size 0", func(s *Settings) { s.LeaderboardSize = 0 }, "leaderboard_size"},
		{"leaderboard size over max", func(s *Settings) { s.LeaderboardSize = 101 }, "leaderboard_size"},
		{"host away limit under min", func(s *Settings) { s.HostAwayLimit = 10*time.Second - time.Nanosecond }, "host_away_limit"},
		{"host away limit over max", func(s *Settings) { s.HostAwayLimit = 30*time.Minute + time.Nanosecond }, "host_away_limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Settings{}.WithDefaults(testMaxPlayers)
			tt.set(&s)
			err := s.Validate(testMaxPlayers)
			if err == nil {
				t.Fatalf("Validate(%+v) = nil, want an error naming %s", s, tt.field)
			}
			if !errors.Is(err, ErrBadSettings) {
				t.Errorf("Validate: got %v, want an error matching ErrBadSettings", err)
			}
			var se *SettingError
			if !errors.As(err, &se) {
				t.Fatalf("Validate: got %v (%T), want a *SettingError", err, err)
			}
			if se.Field != tt.field {
				t.Errorf("Validate: got Field %q, want %q", se.Field, tt.field)
			}
			if se.Msg == "" {
				t.Errorf("Validate: got an empty Msg for %s, want what is allowed", se.Field)
			}
			if !strings.HasPrefix(err.Error(), tt.field+": ") {
				t.Errorf("Validate: got %q, want a message starting %q", err, tt.field+": ")
			}
		})
	}
}

func TestValidateNamesEveryBadField(t *testing.T) {
	s := Settings{}.WithDefaults(testMaxPlayers)
	s.TimeLimit = time.Second
	s.LeaderboardSize = 1000
	err := s.Validate(testMaxPlayers)
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("Validate: got %v (%T), want one error per bad field", err, err)
	}
	var got []string
	for _, e := range joined.Unwrap() {
		var se *SettingError
		if !errors.As(e, &se) {
			t.Fatalf("Validate: got %v (%T) in the list, want a *SettingError", e, e)
		}
		got = append(got, se.Field)
	}
	if want := []string{"time_limit", "leaderboard_size"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Validate: got fields %v, want %v", got, want)
	}
}

func TestSettingErrorIsOnlyBadSettings(t *testing.T) {
	err := error(&SettingError{Field: "pacing", Msg: "unknown pacing mode 9"})
	if !errors.Is(err, ErrBadSettings) {
		t.Errorf("errors.Is(%v, ErrBadSettings) = false, want true", err)
	}
	if errors.Is(err, ErrBadAnswer) {
		t.Errorf("errors.Is(%v, ErrBadAnswer) = true, want false", err)
	}
	if got, want := err.Error(), "pacing: unknown pacing mode 9"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestLeaderboardAfter(t *testing.T) {
	const n = 6
	tests := []struct {
		name  string
		every int
		want  [n]bool // after question 0..n-1
	}{
		{"every question", 1, [n]bool{true, true, true, true, true, false}},
		{"every second question", 2, [n]bool{false, true, false, true, false, false}},
		{"every third question, last is final", 3, [n]bool{false, false, true, false, false, false}},
		{"every sixth question, only the last", 6, [n]bool{}},
		{"never", -1, [n]bool{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Settings{LeaderboardEvery: tt.every}.WithDefaults(testMaxPlayers)
			for q := range n {
				if got := s.LeaderboardAfter(q, n); got != tt.want[q] {
					t.Errorf("every %d: LeaderboardAfter(%d, %d) = %v, want %v", tt.every, q, n, got, tt.want[q])
				}
			}
		})
	}
	t.Run("single question", func(t *testing.T) {
		s := Settings{}.WithDefaults(testMaxPlayers)
		if s.LeaderboardAfter(0, 1) {
			t.Errorf("LeaderboardAfter(0, 1) = true, want false: the last question has final standings")
		}
	})
}

func TestHold(t *testing.T) {
	const reveal, board = 7 * time.Second, 9 * time.Second
	phases := []Phase{PhaseLobby, PhaseQuestion, PhaseReveal, PhaseLeaderboard, PhasePaused, PhaseFinished, PhaseClosed}
	tests := []struct {
		pacing Pacing
		want   map[Phase]time.Duration // missing: 0
	}{
		{HostPaced, nil},
		{AutoPaced, map[Phase]time.Duration{PhaseReveal: reveal, PhaseLeaderboard: board}},
	}
	for _, tt := range tests {
		s := Settings{Pacing: tt.pacing, RevealTime: reveal, LeaderboardTime: board}.WithDefaults(testMaxPlayers)
		for _, p := range phases {
			t.Run(fmt.Sprintf("pacing %d/%v", tt.pacing, p), func(t *testing.T) {
				if got := s.Hold(p); got != tt.want[p] {
					t.Errorf("Hold(%v) = %v, want %v", p, got, tt.want[p])
				}
			})
		}
	}
}
