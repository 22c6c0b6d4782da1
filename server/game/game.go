// Package game holds Quizroom's rules: phases, question kinds, grading,
// scoring, streaks and ranking. It knows nothing of transports or stores and
// reads no clock: every time it needs is passed in.
package game

import "fmt"

// Phase is where a room is in its game.
type Phase int

// The phases of a room: Lobby → Question → Reveal → (Leaderboard) → … →
// Finished, plus Paused, and Closed once the room is gone.
const (
	PhaseLobby Phase = iota + 1
	PhaseQuestion
	PhaseReveal
	PhaseLeaderboard
	PhasePaused
	PhaseFinished
	PhaseClosed
)

var phaseNames = map[Phase]string{
	PhaseLobby: "lobby", PhaseQuestion: "question", PhaseReveal: "reveal", PhaseLeaderboard: "leaderboard",
	PhasePaused: "paused", PhaseFinished: "finished", PhaseClosed: "closed",
}

// String names the phase in lowercase.
func (p Phase) String() string {
	if s, ok := phaseNames[p]; ok {
		return s
	}
	return fmt.Sprintf("phase(%d)", int(p))
}

// Over reports whether no more answers or transitions can happen.
func (p Phase) Over() bool { return p == PhaseFinished || p == PhaseClosed }

// Started reports whether the game has left the lobby.
func (p Phase) Started() bool { return p != PhaseLobby }
