package room

import (
	"context"
	"log/slog"

	"github.com/quizroom/quizroom/server/game"
)

// logMove logs, at info level, the moves of a room an operator wants to
// see: the game starting, finishing and the room closing, with their
// counts. t is the transition applied and st the state it produced.
func (e *Engine) logMove(ctx context.Context, spec *Spec, t Transition, st *State) {
	if !e.log.Enabled(ctx, slog.LevelInfo) {
		return // the finish's answer count may cost a read
	}
	switch {
	case t.Auto:
		e.log.Info("the host stayed away: the game goes on with AUTO pacing", "room", spec.Code, "away_since", st.HostAway)
	case t.To == game.PhaseQuestion && t.Q == 0 && !t.Resume:
		e.log.Info("game started", "room", spec.Code, "players", st.Players, "questions", len(spec.Questions))
	case t.To == game.PhaseFinished:
		attrs := []any{"room", spec.Code, "players", st.Players, "questions", st.Played}
		// The final scoreboard of the finish's event, which this
		// instance's watchers get (one read for both).
		if sb, err := e.finalBoard(ctx, spec, st.Seq, st.Q); err == nil {
			attrs = append(attrs, "answers", sb.answers)
		}
		e.log.Info("game finished", attrs...)
	case t.To == game.PhaseClosed:
		e.log.Info("room closed", "room", spec.Code, "reason", t.Reason)
	}
}
