package redisstore

import (
	"context"
	"sync"
	"time"
)

// Owner leases cost Redis per instance, not per room. A room's lease key
// names its owner and has no expiry; the owner's heartbeat (a sorted set
// outside every room: owner → when it lapses) keeps every lease it holds.
// Lease is answered from memory for a room this Store granted to the owner
// while the owner's heartbeat is current, and renews the heartbeat once
// every third of the TTL, as KeepLeases does: an owner of a thousand rooms
// renews one entry, not a thousand. Rooms without an owner (just created, or released before
// their game ended) are in a set, and each owner's rooms in a set of its
// own, so that Orphans reads only the rooms that need an owner: the free
// ones and those of owners whose heartbeat lapsed, never every live room.

// leases is what a Store remembers of the owners it renews.
type leases struct {
	mu    sync.Mutex
	beats map[string]time.Time           // owner → when its heartbeat lapses, as renewed here
	held  map[string]map[string]struct{} // owner → rooms granted here
	// beating holds the owners whose heartbeat a call is renewing now:
	// the other calls, one per room at once, do not renew it too.
	beating map[string]*renewal
	// orphaned is, from the last Orphans, whose set each room listed was
	// in ("" for the free rooms), to clean up after rooms that are gone.
	orphaned map[string]string
	// fullSweep is when Orphans last listed every live room.
	fullSweep time.Time
}

func newLeases() *leases {
	return &leases{beats: map[string]time.Time{}, held: map[string]map[string]struct{}{}, beating: map[string]*renewal{}}
}

// The keys of the owners, outside every room's slot, in one slot of their
// own.
func (s *Store) ownersKey() string            { return s.prefix + "{rooms}:owners" }
func (s *Store) freeKey() string              { return s.prefix + "{rooms}:free" }
func (s *Store) ownedPrefix() string          { return s.prefix + "{rooms}:owned:" }
func (s *Store) ownedKey(owner string) string { return s.ownedPrefix() + owner }

// renewal is a heartbeat renewal in flight; err is its outcome once done
// is closed.
type renewal struct {
	done chan struct{}
	err  error
}

// beat renews owner's heartbeat unless it lasts at least two thirds of
// ttl more (so, with one ttl, every third of it). When the heartbeat had
// lapsed, other owners may have taken its rooms: it forgets what it
// granted. One renewal is in flight per owner: the other calls (every
// room's owner finds it due at the same moment) return at once while the
// heartbeat is current, and otherwise wait for that renewal's outcome.
// Heartbeats go on a connection of their own (Store.beats), so that a
// burst of calls queued for the pool does not make them lapse.
func (s *Store) beat(ctx context.Context, owner string, ttl time.Duration) error {
	s.leases.mu.Lock()
	until, ok := s.leases.beats[owner]
	left := time.Until(until)
	if ok && left > ttl*2/3 {
		s.leases.mu.Unlock()
		return nil
	}
	if r := s.leases.beating[owner]; r != nil {
		s.leases.mu.Unlock()
		if ok && left > 0 {
			return nil
		}
		select {
		case <-r.done:
			return r.err
		case <-ctx.Done():
			return fail(ctx.Err())
		}
	}
	r := &renewal{done: make(chan struct{})}
	s.leases.beating[owner] = r
	s.leases.mu.Unlock()
	start := time.Now()
	rep, err := s.runOn(ctx, s.beats, scriptBeat, []string{s.ownersKey()}, owner, max(ms(ttl), 1))
	if err == nil {
		err = rep.err
	}
	s.leases.mu.Lock()
	defer s.leases.mu.Unlock()
	delete(s.leases.beating, owner)
	r.err = err
	close(r.done)
	if err != nil {
		return err
	}
	s.leases.beats[owner] = start.Add(ttl)
	if rep.int(1) == 1 {
		delete(s.leases.held, owner)
	}
	return nil
}

// KeepLeases renews owner's heartbeat, which keeps every lease it holds,
// when it is due (beat).
func (s *Store) KeepLeases(ctx context.Context, owner string, ttl time.Duration) error {
	return s.beat(ctx, owner, ttl)
}

// granted reports whether this Store granted owner the room's lease.
func (s *Store) granted(owner, code string) bool {
	s.leases.mu.Lock()
	defer s.leases.mu.Unlock()
	_, ok := s.leases.held[owner][code]
	return ok
}

