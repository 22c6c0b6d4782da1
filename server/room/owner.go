package room

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quizroom/quizroom/server/game"
)

// keepEvery is how often a room's owner renews the room's expiry
// (Store.Keep), which is Config.Idle plus Config.Retain away.
const keepEvery = time.Hour

// owner drives one room's timers on the instance that holds its lease.
type owner struct {
	cancel  context.CancelFunc
	wakeup  chan struct{} // a host call or an early close happened here
	running atomic.Bool   // the game runs, as the owner last read the room: the engine's renewals judge presence here
	read    uint64        // the seq its last read of the state showed, or its own event's right after; only drive touches it

	// The room as the owner last knew it, from its last read or a move
	// since, which a look uses instead of reading the room while nothing
	// says it changed; only drive touches them.
	known   *State
	knownAt time.Time // when the store gave it
	dirty   bool      // a notice may have been missed, or a call failed, since: read
	roster  bool      // a ping said roster changes pend since
	answers bool      // a ping said answers pend since
	// progressed is when the owner last published answer progress.
	progressed time.Time

	mu       sync.Mutex // guards handed, handedAt and mustRead
	handed   *State     // the state a move here returned since the last look
	handedAt time.Time
	mustRead bool // a call here moved the room without handing its state
}

func (o *owner) stop() { o.cancel() }

// hand gives the owner the state a move returned (Store.Advance returns
// the room as it left it, with the store's clock), which its next look
// uses instead of reading the room; nil says the room moved without one.
func (o *owner) hand(st *State) {
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case st == nil:
		o.mustRead = true
	case o.handed == nil || st.Seq >= o.handed.Seq:
		o.handed, o.handedAt = st, time.Now()
	}
}

// current returns the room's state for a look without reading it, its
// clock moved on by the time since the store gave it (age): the state the
// owner knows, when it is younger than recheck, no event past it was
// announced (notes) or seen here (seen), and no notice may have been
// missed since, with what pings said pends since. It returns nil when the
// room must be read.
func (o *owner) current(notes Notices, seen uint64, recheck time.Duration) (st *State, age time.Duration) {
	o.mu.Lock()
	handed, at, mustRead := o.handed, o.handedAt, o.mustRead
	o.handed, o.mustRead = nil, false
	o.mu.Unlock()
	if handed != nil && (o.known == nil || handed.Seq >= o.known.Seq) {
		o.known, o.knownAt = handed, at
	}
	o.dirty = o.dirty || mustRead
	if o.known == nil || o.dirty || notes == nil {
		return nil, 0
	}
	age = time.Since(o.knownAt)
	if age >= recheck || o.known.Seq < seen || notes.News(o.known.Seq) {
		return nil, 0
	}
	c := *o.known
	c.Now = c.Now.Add(age)
	c.RosterPending = c.RosterPending || o.roster
	c.ProgressPending = c.ProgressPending || o.answers && c.Phase == game.PhaseQuestion
	o.roster, o.answers = false, false
	return &c, age
}

// wrote records the seq of an event the owner appended: when nothing came
// between its last read and it, its notice needs no look.
func (o *owner) wrote(seq uint64) {
	if seq == o.read+1 {
		o.read = seq
	}
}

// published records the owner's own roster or progress event (seq; 0:
// there was nothing to publish). The state the owner knows stays known
// with done applied (nothing of that kind pends now) when the event
// directly follows it (the state then has its seq), or when there was
// nothing to publish: only the owner publishes, so the room moved on (a
// question closed), which its notice says. Else the room is read at the
// next look.
func (o *owner) published(seq uint64, done func(*State)) {
	o.wrote(seq)
	if o.known == nil || seq != 0 && seq != o.known.Seq+1 {
		o.dirty = true
		return
	}
	c := *o.known
	c.Seq = max(c.Seq, seq)
	done(&c)
	o.known = &c
}

// own starts driving a room's timers here if this instance can take its
// lease. Calling it for a room already driven here does nothing.
func (e *Engine) own(ctx context.Context, code string) {
	e.mu.Lock()
	_, running := e.owners[code]
	closing := e.closing
	e.mu.Unlock()
	if running || closing {
		return
	}
	ok, err := e.store.Lease(ctx, code, e.cfg.Instance, e.cfg.LeaseTTL)
	if err != nil || !ok {
		if err != nil && !errors.Is(err, ErrNotFound) && ctx.Err() == nil {
			e.log.Warn("taking a room lease", "room", code, "err", err)
		}
		return
	}
	octx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	o := &owner{cancel: cancel, wakeup: make(chan struct{}, 1)}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, running := e.owners[code]; running || e.closing {
		cancel()
		return
	}
	e.owners[code] = o
	e.wg.Add(1)
	go e.drive(octx, code, o)
}

// wake makes the room's owner look at the room now, if it runs here; st
// is the state a move here returned, which it looks at instead of reading
// the room, or nil.
func (e *Engine) wake(code string, st *State) {
	e.mu.Lock()
	o := e.owners[code]
	e.mu.Unlock()
	if o != nil {
		o.hand(st)
		select {
		case o.wakeup <- struct{}{}:
		default:
		}
	}
}

