package room

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"
)

// Subscription is one watcher's stream of frames. Next is for one
// goroutine: the stream's sender.
type Subscription struct {
	e    *Engine
	hub  *hub
	spec *Spec
	who  Identity

	pending []Frame // the snapshot or missed events, before the queue
	queue   queue   // live frames from the hub; its ready also wakes Next when the subscription ends
	last    uint64  // seq of the last frame returned
	ended   bool    // a final frame was returned

	mu       sync.Mutex    // guards err, closed, onCut, cutAfter and timer
	err      error         // why the subscription ended; nil while it goes on
	closed   bool          // Close was called
	onCut    func()        // see AfterCut
	cutAfter time.Duration // see AfterCut
	timer    *time.Timer   // runs onCut
}

// Watch subscribes who to a room's events after seq after (0: start with a
// snapshot); epoch is the room's epoch as the client knew it (0: unknown).
// ErrLost when the room's history was lost since (see lost.go); ErrInvalid
// when after is ahead of the room and the client did not say its epoch.
func (e *Engine) Watch(ctx context.Context, code string, who Identity, after, epoch uint64) (*Subscription, error) {
	spec, err := e.spec(ctx, code)
	if err != nil {
		return nil, e.gone(ctx, code, err, after, epoch)
	}
	seen := e.seenSeq(code)
	// A player's or the host's stream is counted first, in the step that
	// reads the state its snapshot shows; a spectator's only reads it.
	id, counted := member(who)
	var st *State
	if counted {
		st, err = e.connect(ctx, code, id)
	} else {
		st, err = e.store.State(ctx, code)
	}
	if err != nil {
		return nil, e.gone(ctx, code, err, after, epoch)
	}
	// uncount takes the stream out again when the watch fails after all.
	uncount := func() {
		if counted {
			e.release(code, id, false)
		}
	}
	if err := e.checkHistory(ctx, spec, st, seen, after, epoch); err != nil {
		uncount()
		return nil, err
	}
	if after > st.Seq {
		uncount()
		return nil, Errorf(ErrInvalid, "after_seq %d is ahead of the room, whose last event is %d", after, st.Seq)
	}
	s := &Subscription{e: e, spec: spec, who: who, queue: newQueue(e.cfg.QueueSize)}
	var from uint64
	for {
		if s.hub, err = e.hubFor(ctx, spec, st); err != nil {
			uncount()
			return nil, err
		}
		var ok bool
		if from, ok = s.hub.add(s); ok {
			break
		}
	}
	if err := s.catchUp(ctx, st, after, from); err != nil {
		s.hub.remove(s)
		uncount()
		return nil, err
	}
	return s, nil
}

// member is who's id in presence: players and the host count their
// streams, spectators do not.
func member(who Identity) (string, bool) {
	switch who.Role {
	case PlayerRole:
		return who.PlayerID, true
	case Host:
		return HostMember, true
	}
	return "", false
}

// catchUp fills pending with what comes before the hub's live frames (from
// on): the events after after, or a snapshot when after is 0 or they are no
// longer kept. st is the state Watch read before it joined the hub: a
// snapshot of it covers everything up to the live frames unless the hub
// dispatched events past it meanwhile.
func (s *Subscription) catchUp(ctx context.Context, st *State, after, from uint64) error {
	s.last = after
	if after > 0 {
		frames, err := s.e.replay(ctx, s.spec, s.who, after, from)
		if err == nil {
			s.pending = frames
			return nil
		}
		if !errors.Is(err, ErrTrimmed) {
			return err
		}
	}
	if st.Seq < from {
		st = nil // read again
	}
	f, err := s.e.snapshot(ctx, s.spec, s.who, st)
	if err != nil {
		return err
	}
	s.pending = []Frame{f}
	s.last = 0
	return nil
}

// replay renders the events after after up to through for one watcher.
func (e *Engine) replay(ctx context.Context, spec *Spec, who Identity, after, through uint64) ([]Frame, error) {
	var frames []Frame
	for after < through {
		evs, err := e.store.Events(ctx, spec.Code, after, int(min(through-after, 500)))
		if err != nil {
			return nil, err
		}
		if len(evs) == 0 {
			break
		}
		for i := range evs {
			ev := &evs[i]
			if ev.Seq > through {
				break
			}
			f, err := e.frame(ctx, spec, who, ev)
			if err != nil {
				return nil, err
			}
			frames = append(frames, f)
			after = ev.Seq
		}
	}
	return frames, nil
}

// frame renders one replayed event for one watcher.
func (e *Engine) frame(ctx context.Context, spec *Spec, who Identity, ev *Event) (Frame, error) {
	var sb *Scoreboard
	if ev.Personal() {
		var err error
		if sb, err = e.scoreboard(ctx, spec, ev); err != nil {
			return Frame{}, err
		}
	}
	shared, err := e.cfg.Encoder.Event(spec, ev, sb)
	if err != nil {
		return Frame{}, err
	}
	f := Frame{Seq: ev.Seq, Shared: shared, Final: finalFor(who, ev)}
	if sb != nil && who.Role == PlayerRole {
		v := sb.view(ev, who.PlayerID)
		if f.Personal, err = e.cfg.Encoder.AppendPersonal(nil, spec, ev, v); err != nil {
			return Frame{}, err
		}
	}
	return f, nil
}

