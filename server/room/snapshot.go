package room

import (
	"context"
	"maps"

	"github.com/quizroom/quizroom/server/game"
)

// SnapshotRoster is how many players a snapshot lists for anyone but the
// host, who gets them all.
const SnapshotRoster = 100

// Snapshot is the whole room as one watcher sees it at State.Seq.
type Snapshot struct {
	State    *State
	Who      Identity
	Roster   []Player // the most recent first
	Answered bool     // the watcher answered the current question
	// Board holds the standings and the current question's results; set
	// once the game has started.
	Board *Scoreboard
	// Reveal is the current question's reveal, rebuilt from Board; set in
	// the reveal phase (or a pause of it).
	Reveal *Event
	View   *View // the watcher's own part; set for players once the game started
}

// Phase is the phase shown: the frozen one while paused.
func (s *Snapshot) Phase() game.Phase {
	if s.State.Phase == game.PhasePaused {
		return s.State.PausedPhase
	}
	return s.State.Phase
}

// snapshot renders the room for one watcher.
func (e *Engine) snapshot(ctx context.Context, spec *Spec, who Identity) (Frame, error) {
	st, err := e.store.State(ctx, spec.Code)
	if err != nil {
		return Frame{}, err
	}
	limit := SnapshotRoster
	if who.Role == Host {
		limit = 0
	}
	roster, _, err := e.store.Roster(ctx, spec.Code, limit)
	if err != nil {
		return Frame{}, err
	}
	s := &Snapshot{State: st, Who: who, Roster: roster}
	if st.Q >= 0 {
		shown := st.Q
		if s.Phase() == game.PhaseQuestion {
			shown-- // the open question has not been scored yet
		}
		// While a question is open its answers come in without new events,
		// so a shared read may lag by up to BoardTTL on whether this player
		// answered; a client that answers again is told AlreadyExists.
		if s.Phase() == game.PhaseFinished {
			s.Board, err = e.finalBoard(ctx, spec, st.Seq, shown)
		} else {
			s.Board, err = e.board(ctx, spec, st.Seq, st.Q, shown)
		}
		if err != nil {
			return Frame{}, err
		}
		_, s.Answered = s.Board.Results[who.PlayerID]
		ev := &Event{Type: EventLeaderboard, Q: st.Q}
		if s.Phase() == game.PhaseReveal {
			ev = reveal(spec, st, s.Board)
			s.Reveal = ev
		}
		if who.Role == PlayerRole {
			s.View = s.Board.view(ev, who.PlayerID)
		}
	}
	b, err := e.cfg.Encoder.Snapshot(spec, s)
	if err != nil {
		return Frame{}, err
	}
	return Frame{Seq: st.Seq, Shared: b, Final: st.Phase == game.PhaseClosed}, nil
}

// reveal rebuilds the reveal of the current question from its results.
func reveal(spec *Spec, st *State, sb *Scoreboard) *Event {
	t := tally(len(spec.Questions[st.Q].Options), maps.Values(sb.Results))
	return &Event{
		Type: EventRevealed, Q: st.Q, Time: st.Now, Players: st.Players,
		Counts: t.Counts, Answered: t.Answered, Correct: t.Correct,
	}
}
