package room

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/quizroom/quizroom/server/game"
)

// BoardTTL is how long a scoreboard read serves other requests for the same
// room, seq and question: when thousands of players reconnect at once (an
// instance died, a network blip), their snapshots and replayed reveals
// share one bulk read instead of each making its own.
const BoardTTL = time.Second

// boardKey names a scoreboard: the room, the seq it was read at, the
// question whose results it holds, the question its streaks are as of, and
// whether it holds everyone's missed questions.
type boardKey struct {
	code     string
	seq      uint64
	q, shown int
	final    bool
}

// boards keeps recent scoreboard reads (for BoardTTL). Callers that miss
// the same scoreboard at the same time (thousands of snapshots when a room's
// players reconnect at once) share one read of it.
type boards = recent[boardKey, *Scoreboard]

// String names the key for recent.inflight.
func (k boardKey) String() string {
	return fmt.Sprintf("%s/%d/%d/%d/%v", k.code, k.seq, k.q, k.shown, k.final)
}

// board returns the scoreboard of the room at seq with the results of
// question q and streaks as of question shown, reading it unless a read of
// the same is less than BoardTTL old.
func (e *Engine) board(ctx context.Context, spec *Spec, seq uint64, q, shown int) (*Scoreboard, error) {
	return e.boards.get(ctx, boardKey{code: spec.Code, seq: seq, q: q, shown: shown}, func(ctx context.Context) (*Scoreboard, error) {
		sb, err := e.store.Scoreboard(ctx, spec.Code, q)
		if err != nil {
			return nil, err
		}
		sb.currentStreaks(spec, shown)
		sb.byID = sb.index()
		return sb, nil
	})
}

// finalBoard is board for a finished game, whose last question was shown:
// the standings with every player's missed questions (Scoreboard.Missed),
// from one more bulk read of every answer (Store.Report).
func (e *Engine) finalBoard(ctx context.Context, spec *Spec, seq uint64, shown int) (*Scoreboard, error) {
	return e.boards.get(ctx, boardKey{code: spec.Code, seq: seq, q: -1, shown: shown, final: true}, func(ctx context.Context) (*Scoreboard, error) {
		sb, err := e.board(ctx, spec, seq, -1, shown)
		if err != nil {
			return nil, err
		}
		data, err := e.store.Report(ctx, spec.Code)
		if err != nil {
			return nil, err
		}
		final := *sb
		final.Missed = missed(spec, data)
		for _, q := range data.Results {
			final.answers += len(q)
		}
		return &final, nil
	})
}

// missed lists, for every player, the revealed questions that scored (not
// polls) which they did not answer fully correctly.
func missed(spec *Spec, data *ReportData) map[string][]Miss {
	out := make(map[string][]Miss, len(data.Standings))
	for q, results := range data.Results {
		if spec.Questions[q].Kind == game.Poll {
			continue
		}
		byPlayer := make(map[string]*Result, len(results))
		for i := range results {
			byPlayer[results[i].PlayerID] = &results[i]
		}
		for _, st := range data.Standings {
			switch r := byPlayer[st.PlayerID]; {
			case r == nil:
				out[st.PlayerID] = append(out[st.PlayerID], Miss{Q: q})
			case !r.Correct:
				out[st.PlayerID] = append(out[st.PlayerID], Miss{Q: q, Answer: &r.Answer})
			}
		}
	}
	return out
}

// move applies t to the room in the store. When this instance renders the
// room's events (it has a hub for it) and t's event has personal parts (a
// reveal, a leaderboard, the finish), it asks the store for the
// scoreboard the move leaves and keeps it as the event's board, so that
// the hub renders the event without reading it again; the hub waits for
// the move while it is in flight (awaitMoves).
func (e *Engine) move(ctx context.Context, spec *Spec, t Transition) (*State, error) {
	if t.Resume || t.Auto || !(t.To == game.PhaseReveal || t.To == game.PhaseLeaderboard || t.To == game.PhaseFinished) {
		return e.store.Advance(ctx, spec.Code, t)
	}
	done := make(chan struct{})
	e.mu.Lock()
	_, rendered := e.hubs[spec.Code]
	if rendered {
		e.moving[spec.Code] = append(e.moving[spec.Code], done)
	}
	e.mu.Unlock()
	if !rendered {
		return e.store.Advance(ctx, spec.Code, t)
	}
	defer func() {
		e.mu.Lock()
		e.moving[spec.Code] = slices.DeleteFunc(e.moving[spec.Code], func(c chan struct{}) bool { return c == done })
		if len(e.moving[spec.Code]) == 0 {
			delete(e.moving, spec.Code)
		}
		e.mu.Unlock()
		close(done)
	}()
	t.Board = true
	st, err := e.store.Advance(ctx, spec.Code, t)
	if err != nil || st.Board == nil {
		return st, err
	}
	sb := st.Board
	st.Board = nil // the owner keeps the state, not the board
	q, shown := -1, t.Q
	switch t.To {
	case game.PhaseReveal:
		q = t.Q
	case game.PhaseFinished:
		shown = st.Q
	}
	sb.currentStreaks(spec, shown)
	sb.byID = sb.index()
	e.boards.put(boardKey{code: spec.Code, seq: st.Seq, q: q, shown: shown}, sb)
	return st, nil
}

// awaitMoves waits for the moves of the room in flight here that bring
// their event's board (move), so that a hub rendering their event uses it.
func (e *Engine) awaitMoves(ctx context.Context, code string) {
	e.mu.Lock()
	waits := slices.Clone(e.moving[code])
	e.mu.Unlock()
	for _, c := range waits {
		select {
		case <-c:
		case <-ctx.Done():
			return
		}
	}
}
