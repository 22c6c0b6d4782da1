package room

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quizroom/quizroom/server/game"
)

// Encoder renders events for the transport. The engine calls Event once per
// event per instance and shares its bytes among every watcher of the room;
// AppendPersonal once per player watcher, only for events with a personal
// part, from several goroutines at once; SnapshotShared once per room, seq
// and view that snapshots are needed of (see sharedSnapshot), Snapshot
// once per watcher that needs one. A frame's bytes are Shared followed by Personal: the
// transport must make the concatenation one message (protobuf merges
// concatenated messages).
type Encoder interface {
	Event(spec *Spec, e *Event, sb *Scoreboard) ([]byte, error)
	// AppendPersonal appends a player's own part of e to dst and returns
	// the extended buffer: dst as it was when the player has none.
	AppendPersonal(dst []byte, spec *Spec, e *Event, v *View) ([]byte, error)
	// SnapshotShared renders the part of a snapshot that every watcher
	// with s's view (the host's, or anyone else's) of the room at s's seq
	// gets: s.Who is the host or no one.
	SnapshotShared(spec *Spec, s *Snapshot) ([]byte, error)
	// Snapshot renders s for its watcher around shared, which
	// SnapshotShared rendered for the same room, seq and view: the
	// watcher's message is head, shared and tail in a row, so that
	// watchers who join at once share shared's bytes instead of each
	// holding a copy.
	Snapshot(spec *Spec, s *Snapshot, shared []byte) (head, tail []byte, err error)
}

// View is one player's own part of an event or snapshot.
type View struct {
	Result   *Result        // their answer to the revealed question; nil when none
	Standing *game.Standing // their standing, ranked; nil when not ranked
	Gap      int            // points behind the player ahead
	Streak   int            // their current streak
	Missed   []Miss         // the game is finished: what they should study
}

// Miss is a scored question a player did not answer fully correctly.
type Miss struct {
	Q      int
	Answer *game.Answer // nil when they gave none
}

// Frame is one message for a watcher.
type Frame struct {
	Seq      uint64
	Head     []byte // this watcher's bytes before Shared, or nil
	Shared   []byte // the same bytes for every watcher of the room
	Personal []byte // this watcher's own part, after Shared, or nil
	Final    bool   // the stream ends after this frame
}

// Bytes is the frame's message in one slice: Head, Shared and Personal.
func (f Frame) Bytes() []byte {
	return append(append(append(make([]byte, 0, len(f.Head)+len(f.Shared)+len(f.Personal)), f.Head...), f.Shared...), f.Personal...)
}

// WaitMax is how long a hub's read of the log blocks before it checks on
// itself; events arrive without waiting for it.
const WaitMax = 5 * time.Second

// hub follows one room's log on this instance and fans every event out to
// the room's watchers here: one reader per room per instance, each event
// rendered once.
type hub struct {
	e      *Engine
	spec   *Spec
	cancel context.CancelFunc

	mu      sync.Mutex // guards subs, last and stopped
	subs    map[*Subscription]struct{}
	last    uint64 // seq of the last event dispatched
	stopped bool

	over atomic.Bool // the game finished or the room closed
}

// hubFor returns the room's running hub, starting one at the state's seq
// if there is none.
func (e *Engine) hubFor(ctx context.Context, spec *Spec, st *State) (*hub, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closing {
		return nil, Errorf(ErrShutdown, "the server is shutting down: reconnect to another instance")
	}
	if h, ok := e.hubs[spec.Code]; ok {
		return h, nil
	}
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h := &hub{e: e, spec: spec, cancel: cancel, subs: map[*Subscription]struct{}{}, last: st.Seq}
	h.over.Store(st.Phase.Over())
	e.hubs[spec.Code] = h
	e.wg.Add(1)
	go h.run(hctx)
	return h, nil
}

// add registers a watcher and returns the seq from which the hub will
// deliver to it, or false when the hub has stopped.
func (h *hub) add(s *Subscription) (uint64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped {
		return 0, false
	}
	h.subs[s] = struct{}{}
	return h.last, true
}

