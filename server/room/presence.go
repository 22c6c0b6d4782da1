package room

import (
	"context"
	"errors"
	"maps"
	"slices"
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
// refuses a player who is no longer active (see Connection.RequireActive),
// and returns the room's state after it.
func (e *Engine) connect(ctx context.Context, code, playerID string) (*State, error) {
	e.count(code, playerID, 1, false)
	c, err := e.store.Connect(ctx, code, Connection{PlayerID: playerID, Instance: e.presenceID, Delta: 1, TTL: e.cfg.PresenceTTL, RequireActive: true, State: true})
	if err != nil {
		e.count(code, playerID, -1, false)
		if !errors.Is(err, ErrDenied) {
			e.markDirty(code) // the store may have counted it all the same
		}
		return nil, err
	}
	return c.State, nil
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
// neither: the instance hands its counts over instead (handOff). Once the
// game is over (over), nothing depends on who is connected (no question
// to close, no host to find away): the stream is counted out here, at
// once, and the store, where the room expires as it is, is not asked.
func (e *Engine) closed(code, playerID string, cut, over bool) {
	if over {
		e.count(code, playerID, -1, false)
		return
	}
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
	c, err := e.store.Connect(ctx, code, Connection{PlayerID: playerID, Instance: e.presenceID, Delta: -1, TTL: e.cfg.PresenceTTL})
	if err != nil {
		e.markDirty(code) // the next renewal sends the counts
		return
	}
	if c.AllAnswered {
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
// rooms where it has none left. With all, it renews every room (else only
// those whose counts must be sent) and judges the other instances'
// presence in the rooms this instance owns but has no streams in. Every
// room goes in one call to the store, which sends them in few round trips:
// renewing ten thousand rooms costs a few round trips, not ten thousand.
func (e *Engine) renew(ctx context.Context, all bool) {
	ttl := e.cfg.PresenceTTL
	var ups []PresenceUpdate
	e.pmu.Lock()
	for code, lr := range e.present {
		switch {
		case lr.dirty:
			ups = append(ups, e.update(code, maps.Clone(lr.counts), ttl))
			lr.dirty = false
		case len(lr.counts) == 0:
			delete(e.present, code)
		case all:
			ups = append(ups, e.update(code, nil, ttl))
		}
	}
	e.pmu.Unlock()
	mine := len(ups) // the rooms this instance has streams in come first
	if all {
		for _, code := range e.judged() {
			ups = append(ups, e.update(code, nil, ttl))
		}
	}
	var again []PresenceUpdate
	for i, res := range e.store.Presence(ctx, ups) {
		u := ups[i]
		switch {
		case res.Err != nil:
			if u.Counts != nil {
				e.markDirty(u.Code)
			}
		case res.Lapsed && u.Counts == nil && i < mine:
			// The lease lapsed (the store was out of reach for longer than
			// PresenceTTL): the store may have dropped our streams.
			again = append(again, e.update(u.Code, e.localCounts(u.Code), ttl))
		case res.AllAnswered:
			e.closeIfAnswered(ctx, u.Code)
		}
	}
	if len(again) == 0 {
		return
	}
	for i, res := range e.store.Presence(ctx, again) {
		switch {
		case res.Err != nil:
			e.markDirty(again[i].Code)
		case res.AllAnswered:
			e.closeIfAnswered(ctx, again[i].Code)
		}
	}
}

// update is this instance's presence update of a room; counts nil renews
// only. A counts map must not be nil to set counts, so an empty one is
// sent as empty.
func (e *Engine) update(code string, counts map[string]int, ttl time.Duration) PresenceUpdate {
	return PresenceUpdate{Code: code, Instance: e.presenceID, TTL: ttl, Counts: counts}
}

// judged lists the rooms whose presence this instance judges without
// renewing its own streams there: rooms it owns, whose game runs, where
// it has no streams. Instances that died stop counting there once their
// lease lapsed, and the store then finds a host they took with them away.
// (In the rooms it has streams in, every renewal judges.) Only while the
// game runs: in the lobby nothing depends on who is connected (a dead
// instance's streams go at the game's first judging).
func (e *Engine) judged() []string {
	var codes []string
	e.mu.Lock()
	for code, o := range e.owners {
		if o.running.Load() {
			codes = append(codes, code)
		}
	}
	e.mu.Unlock()
	e.pmu.Lock()
	defer e.pmu.Unlock()
	return slices.DeleteFunc(codes, func(code string) bool {
		lr := e.present[code]
		return lr != nil && len(lr.counts) > 0
	})
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
// they reconnect to another instance, and no longer. Every room goes in
// one call to the store.
func (e *Engine) handOff(ctx context.Context) {
	var ups []PresenceUpdate
	e.pmu.Lock()
	for code, lr := range e.present {
		c := maps.Clone(lr.counts)
		for id, n := range lr.leaving {
			if c[id] -= n; c[id] <= 0 {
				delete(c, id)
			}
		}
		ups = append(ups, e.update(code, c, e.cfg.ReconnectGrace))
	}
	e.pmu.Unlock()
	failed := 0
	var first error
	for _, res := range e.store.Presence(ctx, ups) {
		if res.Err != nil {
			if failed++; first == nil {
				first = res.Err
			}
		}
	}
	if failed > 0 {
		e.log.Warn("handing over presence at shutdown", "rooms", len(ups), "failed", failed, "err", first)
	}
}
