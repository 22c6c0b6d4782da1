package game

import (
	"errors"
	"fmt"
	"time"
)

// Pacing says who moves the game on.
type Pacing int

// The pacing modes.
const (
	// HostPaced: the host advances; timers still close questions.
	HostPaced Pacing = iota + 1
	// AutoPaced: timers do everything after the start.
	AutoPaced
)

// Settings are a room's rules. The zero value of a field means its default
// (see WithDefaults), except where a field says otherwise.
type Settings struct {
	QuestionCount    int // play N questions, spread over the deck's sections; 0: all
	ShuffleQuestions bool
	ShuffleOptions   bool
	Seed             uint64
	Pacing           Pacing
	TimeLimit        time.Duration // for questions whose deck gives none
	ReadTime         time.Duration // text shown before the options open; taken as given, 0: none (the API defaults it to DefaultReadTime)
	Scoring          Scoring       // StreakBonus and WrongPenalty are taken as given
	LeaderboardEvery int           // after every Nth question; 0: 1; -1: never between questions
	MaxPlayers       int
	RevealTime       time.Duration // how long AUTO pacing shows a reveal
	LeaderboardTime  time.Duration // how long AUTO pacing shows a leaderboard
	LeaderboardSize  int           // players listed in leaderboards and final standings
	AllowTypos       bool          // typed answers may have one typo (see NearAnswer); default false
	HostAwayLimit    time.Duration // how long a HOST-paced game waits for a host who went away before going on with AUTO pacing
}

// Bounds and defaults of the settings.
const (
	DefaultTimeLimit       = 20 * time.Second
	MinTimeLimit           = 5 * time.Second
	MaxTimeLimit           = 240 * time.Second
	DefaultReadTime        = 3 * time.Second // a short "get ready" before the options open
	MaxReadTime            = 30 * time.Second
	DefaultHoldTime        = 5 * time.Second // reveal and leaderboard under AUTO pacing
	MinHoldTime            = time.Second
	MaxHoldTime            = 60 * time.Second
	DefaultLeaderboardSize = 10
	MaxLeaderboardSize     = 100
	MaxWrongPenalty        = StandardPoints
	DefaultHostAwayLimit   = 60 * time.Second // long enough for a host to restart a crashed program
	MinHostAwayLimit       = 10 * time.Second
	MaxHostAwayLimit       = 30 * time.Minute
)

// ErrBadSettings is the kind of every error Validate returns.
var ErrBadSettings = errors.New("bad settings")

// SettingError names the setting at fault.
type SettingError struct {
	Field string
	Msg   string
}

func (e *SettingError) Error() string { return e.Field + ": " + e.Msg }

// Is makes every SettingError match ErrBadSettings.
func (e *SettingError) Is(target error) bool { return target == ErrBadSettings }

// WithDefaults fills in every zero field; maxPlayers is the server's limit,
// which is also the default.
func (s Settings) WithDefaults(maxPlayers int) Settings {
	if s.Pacing == 0 {
		s.Pacing = HostPaced
	}
	if s.TimeLimit == 0 {
		s.TimeLimit = DefaultTimeLimit
	}
	if s.Scoring.Policy == 0 {
		s.Scoring.Policy = Speed
	}
	if s.LeaderboardEvery == 0 {
		s.LeaderboardEvery = 1
	}
	if s.MaxPlayers == 0 {
		s.MaxPlayers = maxPlayers
	}
	if s.RevealTime == 0 {
		s.RevealTime = DefaultHoldTime
	}
	if s.LeaderboardTime == 0 {
		s.LeaderboardTime = DefaultHoldTime
	}
	if s.LeaderboardSize == 0 {
		s.LeaderboardSize = DefaultLeaderboardSize
	}
	if s.HostAwayLimit == 0 {
		s.HostAwayLimit = DefaultHostAwayLimit
	}
	return s
}

// Validate checks settings after WithDefaults against their bounds;
// maxPlayers is the server's limit.
func (s Settings) Validate(maxPlayers int) error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &SettingError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if s.QuestionCount < 0 {
		bad("question_count", "%d is negative", s.QuestionCount)
	}
	if s.Pacing != HostPaced && s.Pacing != AutoPaced {
		bad("pacing", "unknown pacing mode %d", s.Pacing)
	}
	if s.TimeLimit < MinTimeLimit || s.TimeLimit > MaxTimeLimit {
		bad("time_limit", "%v is out of range: %v to %v", s.TimeLimit, MinTimeLimit, MaxTimeLimit)
	}
	if s.ReadTime < 0 || s.ReadTime > MaxReadTime {
		bad("read_time", "%v is out of range: 0 to %v", s.ReadTime, MaxReadTime)
	}
	if s.Scoring.Policy != Speed && s.Scoring.Policy != Accuracy {
		bad("points_policy", "unknown points policy %d", s.Scoring.Policy)
	}
	if s.Scoring.WrongPenalty < 0 || s.Scoring.WrongPenalty > MaxWrongPenalty {
		bad("wrong_answer_penalty", "%d is out of range: 0 to %d", s.Scoring.WrongPenalty, MaxWrongPenalty)
	}
	if s.LeaderboardEvery < -1 {
		bad("leaderboard_every", "%d is out of range: -1, 0 or more", s.LeaderboardEvery)
	}
	if s.MaxPlayers < 1 || s.MaxPlayers > maxPlayers {
		bad("max_players", "%d is out of range: 1 to %d", s.MaxPlayers, maxPlayers)
	}
	if s.RevealTime < MinHoldTime || s.RevealTime > MaxHoldTime {
		bad("reveal_time", "%v is out of range: %v to %v", s.RevealTime, MinHoldTime, MaxHoldTime)
	}
	if s.LeaderboardTime < MinHoldTime || s.LeaderboardTime > MaxHoldTime {
		bad("leaderboard_time", "%v is out of range: %v to %v", s.LeaderboardTime, MinHoldTime, MaxHoldTime)
	}
	if s.LeaderboardSize < 1 || s.LeaderboardSize > MaxLeaderboardSize {
		bad("leaderboard_size", "%d is out of range: 1 to %d", s.LeaderboardSize, MaxLeaderboardSize)
	}
	if s.HostAwayLimit < MinHostAwayLimit || s.HostAwayLimit > MaxHostAwayLimit {
		bad("host_away_limit", "%v is out of range: %v to %v", s.HostAwayLimit, MinHostAwayLimit, MaxHostAwayLimit)
	}
	return errors.Join(errs...)
}

// LeaderboardAfter reports whether a leaderboard follows the reveal of
// question q of n. The last question is followed by the final standings
// instead.
func (s Settings) LeaderboardAfter(q, n int) bool {
	return s.LeaderboardEvery > 0 && q < n-1 && (q+1)%s.LeaderboardEvery == 0
}

// Hold is how long AUTO pacing stays in phase p, or 0 when nothing but the
// host moves it on.
func (s Settings) Hold(p Phase) time.Duration {
	if s.Pacing != AutoPaced {
		return 0
	}
	return s.AutoHold(p)
}

// AutoHold is how long AUTO pacing stays in phase p, whatever the room's
// pacing: a HOST-paced game whose host stayed away goes on with it.
func (s Settings) AutoHold(p Phase) time.Duration {
	switch p {
	case PhaseReveal:
		return s.RevealTime
	case PhaseLeaderboard:
		return s.LeaderboardTime
	}
	return 0
}
