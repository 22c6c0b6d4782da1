package memstore

import (
	"context"
	"maps"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// Submit records an answer to the open question.
func (s *Store) Submit(_ context.Context, code string, sub room.Submission) (room.Accepted, error) {
	r, now, err := s.room(code)
	if err != nil {
		return room.Accepted{}, err
	}
	defer r.mu.Unlock()
	p, err := r.activePlayer(sub.PlayerID, room.ErrDenied)
	if err != nil {
		return room.Accepted{}, err
	}
	st := &r.state
	if why := room.CheckOpen(st, sub.Q, now, sub.Grace); why != 0 {
		return room.Accepted{}, why.Err(sub.Q, st.Q)
	}
	if _, ok := r.answers[sub.Q][p.ID]; ok {
		return room.Accepted{}, room.Errorf(room.ErrExists, "question_index %d already answered: the first answer stands", sub.Q)
	}
	elapsed := min(now.Sub(st.OpensAt), sub.Limit)
	before := game.StreakBefore(p.streak, p.streakQ, sub.PrevScored)
	o := sub.Scoring.Score(sub.Points, sub.Limit, elapsed, sub.Kind, sub.Grade, before)
	r.answers[sub.Q][p.ID] = &room.Result{
		PlayerID: p.ID, Answer: sub.Answer, Correct: sub.Grade.Correct,
		Points: o.Total(), Bonus: o.Bonus, Streak: o.Streak, Elapsed: elapsed,
	}
	for _, c := range sub.Answer.Choices {
		r.counts[sub.Q][c]++
	}
	if sub.Grade.Correct {
		r.correct[sub.Q]++
	}
	st.Answered++
	if st.Answered == r.progress+1 {
		r.ping(false) // the owner has a progress event to append
	}
	st.Touched = now
	all := false
	if r.presence[p.ID] > 0 {
		st.Waiting--
		all = st.Waiting == 0
	}
	return room.Accepted{Elapsed: elapsed, AllAnswered: all, Version: st.Version}, nil
}

// Progress appends a progress event when the answered count changed.
func (s *Store) Progress(_ context.Context, code string) (uint64, error) {
	r, now, err := s.room(code)
	if err != nil {
		return 0, err
	}
	defer r.mu.Unlock()
	st := &r.state
	if st.Phase != game.PhaseQuestion || st.Answered == r.progress {
		return 0, nil
	}
	r.progress = st.Answered
	return r.appendEvent(now, room.Event{Type: room.EventProgress, Q: st.Q, Answered: st.Answered, Players: st.Players}), nil
}

// Advance moves the room if its version is still t.Version.
func (s *Store) Advance(_ context.Context, code string, t room.Transition) (*room.State, error) {
	r, now, err := s.room(code)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	st := &r.state
	if st.Version != t.Version {
		return nil, room.Errorf(room.ErrConflict, "room %s changed: version %d, expected %d", code, st.Version, t.Version)
	}
	var evs []room.Event
	if !t.Resume && !t.Auto && t.To != game.PhasePaused {
		st.PausedPhase, st.PausedAt = 0, time.Time{}
	}
	switch {
	case t.Auto:
		if st.HostAway.IsZero() || st.AutoPacing || !st.Phase.Started() || st.Phase.Over() {
			return nil, room.Errorf(room.ErrConflict, "room %s: the host is not away from a running game", code)
		}
		if st.Phase == game.PhasePaused {
			evs = append(evs, r.resume(now))
		}
		if held(st) && st.Deadline.IsZero() {
			st.Deadline = hold(now, t.Hold)
		}
		st.AutoPacing = true
		evs = append(evs, room.Event{Type: room.EventHost, Away: true, AutoPacing: true, Phase: st.Phase})
	case t.Resume:
		if st.Phase != game.PhasePaused {
			return nil, room.Errorf(room.ErrPhase, "the game in room %s is not paused", code)
		}
		evs = append(evs, r.resume(now))
	case t.To == game.PhaseQuestion:
		if st.Phase == game.PhaseLobby {
			evs = append(evs, room.Event{Type: room.EventStarted, Players: st.Players})
		}
		st.Phase, st.Q = game.PhaseQuestion, t.Q
		st.OpensAt = now.Add(t.Read)
		st.Deadline = st.OpensAt.Add(t.Limit)
		st.Answered, st.Waiting, r.progress = 0, len(r.presence), 0
		evs = append(evs, room.Event{Type: room.EventOpened, Q: t.Q, OpensAt: st.OpensAt, Deadline: st.Deadline})
	case t.To == game.PhaseReveal:
		r.score(t.Q)
		st.Phase, st.Played = game.PhaseReveal, st.Played+1
		st.Deadline = hold(now, r.holdFor(t))
		evs = append(evs, room.Event{
			Type: room.EventRevealed, Q: t.Q, Counts: append([]int(nil), r.counts[t.Q]...),
			Answered: len(r.answers[t.Q]), Correct: r.correct[t.Q], Players: st.Players,
		})
	case t.To == game.PhaseLeaderboard:
		st.Phase, st.Deadline = game.PhaseLeaderboard, hold(now, r.holdFor(t))
		evs = append(evs, room.Event{Type: room.EventLeaderboard, Q: t.Q})
	case t.To == game.PhasePaused:
		st.PausedPhase, st.PausedAt, st.Phase = st.Phase, now, game.PhasePaused
		evs = append(evs, room.Event{Type: room.EventPaused, Phase: st.PausedPhase, Remaining: st.Remaining()})
	case t.To == game.PhaseFinished:
		st.Phase, st.Deadline = game.PhaseFinished, time.Time{}
		r.expires = now.Add(t.Retain)
		evs = append(evs, room.Event{Type: room.EventFinished, Q: st.Q, Played: st.Played, Players: st.Players})
	case t.To == game.PhaseClosed:
		st.Phase, st.Deadline = game.PhaseClosed, time.Time{}
		r.expires = now.Add(t.Retain)
		evs = append(evs, room.Event{Type: room.EventClosed, Reason: t.Reason})
	default:
		return nil, room.Errorf(room.ErrInvalid, "no transition to %v", t.To)
	}
	st.Version++
	r.appendEvent(now, evs...)
	return r.current(now), nil
}

// resume ends a pause at now, shifting the phase's times by its length,
// and returns its event. r.mu is held.
func (r *memRoom) resume(now time.Time) room.Event {
	st := &r.state
	shift := now.Sub(st.PausedAt)
	if !st.OpensAt.IsZero() {
		st.OpensAt = st.OpensAt.Add(shift)
	}
	if !st.Deadline.IsZero() {
		st.Deadline = st.Deadline.Add(shift)
	}
	st.Phase, st.PausedPhase, st.PausedAt = st.PausedPhase, 0, time.Time{}
	return room.Event{Type: room.EventResumed, Phase: st.Phase, OpensAt: st.OpensAt, Deadline: st.Deadline}
}

// holdFor is how long a reveal or leaderboard of t holds: t.Hold, or
// t.AutoHold while the room is on AUTO pacing for an away host. r.mu is
// held.
func (r *memRoom) holdFor(t room.Transition) time.Duration {
	if t.Hold <= 0 && r.state.AutoPacing {
		return t.AutoHold
	}
	return t.Hold
}

// hold is the deadline of a reveal or leaderboard: now+d, or none.
func hold(now time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return now.Add(d)
}

// score applies question q's answers to the players' totals. r.mu is held.
func (r *memRoom) score(q int) {
	kind := r.spec.Questions[q].Kind
	for id, res := range r.answers[q] {
		p := r.byID[id]
		p.score, res.Points = game.Apply(p.score, res.Points)
		if res.Correct {
			p.correctTime += res.Elapsed
			p.correctN++
		}
		if kind != game.Poll {
			p.streak, p.streakQ = res.Streak, q
		}
	}
}

// Scoreboard reads the ranked standings and question q's results.
func (s *Store) Scoreboard(_ context.Context, code string, q int) (*room.Scoreboard, error) {
	r, _, err := s.room(code)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	sb := &room.Scoreboard{Standings: make([]game.Standing, 0, r.state.Players), Results: map[string]room.Result{}}
	for _, p := range r.players {
		if p.active {
			sb.Standings = append(sb.Standings, p.standing())
		}
	}
	game.Rank(sb.Standings)
	if q >= 0 && q < len(r.answers) {
		for id, res := range r.answers[q] {
			sb.Results[id] = *res
		}
	}
	return sb, nil
}

// Report reads every player and every revealed answer.
func (s *Store) Report(_ context.Context, code string) (*room.ReportData, error) {
	r, _, err := s.room(code)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	rep := &room.ReportData{Departed: map[string]bool{}, Kicked: map[string]bool{}}
	var gone []game.Standing
	for _, p := range r.players {
		switch {
		case p.active:
			rep.Standings = append(rep.Standings, p.standing())
		default:
			gone = append(gone, p.standing())
			rep.Departed[p.ID] = p.left
			rep.Kicked[p.ID] = p.kicked
		}
	}
	game.Rank(rep.Standings)
	rep.Standings = append(rep.Standings, gone...)
	maps.DeleteFunc(rep.Departed, func(_ string, v bool) bool { return !v })
	maps.DeleteFunc(rep.Kicked, func(_ string, v bool) bool { return !v })
	for q := range r.state.Played {
		res := make([]room.Result, 0, len(r.answers[q]))
		for _, p := range r.players {
			if a, ok := r.answers[q][p.ID]; ok {
				res = append(res, *a)
			}
		}
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}
