package room

import (
	"context"
	"sync"
	"time"
)

// BoardTTL is how long a scoreboard read serves other requests for the same
// room, seq and question: when thousands of players reconnect at once (an
// instance died, a network blip), their snapshots and replayed reveals
// share one bulk read instead of each making its own.
const BoardTTL = time.Second

// boardKey names a scoreboard: the room, the seq it was read at, the
// question whose results it holds and the question its streaks are as of.
type boardKey struct {
	code     string
	seq      uint64
	q, shown int
}

type boardEntry struct {
	sb *Scoreboard
	at time.Time
}

// boards keeps recent scoreboard reads. A cached Scoreboard is shared: no
// caller may change it.
type boards struct {
	mu sync.Mutex // guards m
	m  map[boardKey]boardEntry
}

// board returns the scoreboard of the room at seq with the results of
// question q and streaks as of question shown, reading it unless a read of
// the same is less than BoardTTL old.
func (e *Engine) board(ctx context.Context, spec *Spec, seq uint64, q, shown int) (*Scoreboard, error) {
	key := boardKey{code: spec.Code, seq: seq, q: q, shown: shown}
	now := time.Now()
	e.boards.mu.Lock()
	if ent, ok := e.boards.m[key]; ok && now.Sub(ent.at) < BoardTTL {
		e.boards.mu.Unlock()
		return ent.sb, nil
	}
	e.boards.mu.Unlock()
	sb, err := e.store.Scoreboard(ctx, spec.Code, q)
	if err != nil {
		return nil, err
	}
	sb.currentStreaks(spec, shown)
	sb.byID = sb.index()
	e.boards.mu.Lock()
	defer e.boards.mu.Unlock()
	for k, ent := range e.boards.m {
		if now.Sub(ent.at) >= BoardTTL {
			delete(e.boards.m, k)
		}
	}
	e.boards.m[key] = boardEntry{sb: sb, at: now}
	return sb, nil
}
