package game

import (
	"errors"
	"testing"
)

func TestNext(t *testing.T) {
	tests := []struct {
		name  string
		every int
		p     Phase
		q, n  int
		want  Step
	}{
		{"lobby opens the first question", 1, PhaseLobby, 0, 4, Step{To: PhaseQuestion, Q: 0}},
		{"lobby of a one-question game", 1, PhaseLobby, 0, 1, Step{To: PhaseQuestion, Q: 0}},
		{"reveal to a due leaderboard", 1, PhaseReveal, 0, 4, Step{To: PhaseLeaderboard, Q: 0}},
		{"reveal to a leaderboard every second question", 2, PhaseReveal, 1, 4, Step{To: PhaseLeaderboard, Q: 1}},
		{"reveal to the next question when no leaderboard is due", 2, PhaseReveal, 0, 4, Step{To: PhaseQuestion, Q: 1}},
		{"reveal to the next question when leaderboards are off", -1, PhaseReveal, 1, 4, Step{To: PhaseQuestion, Q: 2}},
		{"leaderboard to the next question", 1, PhaseLeaderboard, 0, 4, Step{To: PhaseQuestion, Q: 1}},
		{"leaderboard to the next question every second", 2, PhaseLeaderboard, 1, 4, Step{To: PhaseQuestion, Q: 2}},
		{"reveal of the last question finishes", 1, PhaseReveal, 3, 4, Step{To: PhaseFinished, Q: 3}},
		{"reveal of the last question finishes, leaderboards off", -1, PhaseReveal, 3, 4, Step{To: PhaseFinished, Q: 3}},
		{"reveal of the last question finishes, every second", 2, PhaseReveal, 3, 4, Step{To: PhaseFinished, Q: 3}},
		{"reveal of the only question finishes", 1, PhaseReveal, 0, 1, Step{To: PhaseFinished, Q: 0}},
		{"leaderboard after the last question finishes", 1, PhaseLeaderboard, 3, 4, Step{To: PhaseFinished, Q: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Settings{LeaderboardEvery: tt.every}.WithDefaults(testMaxPlayers)
			got, err := s.Next(tt.p, tt.q, tt.n)
			if err != nil || got != tt.want {
				t.Errorf("Next(%v, %d, %d) = %+v, %v; want %+v, nil", tt.p, tt.q, tt.n, got, err, tt.want)
			}
		})
	}
}

func TestNextRefuses(t *testing.T) {
	for _, p := range []Phase{PhaseQuestion, PhasePaused, PhaseFinished, PhaseClosed} {
		t.Run(p.String(), func(t *testing.T) {
			s := Settings{}.WithDefaults(testMaxPlayers)
			got, err := s.Next(p, 1, 4)
			if !errors.Is(err, ErrWrongPhase) {
				t.Errorf("Next(%v, 1, 4) error = %v, want an error matching ErrWrongPhase", p, err)
			}
			if got != (Step{}) {
				t.Errorf("Next(%v, 1, 4) = %+v, want the zero Step", p, got)
			}
		})
	}
}

// TestNextPlaysAGame walks a whole game of five questions with a
// leaderboard every second question.
func TestNextPlaysAGame(t *testing.T) {
	s := Settings{LeaderboardEvery: 2}.WithDefaults(testMaxPlayers)
	const n = 5
	want := []Step{
		{PhaseQuestion, 0}, {PhaseReveal, 0},
		{PhaseQuestion, 1}, {PhaseReveal, 1}, {PhaseLeaderboard, 1},
		{PhaseQuestion, 2}, {PhaseReveal, 2},
		{PhaseQuestion, 3}, {PhaseReveal, 3}, {PhaseLeaderboard, 3},
		{PhaseQuestion, 4}, {PhaseReveal, 4},
		{PhaseFinished, 4},
	}
	cur := Step{To: PhaseLobby}
	var got []Step
	for range 2 * len(want) {
		if cur.To == PhaseQuestion {
			cur = Step{To: PhaseReveal, Q: cur.Q} // closing is the engine's move
		} else {
			next, err := s.Next(cur.To, cur.Q, n)
			if err != nil {
				t.Fatalf("Next(%v, %d, %d): %v", cur.To, cur.Q, n, err)
			}
			cur = next
		}
		got = append(got, cur)
		if cur.To == PhaseFinished {
			break
		}
	}
	if len(got) != len(want) {
		t.Fatalf("got %d steps %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("step %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
