package redisstore

import (
	"context"

	"github.com/quizroom/quizroom/server/room"
)

// Identify finds who holds a token.
func (s *Store) Identify(ctx context.Context, code, tokenHash string) (room.Identity, error) {
	r, err := s.run(ctx, scriptIdentify, s.keys(code, keyState, keyTokens, keyPlayers), tokenHash)
	if err != nil {
		return room.Identity{}, err
	}
	switch r.status {
	case "notfound":
		return room.Identity{}, notFound(code)
	case "host":
		return room.Identity{Role: room.Host}, nil
	case "unknown":
		return room.Identity{}, room.Errorf(room.ErrDenied, "the token is not valid for room %s", code)
	case "gone":
		return room.Identity{}, room.GoneError(code, r.str(1))
	}
	return room.Identity{Role: room.PlayerRole, PlayerID: r.str(1), Name: r.str(2)}, r.err
}

// Join adds a player.
func (s *Store) Join(ctx context.Context, code string, j room.Join) (room.Player, error) {
	keys := s.keys(code, keyState, keyNames, keyTokens, keyPlayers, keyRank, keyLog)
	r, err := s.run(ctx, scriptJoin, keys, j.Name, j.NameKey, j.TokenHash)
	if err != nil {
		return room.Player{}, err
	}
	switch r.status {
	case "notfound":
		return room.Player{}, notFound(code)
	case "lost":
		return room.Player{}, room.LostRoomError(code)
	case "over":
		return room.Player{}, room.Errorf(room.ErrPhase, "the game in room %s is over", code)
	case "locked":
		return room.Player{}, room.Errorf(room.ErrPhase, "room %s is locked", code)
	case "taken":
		return room.Player{}, room.Errorf(room.ErrExists, "the name %q is taken in room %s", j.Name, code)
	case "full":
		return room.Player{}, room.Errorf(room.ErrFull, "room %s is full: %d players", code, r.int(1))
	}
	return room.Player{ID: r.str(1), Name: j.Name}, r.err
}

// noPlayer is the error for an unknown or departed player.
func noPlayer(kind error, code, id string) error {
	return room.Errorf(kind, "no player %s in room %s", id, code)
}

// Leave removes a player who leaves; their name is free again.
func (s *Store) Leave(ctx context.Context, code, playerID string) error {
	keys := s.keys(code, keyState, keyPlayers, keyNames, keyPresence, keyRank, keyLeft, keyStreams, keyLeases, keyAnswers, keyLog)
	r, err := s.run(ctx, scriptLeave, keys, playerID)
	if err != nil {
		return err
	}
	switch r.status {
	case "notfound":
		return notFound(code)
	case "nobody":
		return noPlayer(room.ErrNotFound, code, playerID)
	}
	return nil
}

// Kick removes a player; the name stays taken.
func (s *Store) Kick(ctx context.Context, code, playerID string) (uint64, error) {
	keys := s.keys(code, keyState, keyPlayers, keyPresence, keyRank, keyLog, keyStreams, keyLeases, keyAnswers)
	r, err := s.run(ctx, scriptKick, keys, playerID, s.logSize)
	if err != nil {
		return 0, err
	}
	switch r.status {
	case "notfound":
		return 0, notFound(code)
	case "nobody":
		return 0, noPlayer(room.ErrNotFound, code, playerID)
	}
	return uint64(r.int(1)), r.err
}

// Lock locks or unlocks the lobby.
func (s *Store) Lock(ctx context.Context, code string, locked bool) (uint64, error) {
	r, err := s.run(ctx, scriptLock, s.keys(code, keyState, keyLog), flag(locked), s.logSize)
	if err != nil {
		return 0, err
	}
	switch r.status {
	case "notfound":
		return 0, notFound(code)
	case "started":
		return 0, room.Errorf(room.ErrPhase, "the game in room %s has started: only the lobby can be locked or unlocked", code)
	}
	return uint64(r.int(1)), r.err
}

// FlushRoster appends one roster event with the changes since the last.
func (s *Store) FlushRoster(ctx context.Context, code string, limit int) (uint64, error) {
	r, err := s.run(ctx, scriptFlush, s.keys(code, keyState, keyJoined, keyLeft, keyLog, keyPlayers), limit, s.logSize)
	if err != nil {
		return 0, err
	}
	if r.status == "notfound" {
		return 0, notFound(code)
	}
	return uint64(r.int(1)), r.err
}

// Roster returns up to limit active players, the most recent first.
func (s *Store) Roster(ctx context.Context, code string, limit int) ([]room.Player, int, error) {
	r, err := s.run(ctx, scriptRoster, s.keys(code, keyState, keyPlayers), limit)
	if err != nil {
		return nil, 0, err
	}
	if r.status == "notfound" {
		return nil, 0, notFound(code)
	}
	count := int(r.int(1))
	var out []room.Player
	for i := 2; i+1 < len(r.v); i += 2 {
		out = append(out, room.Player{ID: r.str(i), Name: r.str(i + 1)})
	}
	return out, count, r.err
}

// Connect counts one of a player's (or the host's) streams on an instance,
// under the instance's presence lease (renewed first when this Store has
// not renewed it within half of c.TTL), dropping in the room the
// streams of instances found dead that it was not judged against yet.
func (s *Store) Connect(ctx context.Context, code string, c room.Connection) (room.Connected, error) {
	l, err := s.alive(ctx, c.Instance, c.TTL, false)
	if err != nil {
		return room.Connected{}, err
	}
	dead, version := s.pres.toJudge(code, l)
	// The ranking, last, says who is active in one ZSCORE.
	keys := append(s.presenceKeys(code), s.key(code, keyRank))
	args := append([]any{c.PlayerID, c.Instance, c.Delta, l.lease, s.logSize, flag(c.RequireActive), flag(l.current), max(ms(c.TTL), 1), flag(c.State)}, dead...)
	r, err := s.run(ctx, scriptConnect, keys, args...)
	if err != nil {
		return room.Connected{}, err
	}
	switch r.status {
	case "notfound":
		return room.Connected{}, notFound(code)
	case "gone":
		return room.Connected{}, room.GoneError(code, c.PlayerID)
	}
	out := room.Connected{AllAnswered: r.int(1) == 1}
	if c.State {
		out.State = r.state(3)
	}
	if r.err != nil {
		return room.Connected{}, r.err
	}
	if dead != nil {
		s.pres.judgedAt(code, version)
	}
	return out, nil
}
