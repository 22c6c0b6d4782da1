package memstore

import (
	"time"

	"context"

	"github.com/quizroom/quizroom/server/room"
)

// Identify finds who holds a token.
func (s *Store) Identify(_ context.Context, code, tokenHash string) (room.Identity, error) {
	r, _, err := s.room(code)
	if err != nil {
		return room.Identity{}, err
	}
	defer r.mu.Unlock()
	if tokenHash == r.spec.HostTokenHash {
		return room.Identity{Role: room.Host}, nil
	}
	p, ok := r.tokens[tokenHash]
	if !ok {
		return room.Identity{}, room.Errorf(room.ErrDenied, "the token is not valid for room %s", code)
	}
	if !p.active {
		return room.Identity{}, room.GoneError(code, p.ID)
	}
	return room.Identity{Role: room.PlayerRole, PlayerID: p.ID, Name: p.Name}, nil
}

// Join adds a player.
func (s *Store) Join(_ context.Context, code string, j room.Join) (room.Player, error) {
	r, now, err := s.room(code)
	if err != nil {
		return room.Player{}, err
	}
	defer r.mu.Unlock()
	switch {
	case r.state.Lost:
		return room.Player{}, room.LostRoomError(code)
	case r.state.Phase.Over():
		return room.Player{}, room.Errorf(room.ErrPhase, "the game in room %s is over", code)
	case r.state.Locked:
		return room.Player{}, room.Errorf(room.ErrPhase, "room %s is locked", code)
	case r.names[j.NameKey] != "":
		return room.Player{}, room.Errorf(room.ErrExists, "the name %q is taken in room %s", j.Name, code)
	case r.state.Players >= r.spec.Settings.MaxPlayers:
		return room.Player{}, room.Errorf(room.ErrFull, "room %s is full: %d players", code, r.spec.Settings.MaxPlayers)
	}
	p := &memPlayer{
		Player:    room.Player{ID: room.PlayerID(len(r.players) + 1), Name: j.Name},
		join:      len(r.players) + 1,
		nameKey:   j.NameKey,
		tokenHash: j.TokenHash,
		active:    true,
		streakQ:   -1,
	}
	r.players = append(r.players, p)
	r.byID[p.ID] = p
	r.names[j.NameKey] = p.ID
	r.tokens[j.TokenHash] = p
	if !r.rosterPending() {
		r.ping(true) // the owner has a roster event to append
	}
	r.joined = append(r.joined, p.Player)
	r.state.Players++
	r.state.Touched = now
	return p.Player, nil
}

// Leave removes a player who leaves; their name is free again.
func (s *Store) Leave(_ context.Context, code, playerID string) error {
	r, now, err := s.room(code)
	if err != nil {
		return err
	}
	defer r.mu.Unlock()
	p, err := r.activePlayer(playerID, room.ErrNotFound)
	if err != nil {
		return err
	}
	r.depart(p)
	p.left = true
	delete(r.names, p.nameKey)
	if !r.rosterPending() {
		r.ping(true) // the owner has a roster event to append
	}
	r.left = append(r.left, p.Player)
	r.state.Touched = now
	return nil
}

// Kick removes a player; the name stays taken.
func (s *Store) Kick(_ context.Context, code, playerID string) (uint64, error) {
	r, now, err := s.room(code)
	if err != nil {
		return 0, err
	}
	defer r.mu.Unlock()
	p, err := r.activePlayer(playerID, room.ErrNotFound)
	if err != nil {
		return 0, err
	}
	r.depart(p)
	p.kicked = true
	pl := p.Player
	return r.appendEvent(now, room.Event{Type: room.EventKicked, Player: &pl, Players: r.state.Players}), nil
}

// Lock locks or unlocks the lobby.
func (s *Store) Lock(_ context.Context, code string, locked bool) (uint64, error) {
	r, now, err := s.room(code)
	if err != nil {
		return 0, err
	}
	defer r.mu.Unlock()
	if r.state.Phase.Started() {
		return 0, room.Errorf(room.ErrPhase, "the game in room %s has started: only the lobby can be locked or unlocked", code)
	}
	if r.state.Locked == locked {
		return 0, nil
	}
	r.state.Locked = locked
	return r.appendEvent(now, room.Event{Type: room.EventLocked, Locked: locked}), nil
}

// FlushRoster appends one roster event with the changes since the last.
func (s *Store) FlushRoster(_ context.Context, code string, limit int) (uint64, error) {
	r, now, err := s.room(code)
	if err != nil {
		return 0, err
	}
	defer r.mu.Unlock()
	if len(r.joined) == 0 && len(r.left) == 0 {
		return 0, nil
	}
	e := room.Event{Type: room.EventRoster, Players: r.state.Players}
	e.Joined, e.JoinedOmitted = newest(r.joined, limit)
	e.Left, e.LeftOmitted = newest(r.left, limit)
	r.joined, r.left = nil, nil
	return r.appendEvent(now, e), nil
}

