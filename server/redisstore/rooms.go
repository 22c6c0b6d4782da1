package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// Now reads the Redis clock (of a random node in a Cluster: rooms time
// themselves by their own node's clock inside the scripts).
func (s *Store) Now(ctx context.Context) (time.Time, error) {
	t, err := s.client.Time(ctx).Result()
	if err != nil {
		return time.Time{}, fail(err)
	}
	return time.UnixMilli(t.UnixMilli()), nil
}

// SaveDeck keeps an uploaded deck's source for ttl.
func (s *Store) SaveDeck(ctx context.Context, id string, source []byte, limit int, ttl time.Duration) error {
	r, err := s.run(ctx, scriptSaveDeck, []string{s.deckIDsKey(), s.deckKey(id)}, id, source, limit, max(ms(ttl), 1))
	if err != nil {
		return err
	}
	if r.status == "full" {
		return room.Errorf(room.ErrFull, "too many uploaded decks: at most %d", limit)
	}
	return nil
}

// KeepDeck renews an uploaded deck's ttl.
func (s *Store) KeepDeck(ctx context.Context, id string, ttl time.Duration) error {
	r, err := s.run(ctx, scriptKeepDeck, []string{s.deckIDsKey(), s.deckKey(id)}, id, max(ms(ttl), 1))
	if err != nil {
		return err
	}
	if r.status == "notfound" {
		return room.Errorf(room.ErrNotFound, "no deck %q", id)
	}
	return nil
}

// DeckIDs lists the uploaded decks that have not expired.
func (s *Store) DeckIDs(ctx context.Context) ([]string, error) {
	r, err := s.run(ctx, scriptDeckIDs, []string{s.deckIDsKey()})
	if err != nil {
		return nil, err
	}
	return r.strings(1), r.err
}

// Deck returns an uploaded deck's source.
func (s *Store) Deck(ctx context.Context, id string) ([]byte, error) {
	src, err := s.client.Get(ctx, s.deckKey(id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, room.Errorf(room.ErrNotFound, "no deck %q", id)
	}
	return src, fail(err)
}

// CreateRoom stores a new room in the lobby and lists it as live. The
// limit counts the live set, so rooms created at the same moment by
// several instances may pass it together.
func (s *Store) CreateRoom(ctx context.Context, spec *room.Spec, max int) error {
	n, err := s.client.SCard(ctx, s.liveKey()).Result()
	if err != nil {
		return fail(err)
	}
	if n >= int64(max) {
		live, err := s.Rooms(ctx) // drops stale entries
		if err != nil {
			return err
		}
		if len(live) >= max {
			return room.Errorf(room.ErrFull, "too many rooms on this server: at most %d", max)
		}
	}
	src, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("encoding room %s: %w", spec.Code, err)
	}
	k, err := kinds(spec.Questions)
	if err != nil {
		return fmt.Errorf("room %s: %w", spec.Code, err)
	}
	r, err := s.run(ctx, scriptCreate, s.keys(spec.Code, keySpec, keyState), src, spec.HostTokenHash, spec.Settings.MaxPlayers, len(spec.Questions), k, room.NewEpoch())
	if err != nil {
		return err
	}
	if r.status == "exists" {
		return room.Errorf(room.ErrExists, "room %s exists", spec.Code)
	}
	// Listed as live, and free until an instance takes its lease.
	pipe := s.client.Pipeline()
	pipe.SAdd(ctx, s.liveKey(), spec.Code)
	pipe.SAdd(ctx, s.freeKey(), spec.Code)
	if _, err := pipe.Exec(ctx); err != nil {
		// An unlisted room would have no owner once this instance is gone:
		// take it back.
		undo, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		s.client.Del(undo, s.keys(spec.Code, keySpec, keyState)...)
		return fail(err)
	}
	return nil
}

// notFound is the error for a room that does not exist (or expired).
func notFound(code string) error { return room.NoRoom(code) }

