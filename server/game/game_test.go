package game

import "testing"

func TestPhase(t *testing.T) {
	tests := []struct {
		p       Phase
		name    string
		over    bool
		started bool
	}{
		{PhaseLobby, "lobby", false, false},
		{PhaseQuestion, "question", false, true},
		{PhaseReveal, "reveal", false, true},
		{PhaseLeaderboard, "leaderboard", false, true},
		{PhasePaused, "paused", false, true},
		{PhaseFinished, "finished", true, true},
		{PhaseClosed, "closed", true, true},
		{Phase(0), "phase(0)", false, true},
		{Phase(99), "phase(99)", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.String(); got != tt.name {
				t.Errorf("Phase(%d).String() = %q, want %q", int(tt.p), got, tt.name)
			}
			if got := tt.p.Over(); got != tt.over {
				t.Errorf("%v.Over() = %v, want %v", tt.p, got, tt.over)
			}
			if got := tt.p.Started(); got != tt.started {
				t.Errorf("%v.Started() = %v, want %v", tt.p, got, tt.started)
			}
		})
	}
}