// remove drops a watcher; the last one out stops the hub.
func (h *hub) remove(s *Subscription) {
	h.mu.Lock()
	delete(h.subs, s)
	empty := len(h.subs) == 0 && !h.stopped
	h.mu.Unlock()
	if empty {
		h.stop(nil)
	}
}

// stop ends the hub; with err, every watcher ends with it.
func (h *hub) stop(err error) {
	h.mu.Lock()
	if h.stopped {
		h.mu.Unlock()
		return
	}
	if err == nil && len(h.subs) > 0 {
		h.mu.Unlock()
		return
	}
	h.stopped = true
	subs := h.subs
	h.subs = nil
	h.mu.Unlock()
	h.cancel()
	for s := range subs {
		s.fail(err)
	}
	h.e.mu.Lock()
	if h.e.hubs[h.spec.Code] == h {
		delete(h.e.hubs, h.spec.Code)
	}
	h.e.mu.Unlock()
}

// run reads the room's log and dispatches its events until stopped.
func (h *hub) run(ctx context.Context) {
	defer h.e.wg.Done()
	for {
		h.mu.Lock()
		after := h.last
		h.mu.Unlock()
		evs, err := h.e.store.Wait(ctx, h.spec.Code, after, 256, WaitMax)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			h.fail(ctx, err)
			return
		}
		for i := range evs {
			if err := h.dispatch(ctx, &evs[i]); err != nil {
				h.fail(ctx, err)
				return
			}
		}
	}
}

// fail ends the hub after a store error: watchers are told to reconnect,
// or that the room's history was lost.
func (h *hub) fail(ctx context.Context, err error) {
	switch {
	case errors.Is(err, ErrLost), errors.Is(err, ErrNotFound) && !h.over.Load():
		h.e.markLost(ctx, h.spec, err.Error())
		err = errLost(h.spec.Code)
	case errors.Is(err, ErrNotFound):
		err = Errorf(ErrNoRoom, "room %s is gone", h.spec.Code)
	case errors.Is(err, ErrTrimmed):
		err = Errorf(ErrSlow, "this server fell behind room %s: reconnect with after_seq", h.spec.Code)
	case !errors.Is(err, ErrUnavailable):
		h.e.log.Error("following a room's events", "room", h.spec.Code, "err", err)
		err = Errorf(ErrUnavailable, "the room's events cannot be read now: reconnect with after_seq")
	}
	h.stop(err)
}

// dispatch renders one event and queues it for every watcher.
func (h *hub) dispatch(ctx context.Context, ev *Event) error {
	var sb *Scoreboard
	if ev.Personal() {
		var err error
		if sb, err = h.e.scoreboard(ctx, h.spec, ev); err != nil {
			return err
		}
	}
	shared, err := h.e.cfg.Encoder.Event(h.spec, ev, sb)
	if err != nil {
		return err
	}
	h.mu.Lock()
	subs := make([]*Subscription, 0, len(h.subs))
	for s := range h.subs {
		subs = append(subs, s)
	}
	h.last = ev.Seq
	h.mu.Unlock()
	if ev.Type == EventFinished || ev.Type == EventClosed {
		h.over.Store(true)
		h.e.forgetSeen(h.spec.Code)
	} else if !h.over.Load() {
		h.e.saw(h.spec.Code, ev.Seq)
	}
	return render(h.e.cfg.Encoder, h.spec, ev, shared, sb, subs, workers(len(subs)), func(i int, f Frame) { subs[i].push(f) })
}

// minPerWorker is the fewest watchers worth a goroutine of their own when
// an event is rendered and queued.
const minPerWorker = 256

// workers is how many goroutines render and queue an event for n
// watchers: one per core, but no more than there is work for.
func workers(n int) int {
	return max(1, min(runtime.GOMAXPROCS(0), n/minPerWorker))
}

