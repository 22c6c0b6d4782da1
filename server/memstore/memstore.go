// Package memstore is the embedded room store: everything in this process's
// memory, nothing to install. It is the default, and the reference the Redis
// store is tested against: both pass package storetest.
package memstore

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// Config tunes a Store. Zero fields get the documented defaults.
type Config struct {
	// Clock reads the time; default time.Now.
	Clock func() time.Time
	// LogSize is how many events each room keeps for resumes; default 1000.
	LogSize int
}

// Store keeps rooms in memory. It is safe for concurrent use.
type Store struct {
	clock   func() time.Time
	logSize int

	mu    sync.Mutex // guards rooms and decks (not the rooms' contents)
	rooms map[string]*memRoom
	decks map[string]*deck

	lmu        sync.Mutex           // guards leases and unreported; taken after a room's mu
	leases     map[string]time.Time // instance → when its presence lapses: one lease for every room
	unreported map[string]bool      // instances a Connect found lapsed, until a Presence says so
}

// deck is an uploaded deck and when it expires.
type deck struct {
	source []byte
	until  time.Time
}

// New returns an empty Store.
func New(cfg Config) *Store {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.LogSize <= 0 {
		cfg.LogSize = 1000
	}
	return &Store{
		clock:      cfg.Clock,
		logSize:    cfg.LogSize,
		rooms:      make(map[string]*memRoom),
		decks:      make(map[string]*deck),
		leases:     make(map[string]time.Time),
		unreported: make(map[string]bool),
	}
}

// now is the store's clock in whole milliseconds, the resolution every store
// measures with.
func (s *Store) now() time.Time { return s.clock().Truncate(time.Millisecond) }

// Now reads the store's clock.
func (s *Store) Now(ctx context.Context) (time.Time, error) { return s.now(), ctx.Err() }

// SaveDeck keeps an uploaded deck's source for ttl.
func (s *Store) SaveDeck(_ context.Context, id string, source []byte, limit int, ttl time.Duration) error {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeDecksLocked(now)
	if d, ok := s.decks[id]; ok {
		d.until = now.Add(ttl)
		return nil
	}
	if len(s.decks) >= limit {
		return room.Errorf(room.ErrFull, "too many uploaded decks: at most %d", limit)
	}
	s.decks[id] = &deck{source: append([]byte(nil), source...), until: now.Add(ttl)}
	return nil
}

// KeepDeck renews an uploaded deck's ttl.
func (s *Store) KeepDeck(_ context.Context, id string, ttl time.Duration) error {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeDecksLocked(now)
	d, ok := s.decks[id]
	if !ok {
		return room.Errorf(room.ErrNotFound, "no deck %q", id)
	}
	d.until = now.Add(ttl)
	return nil
}

// purgeDecksLocked drops expired decks. s.mu is held.
func (s *Store) purgeDecksLocked(now time.Time) {
	maps.DeleteFunc(s.decks, func(_ string, d *deck) bool { return !now.Before(d.until) })
}

// DeckIDs lists the uploaded decks that have not expired.
func (s *Store) DeckIDs(context.Context) ([]string, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeDecksLocked(now)
	return slices.Collect(maps.Keys(s.decks)), nil
}

// Deck returns an uploaded deck's source.
func (s *Store) Deck(_ context.Context, id string) ([]byte, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeDecksLocked(now)
	d, ok := s.decks[id]
	if !ok {
		return nil, room.Errorf(room.ErrNotFound, "no deck %q", id)
	}
	return d.source, nil
}

// CreateRoom stores a new room in the lobby.
func (s *Store) CreateRoom(_ context.Context, spec *room.Spec, max int) error {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked(now)
	if _, ok := s.rooms[spec.Code]; ok {
		return room.Errorf(room.ErrExists, "room %s exists", spec.Code)
	}
	live := 0
	for _, r := range s.rooms {
		r.mu.Lock()
		if !r.state.Phase.Over() {
			live++
		}
		r.mu.Unlock()
	}
	if live >= max {
		return room.Errorf(room.ErrFull, "too many rooms on this server: at most %d", max)
	}
	s.rooms[spec.Code] = newMemRoom(spec, now, s.logSize)
	return nil
}

// purgeLocked drops rooms whose retention has passed. s.mu is held.
func (s *Store) purgeLocked(now time.Time) {
	for code, r := range s.rooms {
		r.mu.Lock()
		gone := !r.expires.IsZero() && !now.Before(r.expires)
		r.mu.Unlock()
		if gone {
			delete(s.rooms, code)
		}
	}
}

// room finds a live room and locks it; the caller must unlock it.
func (s *Store) room(code string) (*memRoom, time.Time, error) {
	now := s.now()
	s.mu.Lock()
	r, ok := s.rooms[code]
	s.mu.Unlock()
	if !ok {
		return nil, now, room.NoRoom(code)
	}
	r.mu.Lock()
	if !r.expires.IsZero() && !now.Before(r.expires) {
		r.mu.Unlock()
		return nil, now, room.NoRoom(code)
	}
	return r, now, nil
}

// Spec returns a room's fixed part.
func (s *Store) Spec(_ context.Context, code string) (*room.Spec, error) {
	r, _, err := s.room(code)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	return r.spec, nil
}

// State returns a room's current state.
func (s *Store) State(_ context.Context, code string) (*room.State, error) {
	r, now, err := s.room(code)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	return r.current(now), nil
}