// Next returns the next frame. It returns io.EOF after a final frame, and
// the hub's error (ErrSlow, ErrUnavailable, ErrShutdown …) when the watcher
// was cut off.
func (s *Subscription) Next(ctx context.Context) (Frame, error) {
	for {
		if s.ended {
			return Frame{}, io.EOF
		}
		var f Frame
		if len(s.pending) > 0 {
			f = s.pending[0]
			s.pending[0] = Frame{} // the snapshot's bytes are not kept
			if s.pending = s.pending[1:]; len(s.pending) == 0 {
				s.pending = nil
			}
		} else if q, ok := s.queue.pop(); ok {
			f = q
		} else if err := s.Err(); err != nil {
			// Frames queued before the failure went out first.
			return Frame{}, err
		} else {
			// fail wakes this too, after setting err.
			select {
			case <-s.queue.ready:
				continue
			case <-ctx.Done():
				return Frame{}, ctx.Err()
			}
		}
		if f.Seq <= s.last && s.last > 0 {
			continue // already covered by the snapshot or the replay
		}
		s.last, s.ended = f.Seq, f.Final
		return f, nil
	}
}

// Close ends the subscription. A player (or the host) stops counting as
// connected only after a grace (see Engine.closed), unless they watch
// again before, or at once when the game is over.
func (s *Subscription) Close() {
	cut := s.cut()
	s.hub.remove(s)
	s.mu.Lock()
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	s.mu.Unlock()
	s.fail(io.EOF)
	if id, ok := member(s.who); ok {
		s.e.closed(s.spec.Code, id, cut, s.hub.over.Load())
	}
}

// cut reports whether the server ended the subscription (the hub failed,
// the client was too slow, the server shuts down), rather than its
// client or the room's end.
func (s *Subscription) cut() bool {
	err := s.Err()
	return err != nil && !errors.Is(err, io.EOF)
}

// Err is why the subscription ended (ErrSlow, ErrUnavailable, ErrShutdown,
// io.EOF …), or nil while it goes on.
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// AfterCut makes f run in its own goroutine d after the subscription ends
// before Close (when the server cut it off, its stream's sender may be
// stuck writing to a client that does not read, and the stream must end
// all the same), unless Close is called first. Call it once, before Close;
// a subscription that already ended starts the wait at once.
func (s *Subscription) AfterCut(d time.Duration, f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onCut, s.cutAfter = f, d
	if s.err != nil && !s.closed {
		s.timer = time.AfterFunc(d, f)
	}
}

// push queues a live frame, cutting the watcher off when its queue is full.
func (s *Subscription) push(f Frame) {
	if !s.queue.push(f) {
		s.fail(Errorf(ErrSlow, "this client read events too slowly and fell %d behind: reconnect with after_seq", s.queue.limit))
		s.hub.remove(s)
	}
}

// queue is a watcher's live frames, from the hub to the stream's sender:
// it holds up to limit frames and grows only as far as its watcher falls
// behind (most watchers never hold more than one frame), so that thousands
// of watchers do not each keep room for limit frames.
type queue struct {
	limit int
	ready chan struct{} // holds a token once frames were pushed since the last pop found none

	mu     sync.Mutex // guards frames and head
	frames []Frame
	head   int // frames[head:] are queued
}

// keptCap is the most frames an empty queue keeps room for.
const keptCap = 4

func newQueue(limit int) queue {
	return queue{limit: limit, ready: make(chan struct{}, 1)}
}

// push adds f, or returns false when limit frames are queued.
func (q *queue) push(f Frame) bool {
	q.mu.Lock()
	if len(q.frames)-q.head >= q.limit {
		q.mu.Unlock()
		return false
	}
	q.frames = append(q.frames, f)
	q.mu.Unlock()
	q.wake()
	return true
}

// wake leaves a token in ready, unless one is there.
func (q *queue) wake() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

// pop takes the oldest frame, if any.
func (q *queue) pop() (Frame, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.head == len(q.frames) {
		return Frame{}, false
	}
	f := q.frames[q.head]
	q.frames[q.head] = Frame{} // its bytes are not kept
	if q.head++; q.head == len(q.frames) {
		q.frames, q.head = q.frames[:0], 0
		if cap(q.frames) > keptCap {
			q.frames = nil // a watcher that fell behind gives the room back
		}
	}
	return f, true
}

// fail ends the subscription with err (nil: io.EOF), and wakes Next.
func (s *Subscription) fail(err error) {
	if err == nil {
		err = io.EOF
	}
	s.mu.Lock()
	if s.err != nil {
		s.mu.Unlock()
		return
	}
	s.err = err
	if s.onCut != nil && !s.closed {
		s.timer = time.AfterFunc(s.cutAfter, s.onCut)
	}
	s.mu.Unlock()
	s.queue.wake()
}

// finalFor reports whether ev ends this watcher's stream.
func (s *Subscription) finalFor(ev *Event) bool { return finalFor(s.who, ev) }

func finalFor(who Identity, ev *Event) bool {
	switch ev.Type {
	case EventClosed:
		return true
	case EventKicked:
		return who.Role == PlayerRole && ev.Player != nil && ev.Player.ID == who.PlayerID
	}
	return false
}
