package game

import (
	"errors"
	"fmt"
)

// ErrWrongPhase is the kind of every error Next returns.
var ErrWrongPhase = errors.New("wrong phase")

// Step is a move of the game: to phase To at question Q.
type Step struct {
	To Phase
	Q  int
}

// Next is where NextQuestion (or the AUTO timer) moves a game of n questions
// that is in phase p at question q: the lobby opens the first question; a
// reveal goes to a due leaderboard, else to the next question; a leaderboard
// goes to the next question; after the last question the game finishes.
func (s Settings) Next(p Phase, q, n int) (Step, error) {
	switch p {
	case PhaseLobby:
		return Step{To: PhaseQuestion, Q: 0}, nil
	case PhaseReveal:
		if s.LeaderboardAfter(q, n) {
			return Step{To: PhaseLeaderboard, Q: q}, nil
		}
		fallthrough
	case PhaseLeaderboard:
		if q+1 < n {
			return Step{To: PhaseQuestion, Q: q + 1}, nil
		}
		return Step{To: PhaseFinished, Q: q}, nil
	case PhaseQuestion:
		return Step{}, fmt.Errorf("%w: question_index %d is still open: close it first", ErrWrongPhase, q)
	case PhasePaused:
		return Step{}, fmt.Errorf("%w: the game is paused; resume it first", ErrWrongPhase)
	default:
		return Step{}, fmt.Errorf("%w: the game is %v", ErrWrongPhase, p)
	}
}
