package room

import (
	"context"
	"errors"
)

// A room's history is lost when its store loses data: Redis restarted
// without persistence, restored from an older snapshot, or flushed. The
// room cannot go on honestly (seqs would be reused for other events and
// accepted answers would be missing), so it is closed and marked lost, and
// everyone who comes back is told (ErrLost). The signs:
//   - a room this instance follows or drives is gone, though it never
//     finished;
//   - its seq went back below one this instance saw;
//   - a client resumes with the epoch the room had and the room is gone, or
//     has another epoch.
//
// Only what this instance saw marks a room lost in the store: a client's
// word alone does not (anyone can send any seq), it only ends that
// client's stream with ErrLost.

// lostReason is the reason of the EventClosed that ends a lost room.
const lostReason = "the room's history was lost: the server's store lost data (restarted without persistence, restored from an older snapshot, or flushed), so the game cannot go on"

// errLost is the error a watcher of a lost room ends with.
func errLost(code string) error {
	return Errorf(ErrLost, "room %s's history was lost on the server: the game cannot go on", code)
}

// errUnknownHistory is the error a watcher ends with when the epoch or seq
// it sent is not in the room's history. The store may have lost data, or
// the client may have sent another room's (or a corrupted) epoch and seq:
// the message gives both sides, so a client author can tell which.
func errUnknownHistory(code string, epoch, after uint64, st *State) error {
	return Errorf(ErrLost, "room %s's history does not hold what this client knew (epoch %d, after_seq %d; the room is at epoch %d, seq %d): the server lost the room's history, so the game cannot go on, or the client sent another room's epoch or seq",
		code, epoch, after, st.Epoch, st.Seq)
}

// saw records that this instance saw room code at seq.
func (e *Engine) saw(code string, seq uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if seq <= e.seen[code] {
		return
	}
	if len(e.seen) >= 2*e.cfg.MaxRooms {
		clear(e.seen) // a cache: it fills again as rooms move
	}
	e.seen[code] = seq
}

// forgetSeen drops what this instance saw of a room that is over: it may
// now expire.
func (e *Engine) forgetSeen(code string) {
	e.mu.Lock()
	delete(e.seen, code)
	e.mu.Unlock()
}

// cachedSpec is the spec of a room this instance knew, if it still has it.
func (e *Engine) cachedSpec(code string) (*Spec, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.specs[code]
	return s, ok
}

// seenSeq is the highest seq this instance saw of a room. Read it before
// the state it is compared with: the room moves on in between.
func (e *Engine) seenSeq(code string) uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.seen[code]
}

// rewound reports whether the room's state is behind seen, the highest
// seq this instance had seen of it before reading st.
func rewound(st *State, seen uint64) bool { return !st.Lost && st.Seq < seen }

// markLost closes a room whose history was lost, logs it and counts it.
// why says what showed it, for the log.
// Several watchers, the hub and the owner may find the same loss: it is
// logged, counted and recorded once per instance.
func (e *Engine) markLost(ctx context.Context, spec *Spec, why string) {
	e.mu.Lock()
	first := !e.marked[spec.Code]
	if first {
		if len(e.marked) >= 2*e.cfg.MaxRooms {
			clear(e.marked)
		}
		e.marked[spec.Code] = true
	}
	delete(e.seen, spec.Code)
	h := e.hubs[spec.Code]
	e.mu.Unlock()
	// The watchers end first: the room's closing, appended next, must not
	// reach them as the end of a game.
	if h != nil {
		h.stop(errLost(spec.Code))
	}
	if first {
		e.lost.Add(1)
		e.log.Error("room history lost", "room", spec.Code, "why", why)
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 4*e.cfg.Tick)
		defer cancel()
		if _, err := e.store.MarkLost(ctx, spec, lostReason, e.cfg.Retain); err != nil {
			e.log.Error("closing a room whose history was lost", "room", spec.Code, "err", err)
		}
	}
}

// checkHistory is Watch's check that the room still has the history the
// caller and this instance know: seen is the highest seq this instance had
// seen before reading st, epoch the one the client knew (0: none), after
// its last seq.
func (e *Engine) checkHistory(ctx context.Context, spec *Spec, st *State, seen, after, epoch uint64) error {
	if rewound(st, seen) {
		e.markLost(ctx, spec, "the room's seq went back")
		return errLost(spec.Code)
	}
	if epoch != 0 && epoch != st.Epoch || epoch != 0 && after > st.Seq {
		e.log.Warn("a client knew more of a room than the store has", "room", spec.Code, "epoch", epoch, "room_epoch", st.Epoch, "after_seq", after, "seq", st.Seq)
		return errUnknownHistory(spec.Code, epoch, after, st)
	}
	return nil
}

// gone is Watch's answer when the room is not in the store: a client that
// knew it (an epoch, a seq) learns that its history was lost, and when
// this instance knew it too, the room is marked lost. A volatile store
// loses no history while it runs: a room it does not have is not found.
func (e *Engine) gone(ctx context.Context, code string, err error, after, epoch uint64) error {
	if !errors.Is(err, ErrNotFound) || after == 0 && epoch == 0 || e.cfg.Volatile {
		return err
	}
	spec, known := e.cachedSpec(code)
	e.mu.Lock()
	_, live := e.seen[code]
	e.mu.Unlock()
	if known && live {
		e.markLost(ctx, spec, "the room is gone from the store")
	}
	return errLost(code)
}