// drive runs a room's timers until the game is over, the lease is lost or
// the engine stops. It does not poll: it looks at the room when the state
// it knows says something is due (a deadline, the host's time away, the
// idle limit), when the room's notices say something changed
// (Store.Follow: an event, answers or a roster change to publish), when a
// call here wakes it, and every Config.Recheck in case a notice was lost. A
// look reads the room's state unless the owner knows it (owner.current):
// the state its last move returned serves until something else happens.
func (e *Engine) drive(ctx context.Context, code string, o *owner) {
	defer e.wg.Done()
	defer func() {
		e.mu.Lock()
		delete(e.owners, code)
		e.mu.Unlock()
		o.cancel()
		release, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = e.store.Release(release, code, e.cfg.Instance)
	}()
	notes, err := e.store.Follow(ctx, code)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Warn("following a room: its owner looks every tick", "room", code, "err", err)
		}
		notes = nil
	} else {
		defer notes.Close()
		// What the notices said before this instance followed them (the
		// first answers, say) is unknown: the first look reads the room,
		// not a state a move here handed it.
		o.dirty = true
	}
	renewed := time.Now()
	var kept, looked time.Time
	due := renewed // when the room's state is to be read next
	for {
		// The channel first, so that a notice after this wakes us; then
		// what the notices before it said, whatever woke us (a ping comes
		// only when work starts to pend: one left unheeded would leave
		// that work to the next recheck).
		var notice <-chan struct{}
		if notes != nil {
			notice = notes.Next()
			due = o.noticed(notes, due, looked, e.cfg.Tick)
		}
		if !time.Now().Before(due) {
			wait, done := e.step(ctx, code, o, notes)
			if done {
				return
			}
			if notes == nil {
				wait = min(wait, e.cfg.Tick) // try again soon
			}
			looked = time.Now()
			due = looked.Add(wait)
		}
		if time.Since(kept) >= keepEvery {
			// A room nobody drives any more expires after its idle time and
			// retention, as one closed for idleness would.
			if err := e.store.Keep(ctx, code, e.cfg.Idle+e.cfg.Retain); err == nil {
				kept = time.Now()
			} else if ctx.Err() == nil && !errors.Is(err, ErrNotFound) {
				e.log.Warn("keeping a room", "room", code, "err", err)
			}
		}
		if time.Since(renewed) >= e.cfg.LeaseTTL/3 {
			ok, err := e.store.Lease(ctx, code, e.cfg.Instance, e.cfg.LeaseTTL)
			if err == nil && !ok {
				e.log.Info("room lease lost to another instance", "room", code)
				return
			}
			if err == nil {
				renewed = time.Now()
			} else if time.Since(renewed) >= e.cfg.LeaseTTL {
				return
			}
		}
		timer := time.NewTimer(time.Until(earliest(due, renewed.Add(e.cfg.LeaseTTL/3))))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-o.wakeup:
			timer.Stop()
			due = time.Now()
		case <-notice:
			timer.Stop() // taken in at the top of the loop
		case <-timer.C:
		}
	}
}

// noticed takes in what the notices said since it last did (something
// changed in the store) and returns when to look again, due or sooner: at
// most once a tick however busy the room (answers and joins are counted
// and listed in batches, as often), and not for what this owner read
// already (its own events). Work a ping says pends waits a quarter of a
// tick more, so that a burst of answers or joins makes one event (or
// none, when the question closes meanwhile), not one for its first.
func (o *owner) noticed(notes Notices, due, looked time.Time, tick time.Duration) time.Time {
	news := notes.News(o.read) // before Pending takes in the pings it counts
	roster, answers, missed := notes.Pending()
	o.roster, o.answers, o.dirty = o.roster || roster, o.answers || answers, o.dirty || missed
	if !news {
		return due
	}
	at := looked.Add(tick)
	if roster || answers {
		at = latest(at, time.Now().Add(tick/4))
	}
	return earliest(due, at)
}

