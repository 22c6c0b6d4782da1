package room

import (
	"context"
	"fmt"
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
func (s *Snapshot) Phase() game.Phase { return s.State.ShownPhase() }

// sharedSnapshot is what every watcher with one view of a room at one seq
// gets in a snapshot, rendered once for all of them: the roster, the
// question, progress, reveal, leaderboard or results. Only the watcher's
// role, name, whether they answered and their own part are rendered for
// each (Encoder.Snapshot). Whatever changes without an event is as of the
// first of them, up to BoardTTL before the others: the roster and player
// count (joins and departures are batched into later RosterChanged events,
// which clients apply by player id, so a player who just joined may first
// be missing from their own snapshot's roster) and the answered count of
// an open question (as whether the watcher answered, from the scoreboard).
type sharedSnapshot struct {
	st     *State
	roster []Player
	board  *Scoreboard
	reveal *Event
	bytes  []byte // Encoder.SnapshotShared
}

// snapshotKey names a shared snapshot: the room, the seq, and whether it is
// the host's view (every player and the host's room details) or everyone
// else's.
type snapshotKey struct {
	code string
	seq  uint64
	host bool
}

// String names the key for recent.inflight.
func (k snapshotKey) String() string {
	return fmt.Sprintf("%s/%d/%v", k.code, k.seq, k.host)
}

// snapshots keeps recent shared snapshots (for BoardTTL, as the scoreboards
// they are made of): a storm of joins or reconnects renders the roster of
// SnapshotRoster players once per seq, not once per watcher.
type snapshots = recent[snapshotKey, *sharedSnapshot]

// snapshot renders the room at st for one watcher; st nil: as it is now.
func (e *Engine) snapshot(ctx context.Context, spec *Spec, who Identity, st *State) (Frame, error) {
	if st == nil {
		var err error
		if st, err = e.store.State(ctx, spec.Code); err != nil {
			return Frame{}, err
		}
	}
	key := snapshotKey{code: spec.Code, seq: st.Seq, host: who.Role == Host}
	sh, err := e.snapshots.get(ctx, key, func(ctx context.Context) (*sharedSnapshot, error) {
		return e.sharedSnapshot(ctx, spec, st, key.host)
	})
	if err != nil {
		return Frame{}, err
	}
	// The watcher's own read of the state gives the frame its server time;
	// the rest is as of the shared part's read, at the same seq.
	s := &Snapshot{State: st, Who: who, Roster: sh.roster, Board: sh.board, Reveal: sh.reveal}
	if sh.board != nil {
		// While a question is open its answers come in without new events,
		// so a shared read may lag by up to BoardTTL on whether this player
		// answered; a client that answers again is told AlreadyExists.
		_, s.Answered = sh.board.Results[who.PlayerID]
		if who.Role == PlayerRole {
			ev := sh.reveal
			if ev == nil {
				ev = &Event{Type: EventLeaderboard, Q: sh.st.Q}
			}
			s.View = sh.board.view(ev, who.PlayerID)
		}
	}
	head, tail, err := e.cfg.Encoder.Snapshot(spec, s, sh.bytes)
	if err != nil {
		return Frame{}, err
	}
	return Frame{Seq: st.Seq, Head: head, Shared: sh.bytes, Personal: tail, Final: st.Phase == game.PhaseClosed}, nil
}

// sharedSnapshot reads and renders the part of a snapshot of the room at st
// that every watcher with the host's view (host) or everyone else's gets.
func (e *Engine) sharedSnapshot(ctx context.Context, spec *Spec, st *State, host bool) (*sharedSnapshot, error) {
	limit := SnapshotRoster
	if host {
		limit = 0
	}
	roster, _, err := e.store.Roster(ctx, spec.Code, limit)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{State: st, Roster: roster}
	if host {
		s.Who = Identity{Role: Host}
	}
	if st.Q >= 0 {
		shown := st.Q
		if s.Phase() == game.PhaseQuestion {
			shown-- // the open question has not been scored yet
		}
		if s.Phase() == game.PhaseFinished {
			s.Board, err = e.finalBoard(ctx, spec, st.Seq, shown)
		} else {
			s.Board, err = e.board(ctx, spec, st.Seq, st.Q, shown)
		}
		if err != nil {
			return nil, err
		}
		if s.Phase() == game.PhaseReveal {
			s.Reveal = reveal(spec, st, s.Board)
		}
	}
	b, err := e.cfg.Encoder.SnapshotShared(spec, s)
	if err != nil {
		return nil, err
	}
	return &sharedSnapshot{st: st, roster: roster, board: s.Board, reveal: s.Reveal, bytes: b}, nil
}

// reveal rebuilds the reveal of the current question from its results.
func reveal(spec *Spec, st *State, sb *Scoreboard) *Event {
	t := tally(len(spec.Questions[st.Q].Options), maps.Values(sb.Results))
	return &Event{
		Type: EventRevealed, Q: st.Q, Time: st.Now, Players: st.Players,
		Counts: t.Counts, Answered: t.Answered, Correct: t.Correct,
	}
}
