package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/quizroom/quizroom/server/room"
)

// DefaultMaxBatch is how many answers one submit script records at most.
// A script of 256 answers runs about a millisecond in Redis, which bounds
// how long an answer waits behind the script before it.
const DefaultMaxBatch = 256

// Submit records an answer to the open question. Concurrent answers to one
// room go together (a group commit): while a room's submit script is in
// flight, its answers queue, and the next script, sent as soon as that one
// returns, records the queue (up to Config.MaxBatch, oldest first) with one
// read of the state, one of the clock and one save. An answer that arrives
// while none is in flight is sent at once, by its own caller: no timer, no
// added wait when a room is quiet. Each caller gets its own answer's
// result; a caller whose ctx ends while its answer queues gets ctx's error,
// and the answer is not sent. The script checks the phase, the question
// and the deadline against the Redis clock and keeps the first answer of
// each player only, with what scoring it takes; the reveal scores it, with
// the player's streak then, and applies it (see Advance).
func (s *Store) Submit(ctx context.Context, code string, sub room.Submission) (room.Accepted, error) {
	answer, err := json.Marshal(sub.Answer)
	if err != nil {
		return room.Accepted{}, fmt.Errorf("encoding an answer: %w", err)
	}
	a := &pending{sub: sub, answer: answer, ready: make(chan struct{}), queued: time.Now()}
	if !s.submits.enqueue(code, a) {
		select {
		case <-a.ready:
		case <-ctx.Done():
			if s.submits.withdraw(code, a) {
				return room.Accepted{}, ctx.Err()
			}
			<-a.ready // sent already, or it leads: the result comes within one script
		}
		if !a.leads {
			return a.acc, a.err
		}
	}
	s.lead(ctx, code, a)
	return a.acc, a.err
}

// pending is an answer on its way: queued, then in a script.
type pending struct {
	sub    room.Submission
	answer []byte    // sub.Answer as JSON
	queued time.Time // when Submit queued it
	// ready is closed when acc and err are set, or when the answer leads.
	ready chan struct{}
	// leads says the answer's caller runs the next script (set under
	// submits.mu, before ready is closed).
	leads bool
	acc   room.Accepted
	err   error
}

// submits queues the answers of each room while a script of the room is in
// flight.
type submits struct {
	max    int
	mu     sync.Mutex            // guards queues and every pending's leads
	queues map[string][]*pending // room code → answers waiting; a room is here while one of its scripts is in flight or about to be
	// observe, when set (by tests and benchmarks), sees each batch as its
	// script starts.
	observe func(batch []*pending, start time.Time)
}

func newSubmits(max int) *submits {
	if max <= 0 {
		max = DefaultMaxBatch
	}
	return &submits{max: max, queues: map[string][]*pending{}}
}

// enqueue queues a for room code and reports whether a leads: no script of
// the room was in flight or about to be.
func (q *submits) enqueue(code string, a *pending) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	waiting, busy := q.queues[code]
	q.queues[code] = append(waiting, a)
	return !busy
}

// withdraw takes a, whose caller gave up, out of room code's queue, and
// reports whether it was still there (not sent, and not leading).
func (q *submits) withdraw(code string, a *pending) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	waiting := q.queues[code]
	i := slices.Index(waiting, a)
	if i < 0 || a.leads {
		return false
	}
	q.queues[code] = slices.Delete(waiting, i, i+1)
	return true
}

// take takes the next batch of room code, a first (it leads, so it is at
// the head of the queue); none when ctx ended: a then gets ctx's error,
// and the lead passes on.
func (q *submits) take(ctx context.Context, code string, a *pending) []*pending {
	q.mu.Lock()
	defer q.mu.Unlock()
	waiting := q.queues[code]
	if err := ctx.Err(); err != nil {
		a.err = err
		q.queues[code] = slices.DeleteFunc(waiting, func(b *pending) bool { return b == a })
		q.passLead(code)
		return nil
	}
	n := min(len(waiting), q.max)
	batch := slices.Clone(waiting[:n])
	q.queues[code] = slices.Delete(waiting, 0, n)
	return batch
}

// passLead makes the oldest waiting answer of room code lead the next
// script, or forgets the room when none waits. q.mu is held.
func (q *submits) passLead(code string) {
	waiting := q.queues[code]
	if len(waiting) == 0 {
		delete(q.queues, code)
		return
	}
	waiting[0].leads = true
	close(waiting[0].ready)
}

