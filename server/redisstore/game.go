package redisstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// Progress appends a progress event when the answered count changed.
func (s *Store) Progress(ctx context.Context, code string) (uint64, error) {
	r, err := s.run(ctx, scriptProgress, s.keys(code, keyState, keyLog), s.logSize)
	if err != nil {
		return 0, err
	}
	if r.status == "notfound" {
		return 0, notFound(code)
	}
	return uint64(r.int(1)), r.err
}

// Advance moves the room if its version is still t.Version. The reveal
// applies the question's answers to the totals and the ranking; finishing
// or closing the room sets every key of it to expire after t.Retain.
func (s *Store) Advance(ctx context.Context, code string, t room.Transition) (*room.State, error) {
	keys := append(s.keys(code, keyState, keyLog, keyPlayers, keyRank, keyPresence), s.answersKey(code, t.Q))
	ending := !t.Resume && t.To.Over()
	if ending {
		n, err := s.questions(ctx, code)
		if err != nil {
			return nil, err
		}
		for _, k := range s.allKeys(code, n) {
			if !slices.Contains(keys, k) { // each expires once
				keys = append(keys, k)
			}
		}
	}
	r, err := s.run(ctx, scriptAdvance, keys,
		t.Version, int(t.To), flag(t.Resume), t.Q, ms(t.Read), ms(t.Limit), ms(t.Hold), t.Options,
		t.Reason, ms(t.Retain), s.logSize, flag(t.Auto), ms(t.AutoHold), flag(t.Board))
	if err != nil {
		return nil, err
	}
	switch r.status {
	case "notfound":
		return nil, notFound(code)
	case "conflict":
		return nil, room.Errorf(room.ErrConflict, "room %s changed: version %d, expected %d", code, r.int(1), t.Version)
	case "notpaused":
		return nil, room.Errorf(room.ErrPhase, "the game in room %s is not paused", code)
	case "invalid":
		return nil, room.Errorf(room.ErrInvalid, "no transition to %v", t.To)
	}
	st := r.state(2)
	if t.Board && len(r.v) > 5 {
		sb, err := board(r.strings(3), r.hash(4), r.hash(5))
		if err != nil {
			return nil, err
		}
		st.Board = sb
	}
	if r.err != nil {
		return nil, r.err
	}
	if ending {
		// Best effort: Rooms drops rooms that are over from the set anyway.
		_ = s.client.SRem(ctx, s.liveKey(), code).Err()
	}
	return st, nil
}

// questions reads how many questions a room has, to name its keys.
func (s *Store) questions(ctx context.Context, code string) (int, error) {
	n, err := s.client.HGet(ctx, s.key(code, keyState), "nq").Int()
	if errors.Is(err, redis.Nil) {
		return 0, notFound(code)
	}
	return n, fail(err)
}

// Scoreboard reads, in one step, the ranked standings of the active players
// (in the order of the ranking sorted set) and question q's results.
func (s *Store) Scoreboard(ctx context.Context, code string, q int) (*room.Scoreboard, error) {
	keys := s.keys(code, keyState, keyRank, keyPlayers)
	if q >= 0 {
		keys = append(keys, s.answersKey(code, q))
	}
	r, err := s.run(ctx, scriptScoreboard, keys)
	if err != nil {
		return nil, err
	}
	if r.status == "notfound" {
		return nil, notFound(code)
	}
	ranked, recs, answers := r.strings(1), r.hash(2), r.hash(3)
	if r.err != nil {
		return nil, r.err
	}
	return board(ranked, recs, answers)
}

// board decodes a scoreboard: the standings of the ranked players from
// their records, and the answers' results. A big room's two halves are
// decoded at the same time, on two cores: the reveal waits for them.
func board(ranked []string, recs, answers map[string]string) (*room.Scoreboard, error) {
	sb := &room.Scoreboard{}
	var resultsErr error
	decodeResults := func() { sb.Results, resultsErr = results(answers) }
	var wg sync.WaitGroup
	if len(answers) >= bigBoard {
		wg.Go(decodeResults)
	} else {
		decodeResults()
	}
	var err error
	sb.Standings, err = standings(ranked, recs)
	wg.Wait()
	if err = errors.Join(err, resultsErr); err != nil {
		return nil, err
	}
	return sb, nil
}

// bigBoard is the fewest answers whose results board decodes beside the
// standings instead of after them (about a millisecond of work).
const bigBoard = 512

// standings are the standings of the ranked players, ranked.
func standings(ranked []string, h map[string]string) ([]game.Standing, error) {
	recs, err := players(h)
	if err != nil {
		return nil, err
	}
	out := make([]game.Standing, 0, len(ranked))
	for i, id := range ranked {
		p, ok := recs[id]
		if !ok {
			return nil, fmt.Errorf("redis: ranked player %s has no record", id)
		}
		st := p.standing(id)
		st.Rank = i + 1
		out = append(out, st)
	}
	return out, nil
}

// Report reads every player and every revealed answer, in one step.
func (s *Store) Report(ctx context.Context, code string) (*room.ReportData, error) {
	n, err := s.questions(ctx, code)
	if err != nil {
		return nil, err
	}
	keys := s.keys(code, keyState, keyRank, keyPlayers)
	for q := range n {
		keys = append(keys, s.answersKey(code, q))
	}
	r, err := s.run(ctx, scriptReport, keys)
	if err != nil {
		return nil, err
	}
	if r.status == "notfound" {
		return nil, notFound(code)
	}
	ranked, h := r.strings(1), r.hash(2)
	if r.err != nil {
		return nil, r.err
	}
	rep := &room.ReportData{Departed: map[string]bool{}, Kicked: map[string]bool{}}
	active, err := standings(ranked, h)
	if err != nil {
		return nil, err
	}
	recs, err := players(h)
	if err != nil {
		return nil, err
	}
	var gone []game.Standing
	for id, p := range recs {
		switch p.Status {
		case "l":
			rep.Departed[id] = true
		case "k":
			rep.Kicked[id] = true
		default:
			continue
		}
		gone = append(gone, p.standing(id))
	}
	slices.SortFunc(gone, func(a, b game.Standing) int { return cmp.Compare(a.Join, b.Join) })
	if len(active)+len(gone) > 0 {
		rep.Standings = append(active, gone...)
	}
	for i := range len(r.v) - 3 {
		res, err := results(r.hash(3 + i))
		if err != nil {
			return nil, err
		}
		list := make([]room.Result, 0, len(res))
		for _, x := range res {
			list = append(list, x)
		}
		slices.SortFunc(list, func(a, b room.Result) int { return cmp.Compare(recs[a.PlayerID].Join, recs[b.PlayerID].Join) })
		rep.Results = append(rep.Results, list)
	}
	return rep, r.err
}