// render makes every watcher's frame of ev (shared followed by their own
// part, rendered from sb, when they are a player and sb is set) and hands
// each to deliver with its index in subs as soon as it is made. With more
// than one worker, contiguous parts of subs are rendered at the same time,
// each worker appending its players' parts to one buffer of its own
// instead of allocating each; deliver is then called from the workers,
// each watcher's frame from one of them. The frames are the same bytes
// however many workers make them.
func render(enc Encoder, spec *Spec, ev *Event, shared []byte, sb *Scoreboard, subs []*Subscription, workers int, deliver func(int, Frame)) error {
	part := func(from, to int) error {
		var (
			buf []byte
			vw  viewer
		)
		if sb != nil {
			buf = make([]byte, 0, (to-from)*personalGuess)
		}
		for i := from; i < to; i++ {
			s := subs[i]
			f := Frame{Seq: ev.Seq, Shared: shared, Final: s.finalFor(ev)}
			if sb != nil && s.who.Role == PlayerRole {
				start := len(buf)
				var err error
				if buf, err = enc.AppendPersonal(buf, spec, ev, vw.view(sb, ev, s.who.PlayerID)); err != nil {
					return err
				}
				if len(buf) > start {
					f.Personal = buf[start:len(buf):len(buf)]
				}
			}
			deliver(i, f)
		}
		return nil
	}
	if workers <= 1 {
		return part(0, len(subs))
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		from, to := w*len(subs)/workers, (w+1)*len(subs)/workers
		wg.Go(func() { errs[w] = part(from, to) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// personalGuess is about the size of one player's own part of an event, to
// size the buffers they are rendered into; a bigger part only makes its
// buffer grow.
const personalGuess = 48

// scoreboard is the one bulk read behind an event's personal parts, with
// every streak as it stands after the event's question (and, when the game
// finished, everyone's missed questions); watchers that replay the event
// soon after share it.
func (e *Engine) scoreboard(ctx context.Context, spec *Spec, ev *Event) (*Scoreboard, error) {
	e.awaitMoves(ctx, spec.Code)
	switch ev.Type {
	case EventRevealed:
		return e.board(ctx, spec, ev.Seq, ev.Q, ev.Q)
	case EventFinished:
		return e.finalBoard(ctx, spec, ev.Seq, ev.Q)
	}
	return e.board(ctx, spec, ev.Seq, -1, ev.Q)
}

// currentStreaks replaces each recorded streak with the streak as it stands
// after question q: a streak not extended at the last scored question is
// broken.
func (sb *Scoreboard) currentStreaks(spec *Spec, q int) {
	last := spec.lastScored(q)
	for i := range sb.Standings {
		st := &sb.Standings[i]
		st.Streak = game.StreakBefore(st.Streak, st.StreakQ, last)
	}
}

// index maps player ids to their place in the standings.
func (sb *Scoreboard) index() map[string]int {
	m := make(map[string]int, len(sb.Standings))
	for i := range sb.Standings {
		m[sb.Standings[i].PlayerID] = i
	}
	return m
}

// view is a player's own part of ev; sb came from Engine.board (streaks
// current, index built).
func (sb *Scoreboard) view(ev *Event, playerID string) *View {
	return new(viewer).view(sb, ev, playerID)
}

// viewer makes players' views in storage of its own that each view reuses,
// so that rendering a reveal for ten thousand players allocates no view:
// the View it returns is valid until its next call, and its Standing
// points into the scoreboard, which nobody changes.
type viewer struct {
	v View
	r Result
}

// view is a player's own part of ev, as Scoreboard.view.
func (w *viewer) view(sb *Scoreboard, ev *Event, playerID string) *View {
	w.v = View{Missed: sb.Missed[playerID]}
	if r, ok := sb.Results[playerID]; ok && ev.Type == EventRevealed {
		w.r = r
		w.v.Result = &w.r
	}
	if i, ok := sb.byID[playerID]; ok {
		w.v.Standing = &sb.Standings[i]
		w.v.Gap = game.GapToNext(sb.Standings, i)
		w.v.Streak = sb.Standings[i].Streak
	}
	return &w.v
}