// lead runs the next script of room code, whose batch a heads, then passes
// the lead on and hands every other answer of the batch its result.
func (s *Store) lead(ctx context.Context, code string, a *pending) {
	batch := s.submits.take(ctx, code, a)
	if len(batch) == 0 {
		return
	}
	if s.submits.observe != nil {
		s.submits.observe(batch, time.Now())
	}
	// The batch holds other callers' answers: a's caller giving up must
	// not fail them (go-redis bounds the call by its own time-outs).
	s.submitBatch(context.WithoutCancel(ctx), code, batch)
	s.submits.mu.Lock()
	s.submits.passLead(code)
	s.submits.mu.Unlock()
	for _, b := range batch {
		if b != a {
			close(b.ready)
		}
	}
}

// submitBatch runs the submit script on a batch of answers to room code and
// sets each one's result.
func (s *Store) submitBatch(ctx context.Context, code string, batch []*pending) {
	keys, args := s.submitArgs(code, batch)
	r, err := s.run(ctx, scriptSubmit, keys, args...)
	if err == nil && r.status == "notfound" {
		err = notFound(code)
	}
	if err == nil && len(r.v) != len(batch)+1 {
		err = fmt.Errorf("redis: submit replied %d results for %d answers", len(r.v)-1, len(batch))
	}
	for i, b := range batch {
		if err != nil {
			b.err = err
			continue
		}
		b.acc, b.err = submitResult(code, &b.sub, &reply{v: r.list(i + 1)})
	}
}

// rule is what answers of a batch share unless the callers disagree: the
// question, the grace, and how the question scores.
type rule struct {
	q            int
	grace, limit time.Duration
	scoring      string // kind, points, limit, previous scored question, policy, streak bonus, penalty
}

// ruleOf is sub's rule.
func ruleOf(sub *room.Submission) rule {
	sc := sub.Scoring
	return rule{q: sub.Q, grace: sub.Grace, limit: sub.Limit, scoring: strings.Join([]string{
		strconv.Itoa(int(sub.Kind)), strconv.Itoa(sub.Points), strconv.FormatInt(ms(sub.Limit), 10),
		strconv.Itoa(sub.PrevScored), strconv.Itoa(int(sc.Policy)), strconv.Itoa(flag(sc.StreakBonus)),
		strconv.Itoa(sc.WrongPenalty),
	}, " ")}
}

// submitArgs are the submit script's keys and arguments for a batch of
// answers to room code: each distinct rule once, then each answer, in
// order, with the number of its rule.
func (s *Store) submitArgs(code string, batch []*pending) ([]string, []any) {
	keys := []string{s.key(code, keyState), s.key(code, keyPresence), s.key(code, keyRank), s.key(code, keyLog)}
	numbers := map[rule]int{}
	var rules []any
	each := make([]any, 0, 8*len(batch))
	for _, b := range batch {
		sub := &b.sub
		r := ruleOf(sub)
		n, ok := numbers[r]
		if !ok {
			n = len(numbers) + 1
			numbers[r] = n
			keys = append(keys, s.answersKey(code, r.q))
			rules = append(rules, r.q, ms(r.grace), ms(r.limit), r.scoring)
		}
		g := sub.Grade
		each = append(each, n, sub.PlayerID, b.answer, choices(sub.Answer),
			flag(g.Correct), flag(g.Wrong), g.Num, g.Den)
	}
	args := make([]any, 0, 1+len(rules)+len(each))
	args = append(args, len(numbers))
	return keys, append(append(args, rules...), each...)
}

// submitResult is the result of answer sub to room code from its entry in
// the script's reply.
func submitResult(code string, sub *room.Submission, r *reply) (room.Accepted, error) {
	switch r.str(0) {
	case "ok":
		acc := room.Accepted{Elapsed: msDuration(r.int(1)), AllAnswered: r.int(2) == 1, Version: r.int(3)}
		return acc, r.err
	case "denied":
		return room.Accepted{}, noPlayer(room.ErrDenied, code, sub.PlayerID)
	case "refused":
		why, open := room.Refusal(r.int(1)), int(r.int(2))
		if r.err != nil {
			return room.Accepted{}, r.err
		}
		return room.Accepted{}, why.Err(sub.Q, open)
	case "exists":
		return room.Accepted{}, room.Errorf(room.ErrExists, "question_index %d already answered: the first answer stands", sub.Q)
	}
	if r.err != nil {
		return room.Accepted{}, r.err
	}
	return room.Accepted{}, fmt.Errorf("redis: submit replied %q for an answer", r.str(0))
}