// step does whatever the room's clock says is due and returns how long to
// wait before the next look, or done when the room needs no owner any more.
func (e *Engine) step(ctx context.Context, code string, o *owner, notes Notices) (wait time.Duration, done bool) {
	seen := e.seenSeq(code)
	var err error
	st, age := o.current(notes, seen, e.cfg.Recheck)
	fresh := st == nil
	if fresh {
		if st, err = e.store.State(ctx, code); err == nil {
			o.known, o.knownAt, o.dirty = st, time.Now(), false
			o.roster, o.answers = false, false // the state says what pends
		}
	} else {
		// Read again once what it knows is Recheck old.
		defer func() { wait = min(wait, e.cfg.Recheck-age) }()
	}
	switch {
	case errors.Is(err, ErrNotFound):
		// A room is owned only while its game runs: gone now, it was lost.
		if spec, ok := e.cachedSpec(code); ok {
			e.markLost(ctx, spec, "the room is gone from the store")
		}
		e.forget(code)
		return 0, true
	case err != nil:
		if ctx.Err() != nil {
			return 0, true
		}
		e.log.Warn("reading a room", "room", code, "err", err)
		return e.cfg.Tick, false
	case st.Phase.Over():
		e.forgetSeen(code)
		return 0, true
	}
	spec, err := e.spec(ctx, code)
	if err != nil {
		return e.cfg.Tick, false
	}
	if rewound(st, seen) {
		e.markLost(ctx, spec, "the room's seq went back")
		return 0, true
	}
	e.saw(code, st.Seq)
	o.read = st.Seq
	if st.RosterPending {
		if seq, err := e.store.FlushRoster(ctx, code, RosterLimit); err == nil {
			o.published(seq, func(st *State) { st.RosterPending = false })
		} else {
			o.dirty = true
			e.log.Warn("publishing the roster", "room", code, "err", err)
			defer func() { wait = min(wait, e.cfg.Tick) }() // try again soon
		}
	}
	now := st.Now
	if now.Sub(st.Touched) >= e.cfg.Idle {
		if !fresh {
			// Answers touch the room without a notice: read it first.
			o.dirty = true
			return 0, false
		}
		t := e.transition(spec, st.Version, game.Step{To: game.PhaseClosed})
		t.Reason = "the room was idle for too long"
		return e.advance(ctx, o, spec, t), false
	}
	wait = min(e.cfg.Recheck, st.Touched.Add(e.cfg.Idle).Sub(now))
	// While the game runs, the engine's renewals judge the presence of
	// the other instances here (judged).
	o.running.Store(running(st.Phase))
	if at, due := autoAt(spec, st); due {
		if !now.Before(at) {
			t := Transition{Version: st.Version, Auto: true, Hold: spec.Settings.AutoHold(st.ShownPhase()), Retain: e.cfg.Retain}
			return e.advance(ctx, o, spec, t), false
		}
		wait = min(wait, at.Sub(now))
	}
	switch st.Phase {
	case game.PhaseQuestion:
		closeAt := st.Deadline.Add(e.cfg.Grace)
		if !now.Before(closeAt) {
			return e.advance(ctx, o, spec, e.transition(spec, st.Version, game.Step{To: game.PhaseReveal, Q: st.Q})), false
		}
		if st.ProgressPending {
			if early := e.progressGap(st.Players) - time.Since(o.progressed); early > 0 {
				// A big room: its progress comes later, not never.
				o.answers = true // still pending at the next look
				wait = min(wait, early)
			} else if seq, err := e.store.Progress(ctx, code); err == nil {
				o.progressed = time.Now()
				o.published(seq, func(st *State) { st.ProgressPending = false })
			} else {
				o.dirty = true
				e.log.Warn("publishing answer progress", "room", code, "err", err)
				wait = min(wait, e.cfg.Tick) // try again soon
			}
		}
		wait = min(wait, closeAt.Sub(now))
	case game.PhaseReveal, game.PhaseLeaderboard:
		if st.Deadline.IsZero() {
			break
		}
		if now.Before(st.Deadline) {
			wait = min(wait, st.Deadline.Sub(now))
			break
		}
		step, err := spec.Settings.Next(st.Phase, st.Q, len(spec.Questions))
		if err != nil {
			break
		}
		return e.advance(ctx, o, spec, e.transition(spec, st.Version, step)), false
	}
	return wait, false
}

// advance applies a timer's transition and returns how long to wait before
// the next look: none after a success (the owner looks at the state the
// move returned) or a conflict (a host call or another instance got there
// first), a tick after a failure.
func (e *Engine) advance(ctx context.Context, o *owner, spec *Spec, t Transition) time.Duration {
	st, err := e.move(ctx, spec, t)
	if err == nil {
		e.logMove(ctx, spec, t, st)
	}
	o.hand(st) // nil after a failure or a conflict: the room must be read
	if err == nil || errors.Is(err, ErrConflict) {
		return 0
	}
	if ctx.Err() == nil {
		e.log.Warn("advancing a room", "room", spec.Code, "to", t.To, "err", err)
	}
	return e.cfg.Tick
}

// autoAt is when a HOST-paced game whose host is away goes on with AUTO
// pacing; due is false when it does not (the host is here, the room is
// AUTO-paced or already on AUTO pacing, the game has not started or is
// over).
func autoAt(spec *Spec, st *State) (at time.Time, due bool) {
	if st.HostAway.IsZero() || st.AutoPacing || spec.Settings.Pacing != game.HostPaced || !running(st.Phase) {
		return time.Time{}, false
	}
	return st.HostAway.Add(spec.Settings.HostAwayLimit), true
}

// running reports whether a game is under way in phase p.
func running(p game.Phase) bool { return p.Started() && !p.Over() }

// latest is the later of two times.
func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// earliest is the earlier of two times.
func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// progressGap is how long a room of players waits after an answer-progress
// event before the next (Config.ProgressRate): none beyond the owner's
// tick, which spaces a smaller room's.
func (e *Engine) progressGap(players int) time.Duration {
	gap := time.Duration(players) * time.Second / time.Duration(e.cfg.ProgressRate)
	if gap = min(gap, MaxProgressGap); gap <= e.cfg.Tick {
		return 0
	}
	return gap
}