// Rooms lists the codes of rooms that are not finished or closed.
func (s *Store) Rooms(context.Context) ([]string, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.purgeLocked(now)
	var codes []string
	for code, r := range s.rooms {
		r.mu.Lock()
		if !r.state.Phase.Over() {
			codes = append(codes, code)
		}
		r.mu.Unlock()
	}
	return codes, nil
}

// Orphans lists the live rooms: the memory store has no cheaper way to
// find those whose lease is free, nor needs one.
func (s *Store) Orphans(ctx context.Context) ([]string, error) { return s.Rooms(ctx) }

// Keep makes a room whose game is not over expire ttl from now.
func (s *Store) Keep(_ context.Context, code string, ttl time.Duration) error {
	r, now, err := s.room(code)
	if err != nil {
		return err
	}
	defer r.mu.Unlock()
	if !r.state.Phase.Over() {
		r.expires = now.Add(ttl)
	}
	return nil
}

// Lease takes or renews the room's timer lease.
func (s *Store) Lease(_ context.Context, code, owner string, ttl time.Duration) (bool, error) {
	r, now, err := s.room(code)
	if err != nil {
		return false, err
	}
	defer r.mu.Unlock()
	if r.leaseOwner != "" && r.leaseOwner != owner && now.Before(r.leaseUntil) {
		return false, nil
	}
	r.leaseOwner, r.leaseUntil = owner, now.Add(ttl)
	return true, nil
}

// KeepLeases renews every lease owner holds that has not lapsed.
func (s *Store) KeepLeases(_ context.Context, owner string, ttl time.Duration) error {
	s.mu.Lock()
	rooms := slices.Collect(maps.Values(s.rooms))
	s.mu.Unlock()
	now := s.now()
	for _, r := range rooms {
		r.mu.Lock()
		if r.leaseOwner == owner && now.Before(r.leaseUntil) {
			r.leaseUntil = now.Add(ttl)
		}
		r.mu.Unlock()
	}
	return nil
}

// Release gives up the lease if owner holds it.
func (s *Store) Release(_ context.Context, code, owner string) error {
	r, _, err := s.room(code)
	if err != nil {
		return err
	}
	defer r.mu.Unlock()
	if r.leaseOwner == owner {
		r.leaseOwner = ""
	}
	return nil
}

// Events returns up to max events with seq > after.
func (s *Store) Events(_ context.Context, code string, after uint64, max int) ([]room.Event, error) {
	r, _, err := s.room(code)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	return r.eventsAfter(after, max)
}

// Wait blocks until the room has events with seq > after or wait passes.
func (s *Store) Wait(ctx context.Context, code string, after uint64, max int, wait time.Duration) ([]room.Event, error) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		r, _, err := s.room(code)
		if err != nil {
			return nil, err
		}
		evs, err := r.eventsAfter(after, max)
		changed := r.changed
		r.mu.Unlock()
		if err != nil || len(evs) > 0 {
			return evs, err
		}
		select {
		case <-changed:
		case <-timer.C:
			return nil, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// MarkLost closes a room whose history was lost, creating it again from
// spec when it is gone.
func (s *Store) MarkLost(_ context.Context, spec *room.Spec, reason string, retain time.Duration) (*room.State, error) {
	now := s.now()
	s.mu.Lock()
	r, ok := s.rooms[spec.Code]
	if ok {
		r.mu.Lock()
		ok = r.expires.IsZero() || now.Before(r.expires)
		r.mu.Unlock()
	}
	if !ok {
		r = newMemRoom(spec, now, s.logSize)
		s.rooms[spec.Code] = r
	}
	s.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	st := &r.state
	if !st.Lost {
		st.Lost, st.Epoch = true, newEpoch(st.Epoch)
		st.Phase, st.Deadline, st.PausedPhase, st.PausedAt = game.PhaseClosed, time.Time{}, 0, time.Time{}
		st.Version++
		r.expires = now.Add(retain)
		r.appendEvent(now, room.Event{Type: room.EventClosed, Reason: reason, Lost: true})
	}
	return r.current(now), nil
}

// newEpoch draws an epoch other than old.
func newEpoch(old uint64) uint64 {
	for {
		if e := room.NewEpoch(); e != old {
			return e
		}
	}
}

// Follow follows the room's notices: they come with every change that
// wakes Wait, and when roster or progress work starts to pend.
func (s *Store) Follow(_ context.Context, code string) (room.Notices, error) {
	r, _, err := s.room(code)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	return &follower{r: r, pings: r.pings, rosterPings: r.rosterPings}, nil
}

// follower is one Follow's subscription: the room's change channel.
type follower struct {
	r                  *memRoom
	pings, rosterPings int // the room's, when Pending last reported
}

// Next returns the channel closed at the room's next change.
func (f *follower) Next() <-chan struct{} {
	f.r.mu.Lock()
	defer f.r.mu.Unlock()
	return f.r.changed
}

// News reports whether the log moved past seq or work started to pend
// since Pending last reported.
func (f *follower) News(seq uint64) bool {
	f.r.mu.Lock()
	defer f.r.mu.Unlock()
	return f.r.state.Seq > seq || f.r.pings != f.pings
}

// Pending reports what the pings since it last reported said pends; a
// memory room misses none.
func (f *follower) Pending() (roster, answers, missed bool) {
	f.r.mu.Lock()
	defer f.r.mu.Unlock()
	roster = f.r.rosterPings != f.rosterPings
	answers = f.r.pings-f.r.rosterPings != f.pings-f.rosterPings
	f.pings, f.rosterPings = f.r.pings, f.r.rosterPings
	return roster, answers, false
}

// Close does nothing: a memory room's channel needs no subscription.
func (*follower) Close() {}
