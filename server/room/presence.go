package room

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/quizroom/quizroom/server/game"
)

// Presence: who counts as connected for "the question closes as soon as
// every connected player answered" (docs/design.md has the why).
//
// Each instance keeps, per room, how many streams each player has here,
// counting a closed stream until its grace ends; the store keeps the same
// numbers per instance under a lease the instance renews. A player counts
// as connected while any instance with a current lease counts a stream of
// theirs. An instance that dies stops renewing, and its streams stop
// counting when its lease lapses, once those players had the lease's time
// to come back elsewhere. An instance that shuts down hands its count over
// the same way. A stream the server cut (shutdown, the store down, a
// client too slow) is not a departure: its player keeps counting for
// ReconnectGrace, which covers the client's reconnect backoff.
//
// The host's streams count the same way, as member HostMember: the store
// tells the room when the host is away (the last of them stopped counting)
// and back, and the room's owner puts a HOST-paced game on AUTO pacing
// when the host stays away past Settings.HostAwayLimit (see owner.go).

// localRoom is one room's streams on this instance.
type localRoom struct {
	counts  map[string]int // member (player id or HostMember) → streams open here, or closed within their grace
	leaving map[string]int // member → of those, streams the client closed, in their grace
	dirty   bool           // the store may disagree: send the counts with the next renewal
}

// connect counts a player's new stream here and in the store, which
// refuses a player who is no longer active (see Connection.RequireActive).
func (e *Engine) connect(ctx context.Context, code, playerID string) error {
	e.count(code, playerID, 1, false)
	_, err := e.store.Connect(ctx, code, Connection{PlayerID: playerID, Instance: e.presenceID, Delta: 1, TTL: e.cfg.PresenceTTL, RequireActive: true})
	if err != nil {
		e.count(code, playerID, -1, false)
		if !errors.Is(err, ErrDenied) {
			e.markDirty(code) // the store may have counted it all the same
		}
	}
	return err
}

// count changes a player's streams here by delta; leaving marks a stream
// the client closed (+1 when it closes, -1 when its grace ends).
func (e *Engine) count(code, playerID string, delta int, leaving bool) {
	e.pmu.Lock()
	defer e.pmu.Unlock()
	lr := e.present[code]
	if lr == nil {
		lr = &localRoom{counts: map[string]int{}, leaving: map[string]int{}}
		e.present[code] = lr
	}
	if leaving {
		if lr.leaving[playerID] += delta; lr.leaving[playerID] <= 0 {
			delete(lr.leaving, playerID)
		}
		return
	}
	if lr.counts[playerID] += delta; lr.counts[playerID] <= 0 {
		delete(lr.counts, playerID)
	}
}

// markDirty makes the next renewal of a room send this instance's counts.
func (e *Engine) markDirty(code string) {
	e.pmu.Lock()
	defer e.pmu.Unlock()
	if lr := e.present[code]; lr != nil {
		lr.dirty = true
	}
}

// closed is called when a player's stream here ends. The player stops
// counting after a grace: DisconnectGrace when the client ended the
// stream, ReconnectGrace when the server cut it. A shutdown applies
// neither: the instance hands its counts over instead (handOff).
func (e *Engine) closed(code, playerID string, cut bool) {
	grace := e.cfg.ReconnectGrace
	if !cut {
		grace = e.cfg.DisconnectGrace
		e.count(code, playerID, 1, true)
	}
	e.after(grace, func() { e.release(code, playerID, !cut) })
}

// release ends the grace of a closed stream: the store counts it out, and
// the open question closes if everyone still connected has answered.
func (e *Engine) release(code, playerID string, leaving bool) {
	if leaving {
		e.count(code, playerID, -1, true)
	}
	e.count(code, playerID, -1, false)
	ctx, cancel := context.WithTimeout(context.Background(), e.cfg.Tick*4)
	defer cancel()
	all, err := e.store.Connect(ctx, code, Connection{PlayerID: playerID, Instance: e.presenceID, Delta: -1, TTL: e.cfg.PresenceTTL})
	if err != nil {
		e.markDirty(code) // the next renewal sends the counts
		return
	}
	if all {
		e.closeIfAnswered(ctx, code)
	}
}