// newest keeps the last limit players and counts the rest.
func newest(ps []room.Player, limit int) ([]room.Player, int) {
	if len(ps) <= limit {
		return ps, 0
	}
	return ps[len(ps)-limit:], len(ps) - limit
}

// Roster returns up to limit active players, the most recent first.
func (s *Store) Roster(_ context.Context, code string, limit int) ([]room.Player, int, error) {
	r, _, err := s.room(code)
	if err != nil {
		return nil, 0, err
	}
	defer r.mu.Unlock()
	var out []room.Player
	for i := len(r.players) - 1; i >= 0 && (limit == 0 || len(out) < limit); i-- {
		if r.players[i].active {
			out = append(out, r.players[i].Player)
		}
	}
	return out, r.state.Players, nil
}

// Connect counts one of a player's (or the host's) streams on an
// instance, and renews the instance's presence lease; a lease that had
// lapsed is reported by the next Presence.
func (s *Store) Connect(_ context.Context, code string, c room.Connection) (room.Connected, error) {
	r, now, err := s.room(code)
	if err != nil {
		return room.Connected{}, err
	}
	defer r.mu.Unlock()
	member := r.member(c.PlayerID)
	if !member && c.RequireActive {
		return room.Connected{}, room.GoneError(code, c.PlayerID)
	}
	if lapsed, known := s.renew(now, c.Instance, c.TTL); lapsed && known {
		// A lease that never was had no streams to send again.
		s.lmu.Lock()
		s.unreported[c.Instance] = true
		s.lmu.Unlock()
	}
	stopped := r.expire(now, s.dead(now))
	if member {
		stopped = r.setStreams(now, c.Instance, c.PlayerID, max(r.streams[c.Instance][c.PlayerID]+c.Delta, 0)) || stopped
	}
	out := room.Connected{AllAnswered: r.allAnswered(stopped)}
	if c.State {
		out.State = r.current(now)
	}
	return out, nil
}

// Presence renews each instance's presence lease once, for the longest
// TTL its updates ask, and applies each update in its room.
func (s *Store) Presence(_ context.Context, ups []room.PresenceUpdate) []room.PresenceResult {
	now := s.now()
	ttls := map[string]time.Duration{}
	for _, u := range ups {
		ttls[u.Instance] = max(ttls[u.Instance], u.TTL)
	}
	lapsed := map[string]bool{}
	for instance, ttl := range ttls {
		l, _ := s.renew(now, instance, ttl)
		s.lmu.Lock()
		lapsed[instance] = l || s.unreported[instance]
		delete(s.unreported, instance)
		s.lmu.Unlock()
	}
	out := make([]room.PresenceResult, len(ups))
	for i, u := range ups {
		out[i] = s.presence(u, lapsed[u.Instance])
	}
	return out
}

// renew renews instance's presence lease until now+ttl and reports whether
// it had lapsed (or never was), and whether it was. Only an instance whose own lease is
// current judges the others (as the Redis store does): when its own had
// lapsed too, the store or the instance was cut off, so the lapsed leases
// get until now+ttl instead.
func (s *Store) renew(now time.Time, instance string, ttl time.Duration) (lapsed, known bool) {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	until, known := s.leases[instance]
	lapsed = !known || !now.Before(until)
	if lapsed {
		for other, until := range s.leases {
			if !now.Before(until) {
				s.leases[other] = now.Add(ttl)
			}
		}
	}
	s.leases[instance] = now.Add(ttl)
	return lapsed, known
}

// dead lists the instances whose presence lease lapsed by now.
func (s *Store) dead(now time.Time) map[string]bool {
	s.lmu.Lock()
	defer s.lmu.Unlock()
	out := map[string]bool{}
	for instance, until := range s.leases {
		if !now.Before(until) {
			out[instance] = true
		}
	}
	return out
}

// presence applies one room's presence update for an instance whose
// lease had lapsed or not.
func (s *Store) presence(u room.PresenceUpdate, lapsed bool) room.PresenceResult {
	r, now, err := s.room(u.Code)
	if err != nil {
		return room.PresenceResult{Err: err}
	}
	defer r.mu.Unlock()
	stopped := r.expire(now, s.dead(now))
	if u.Counts != nil {
		for id := range r.streams[u.Instance] {
			if _, listed := u.Counts[id]; !listed {
				stopped = r.setStreams(now, u.Instance, id, 0) || stopped
			}
		}
		for id, n := range u.Counts {
			if r.member(id) {
				stopped = r.setStreams(now, u.Instance, id, max(n, 0)) || stopped
			}
		}
	}
	return room.PresenceResult{Lapsed: lapsed, AllAnswered: r.allAnswered(stopped)}
}
