package main

import (
	"context"
	"sync"
	"time"

	"github.com/quizroom/quizroom/bench/internal/proc"
	"github.com/quizroom/quizroom/client/conn"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// observer watches a room as a spectator and notes when the server sent
// each question and each reveal, and when each question's options opened:
// the windows in which the server's CPU is put down to deliveries and to
// answers.
type observer struct {
	mu       sync.Mutex // guards the maps
	opened   map[int32]time.Time
	opensAt  map[int32]time.Time
	revealed map[int32]time.Time
	progress []time.Time // answer progress events
	done     chan struct{}
}

// observe starts a spectator's Watch of code on c; it ends with the game,
// the stream or ctx.
func observe(ctx context.Context, c *conn.Client, code string) (*observer, error) {
	o := &observer{opened: map[int32]time.Time{}, opensAt: map[int32]time.Time{}, revealed: map[int32]time.Time{}, done: make(chan struct{})}
	stream, err := c.API.Watch(ctx, &quizv1.WatchRequest{RoomCode: code})
	if err != nil {
		return nil, err
	}
	if _, err := stream.Recv(); err != nil { // the snapshot: the spectator watches
		return nil, err
	}
	go func() {
		defer close(o.done)
		for {
			resp, err := stream.Recv()
			if err != nil {
				return
			}
			ev := resp.GetEvent()
			at := ev.GetServerTime().AsTime()
			o.mu.Lock()
			switch {
			case ev.GetQuestionOpened() != nil:
				q := ev.GetQuestionOpened()
				o.opened[q.GetIndex()], o.opensAt[q.GetIndex()] = at, q.GetOpensAt().AsTime()
			case ev.GetQuestionRevealed() != nil:
				o.revealed[ev.GetQuestionRevealed().GetIndex()] = at
			case ev.GetAnswerProgress() != nil:
				o.progress = append(o.progress, at)
			}
			o.mu.Unlock()
			if ev.GetGameFinished() != nil || ev.GetRoomClosed() != nil {
				return
			}
		}
	}()
	return o, nil
}

// costs is the servers' CPU time put down to one kind of work, and how
// many times that work was done.
type costs struct {
	cpu time.Duration
	ops int
}

// per is the CPU time per operation.
func (c costs) per() time.Duration { return proc.Per(c.cpu, int64(c.ops)) }

// serverCPU sums every sampler's CPU time in [from, to].
func serverCPU(samplers []*proc.Sampler, from, to time.Time) time.Duration {
	var d time.Duration
	for _, s := range samplers {
		d += s.Between(from, to)
	}
	return d
}

// deliveryCosts is the servers' CPU time from each event's server time
// until its last watcher had it (last, by question index), but no later
// than limit after it, when the next work of the game begins, for watchers
// deliveries each: the no-op broadcast's windows (noop.Broadcast), each
// event's own. An event no watcher had counts nothing.
func deliveryCosts(samplers []*proc.Sampler, sent, last map[int32]time.Time, limit time.Duration, watchers int) costs {
	var c costs
	for q, at := range sent {
		end, ok := last[q]
		if !ok {
			continue
		}
		if cut := at.Add(limit); end.After(cut) {
			end = cut
		}
		c.cpu += serverCPU(samplers, at, end)
		c.ops += watchers
	}
	return c
}

// answerCosts is the servers' CPU time from the moment every player
// answers (think after the options open) until the last answer of that
// question was accepted, per accepted answer, less what the answer
// progress events the server published meanwhile cost to deliver (each to
// watchers, at perDelivery).
func answerCosts(samplers []*proc.Sampler, o *observer, think time.Duration, windows map[int32][2]time.Time, accepted, watchers int, perDelivery time.Duration) costs {
	c := costs{ops: accepted}
	for q, w := range windows {
		opens, ok := o.opensAt[q]
		if !ok {
			continue
		}
		from := opens.Add(think)
		c.cpu += serverCPU(samplers, from, w[1])
		for _, at := range o.progress {
			if !at.Before(from) && !at.After(w[1]) {
				c.cpu -= time.Duration(watchers) * perDelivery
			}
		}
	}
	return c
}