// closeIfAnswered closes the room's open question, which the store said
// every connected player has answered.
func (e *Engine) closeIfAnswered(ctx context.Context, code string) {
	spec, err := e.spec(ctx, code)
	if err != nil {
		return
	}
	if st, err := e.store.State(ctx, code); err == nil && st.Phase == game.PhaseQuestion {
		e.closeEarly(ctx, spec, st.Version, st.Q)
	}
}

// renew renews this instance's presence lease in every room it has
// streams in, sending its counts where the store may disagree, and drops
// rooms where it has none left.
func (e *Engine) renew(ctx context.Context, all bool) {
	e.pmu.Lock()
	type job struct {
		code   string
		counts map[string]int
	}
	var jobs []job
	for code, lr := range e.present {
		switch {
		case lr.dirty:
			jobs = append(jobs, job{code, maps.Clone(lr.counts)})
			lr.dirty = false
		case len(lr.counts) == 0:
			delete(e.present, code)
		case all:
			jobs = append(jobs, job{code, nil})
		}
	}
	e.pmu.Unlock()
	for _, j := range jobs {
		res, err := e.presence(ctx, j.code, j.counts, e.cfg.PresenceTTL)
		if err == nil && res.Lapsed && j.counts == nil {
			// The lease lapsed (the store was out of reach for longer than
			// PresenceTTL): the store may have dropped our streams.
			res, err = e.presence(ctx, j.code, e.localCounts(j.code), e.cfg.PresenceTTL)
		}
		if err != nil {
			if j.counts != nil {
				e.markDirty(j.code)
			}
			continue
		}
		if res.AllAnswered {
			e.closeIfAnswered(ctx, j.code)
		}
	}
}

// presence sends one renewal; counts nil renews only. A counts map must
// not be nil to set counts, so an empty one is sent as empty.
func (e *Engine) presence(ctx context.Context, code string, counts map[string]int, ttl time.Duration) (PresenceResult, error) {
	return e.store.Presence(ctx, code, PresenceUpdate{Instance: e.presenceID, TTL: ttl, Counts: counts})
}

// localCounts copies this instance's counts of a room (empty, not nil).
func (e *Engine) localCounts(code string) map[string]int {
	e.pmu.Lock()
	defer e.pmu.Unlock()
	out := map[string]int{}
	if lr := e.present[code]; lr != nil {
		maps.Copy(out, lr.counts)
	}
	return out
}

// renews reports whether this instance renews its presence in a room (it
// has streams there), which judges the other instances' presence too.
func (e *Engine) renews(code string) bool {
	e.pmu.Lock()
	defer e.pmu.Unlock()
	lr := e.present[code]
	return lr != nil && len(lr.counts) > 0
}

// dirty reports whether some room's counts must be sent.
func (e *Engine) dirty() bool {
	e.pmu.Lock()
	defer e.pmu.Unlock()
	for _, lr := range e.present {
		if lr.dirty {
			return true
		}
	}
	return false
}

// handOff is the shutdown's presence step: in every room, this instance's
// count becomes the streams it had open or cut (not those their clients
// closed), for ReconnectGrace, so that its players keep counting while
// they reconnect to another instance, and no longer.
func (e *Engine) handOff(ctx context.Context) {
	e.pmu.Lock()
	counts := map[string]map[string]int{}
	for code, lr := range e.present {
		c := maps.Clone(lr.counts)
		for id, n := range lr.leaving {
			if c[id] -= n; c[id] <= 0 {
				delete(c, id)
			}
		}
		counts[code] = c
	}
	e.pmu.Unlock()
	for code, c := range counts {
		if ctx.Err() != nil {
			return
		}
		if _, err := e.presence(ctx, code, c, e.cfg.ReconnectGrace); err != nil {
			e.log.Warn("handing over presence at shutdown", "room", code, "err", err)
		}
	}
}