// Lease takes or renews the room's timer lease for owner, which keeps it
// while owner's heartbeat, renewed here every third of ttl, does.
func (s *Store) Lease(ctx context.Context, code, owner string, ttl time.Duration) (bool, error) {
	if err := s.beat(ctx, owner, ttl); err != nil {
		return false, err
	}
	if s.granted(owner, code) {
		return true, nil
	}
	ok, holder, err := s.lease(ctx, code, owner, "")
	if err != nil || ok || holder == "" {
		return ok, err
	}
	// Held by another owner: take it if that owner's heartbeat lapsed.
	r, err := s.run(ctx, scriptBeat, []string{s.ownersKey()}, holder, 0)
	if err != nil || r.int(1) == 0 {
		return false, err
	}
	ok, _, err = s.lease(ctx, code, owner, holder)
	return ok, err
}

// lease runs the lease script, taking the lease from dead if it holds it,
// and on success moves the room to owner's set. It returns the holder when
// refused.
func (s *Store) lease(ctx context.Context, code, owner, dead string) (bool, string, error) {
	r, err := s.run(ctx, scriptLease, s.keys(code, keyState, keyLease), owner, dead)
	if err != nil {
		return false, "", err
	}
	if r.status == "notfound" {
		s.forgetOrphan(ctx, code)
		return false, "", notFound(code)
	}
	granted, holder := r.int(1) == 1, r.str(2)
	if r.err != nil {
		return false, "", r.err
	}
	if !granted {
		return false, holder, nil
	}
	pipe := s.client.Pipeline()
	pipe.SAdd(ctx, s.ownedKey(owner), code)
	pipe.SRem(ctx, s.freeKey(), code)
	if holder != "" && holder != owner {
		pipe.SRem(ctx, s.ownedKey(holder), code)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return false, "", fail(err)
	}
	s.leases.mu.Lock()
	defer s.leases.mu.Unlock()
	if s.leases.held[owner] == nil {
		s.leases.held[owner] = map[string]struct{}{}
	}
	s.leases.held[owner][code] = struct{}{}
	return true, "", nil
}

// Release gives up the lease if owner holds it; a room whose game is not
// over is then free for another owner to take.
func (s *Store) Release(ctx context.Context, code, owner string) error {
	s.leases.mu.Lock()
	delete(s.leases.held[owner], code)
	s.leases.mu.Unlock()
	r, err := s.run(ctx, scriptRelease, s.keys(code, keyState, keyLease), owner)
	if err != nil {
		return err
	}
	if r.status == "notfound" {
		return notFound(code)
	}
	released, ended := r.int(1) == 1, r.int(2) == 1
	if r.err != nil || !released {
		return r.err
	}
	pipe := s.client.Pipeline()
	pipe.SRem(ctx, s.ownedKey(owner), code)
	if !ended {
		pipe.SAdd(ctx, s.freeKey(), code)
	}
	_, err = pipe.Exec(ctx)
	return fail(err)
}

// FullSweepEvery is how often Orphans lists every live room all the same,
// and the first time it is called: a safety net for a room no set lists
// (created or released by an older version, or whose release failed to
// free it), not the way rooms are found.
const FullSweepEvery = time.Minute

// Orphans lists the rooms that may need an owner: those nobody holds and
// those whose owner's heartbeat lapsed (see room.Store); at its first call
// and every FullSweepEvery, every live room.
func (s *Store) Orphans(ctx context.Context) ([]string, error) {
	r, err := s.run(ctx, scriptOrphans, []string{s.ownersKey(), s.freeKey(), s.ownedPrefix()})
	if err != nil {
		return nil, err
	}
	pairs := r.strings(1)
	if r.err != nil {
		return nil, r.err
	}
	codes := make([]string, 0, len(pairs)/2)
	orphaned := make(map[string]string, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		codes = append(codes, pairs[i])
		orphaned[pairs[i]] = pairs[i+1]
	}
	s.leases.mu.Lock()
	full := time.Since(s.leases.fullSweep) >= FullSweepEvery
	s.leases.orphaned = orphaned
	s.leases.mu.Unlock()
	if full {
		live, err := s.Rooms(ctx)
		if err != nil {
			return nil, err
		}
		for _, code := range live {
			if _, ok := orphaned[code]; !ok {
				codes = append(codes, code)
			}
		}
		s.leases.mu.Lock()
		s.leases.fullSweep = time.Now()
		s.leases.mu.Unlock()
	}
	return codes, nil
}

// forgetOrphan drops a room that is gone from the set Orphans found it in
// (best effort: Orphans lists it again otherwise).
func (s *Store) forgetOrphan(ctx context.Context, code string) {
	s.leases.mu.Lock()
	owner, ok := s.leases.orphaned[code]
	s.leases.mu.Unlock()
	switch {
	case !ok:
	case owner == "":
		_ = s.client.SRem(ctx, s.freeKey(), code).Err()
	default:
		_ = s.client.SRem(ctx, s.ownedKey(owner), code).Err()
	}
}