// Spec returns a room's fixed part.
func (s *Store) Spec(ctx context.Context, code string) (*room.Spec, error) {
	src, err := s.client.Get(ctx, s.key(code, keySpec)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, notFound(code)
	}
	if err != nil {
		return nil, fail(err)
	}
	spec := &room.Spec{}
	if err := json.Unmarshal(src, spec); err != nil {
		return nil, fmt.Errorf("redis: room %s: bad spec: %w", code, err)
	}
	return spec, nil
}

// State returns a room's current state, and the room's clock.
func (s *Store) State(ctx context.Context, code string) (*room.State, error) {
	r, err := s.run(ctx, scriptState, s.keys(code, keyState))
	if err != nil {
		return nil, err
	}
	if r.status == "notfound" {
		return nil, notFound(code)
	}
	st := r.state(2)
	return st, r.err
}

// Rooms lists the codes of rooms that are not finished or closed. The live
// set may hold rooms that finished or expired without being removed (the
// instance that finished them lost Redis at that moment); Rooms drops them.
func (s *Store) Rooms(ctx context.Context) ([]string, error) {
	codes, err := s.client.SMembers(ctx, s.liveKey()).Result()
	if err != nil || len(codes) == 0 {
		return nil, fail(err)
	}
	pipe := s.client.Pipeline()
	phases := make([]*redis.StringCmd, len(codes))
	for i, code := range codes {
		phases[i] = pipe.HGet(ctx, s.key(code, keyState), "ph")
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fail(err)
	}
	var live []string
	var stale []any
	for i, cmd := range phases {
		ph, err := cmd.Int()
		switch {
		case errors.Is(err, redis.Nil) || err == nil && game.Phase(ph).Over():
			stale = append(stale, codes[i])
		case err != nil:
			return nil, fail(err)
		default:
			live = append(live, codes[i])
		}
	}
	if len(stale) > 0 {
		if err := s.client.SRem(ctx, s.liveKey(), stale...).Err(); err != nil {
			return nil, fail(err)
		}
	}
	return live, nil
}

// Keep makes every key of a room whose game is not over expire ttl from
// now.
func (s *Store) Keep(ctx context.Context, code string, ttl time.Duration) error {
	// Every key but the lease, which has a lifetime of its own; the script
	// names the answers it keeps from the prefix.
	keys := s.keys(code, keyState, keySpec, keyPresence, keyStreams, keyLeases, keyLog,
		keyPlayers, keyNames, keyTokens, keyRank, keyLeft, keyJoined, keyAnswers)
	r, err := s.run(ctx, scriptKeep, keys, max(ms(ttl), 1))
	if err != nil {
		return err
	}
	if r.status == "notfound" {
		return notFound(code)
	}
	return nil
}

// MarkLost closes a room whose history was lost, creating it again from
// spec when it is gone (one script, which gives every key of the room its
// expiry).
func (s *Store) MarkLost(ctx context.Context, spec *room.Spec, reason string, retain time.Duration) (*room.State, error) {
	src, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("encoding room %s: %w", spec.Code, err)
	}
	k, err := kinds(spec.Questions)
	if err != nil {
		return nil, fmt.Errorf("room %s: %w", spec.Code, err)
	}
	keys := append(s.keys(spec.Code, keySpec, keyState, keyLog), s.allKeys(spec.Code, len(spec.Questions))...)
	r, err := s.run(ctx, scriptLost, keys, src, spec.HostTokenHash, spec.Settings.MaxPlayers, len(spec.Questions), k,
		room.NewEpoch(), reason, ms(retain), s.logSize)
	if err != nil {
		return nil, err
	}
	st := r.state(2)
	if r.err != nil {
		return nil, r.err
	}
	// Best effort, as for a finished room.
	_ = s.client.SRem(ctx, s.liveKey(), spec.Code).Err()
	return st, nil
}
