package room

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/quizroom/quizroom/server/game"
)

// recheckEvery is how long an owner goes at most without reading its
// room's state, should a notice have been lost.
const recheckEvery = 5 * time.Second

// keepEvery is how often a room's owner renews the room's expiry
// (Store.Keep), which is Config.Idle plus Config.Retain away.
const keepEvery = time.Hour

// owner drives one room's timers on the instance that holds its lease.
type owner struct {
	cancel  context.CancelFunc
	wakeup  chan struct{} // a host call or an early close happened here
	running atomic.Bool   // the game runs, as the owner last read the room: the engine's renewals judge presence here
	read    uint64        // the seq its last read of the state showed, or its own event's right after; only drive touches it
}

func (o *owner) stop() { o.cancel() }

// wrote records the seq of an event the owner appended: when nothing came
// between its last read and it, its notice needs no look.
func (o *owner) wrote(seq uint64) {
	if seq == o.read+1 {
		o.read = seq
	}
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

// wake makes the room's owner look at the room now, if it runs here.
func (e *Engine) wake(code string) {
	e.mu.Lock()
	o := e.owners[code]
	e.mu.Unlock()
	if o != nil {
		select {
		case o.wakeup <- struct{}{}:
		default:
		}
	}
}

// drive runs a room's timers until the game is over, the lease is lost or
// the engine stops. It does not poll: it reads the room's state when the
// state it read last says something is due (a deadline, the host's time
// away, the idle limit), when the room's notices say something changed
// (Store.Follow: an event, answers or a roster change to publish), when a
// call here wakes it, and every recheckEvery in case a notice was lost.
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
	}
	renewed := time.Now()
	var kept, looked time.Time
	due := renewed // when the room's state is to be read next
	for {
		// Taken before the read: a notice that comes after it wakes us.
		var notice <-chan struct{}
		if notes != nil {
			notice = notes.Next()
		}
		if !time.Now().Before(due) {
			wait, done := e.step(ctx, code, o)
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
			// Something changed in the store: look again, at most once a
			// tick however busy the room (answers and joins are counted
			// and listed in batches, as often), unless it is what this
			// owner read already (its own events).
			timer.Stop()
			if notes.News(o.read) {
				due = earliest(due, looked.Add(e.cfg.Tick))
			}
		case <-timer.C:
		}
	}
}

// step does whatever the room's clock says is due and returns how long to
// wait before the next look, or done when the room needs no owner any more.
func (e *Engine) step(ctx context.Context, code string, o *owner) (wait time.Duration, done bool) {
	seen := e.seenSeq(code)
	st, err := e.store.State(ctx, code)
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
			o.wrote(seq)
		} else {
			e.log.Warn("publishing the roster", "room", code, "err", err)
			defer func() { wait = min(wait, e.cfg.Tick) }() // try again soon
		}
	}
	now := st.Now
	if now.Sub(st.Touched) >= e.cfg.Idle {
		t := e.transition(spec, st.Version, game.Step{To: game.PhaseClosed})
		t.Reason = "the room was idle for too long"
		return e.advance(ctx, spec, t), false
	}
	wait = min(recheckEvery, st.Touched.Add(e.cfg.Idle).Sub(now))
	// While the game runs, the engine's renewals judge the presence of
	// the other instances here (judged).
	o.running.Store(running(st.Phase))
	if at, due := autoAt(spec, st); due {
		if !now.Before(at) {
			t := Transition{Version: st.Version, Auto: true, Hold: spec.Settings.AutoHold(st.ShownPhase()), Retain: e.cfg.Retain}
			return e.advance(ctx, spec, t), false
		}
		wait = min(wait, at.Sub(now))
	}
	switch st.Phase {
	case game.PhaseQuestion:
		closeAt := st.Deadline.Add(e.cfg.Grace)
		if !now.Before(closeAt) {
			return e.advance(ctx, spec, e.transition(spec, st.Version, game.Step{To: game.PhaseReveal, Q: st.Q})), false
		}
		if st.ProgressPending {
			if seq, err := e.store.Progress(ctx, code); err == nil {
				o.wrote(seq)
			} else {
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
		return e.advance(ctx, spec, e.transition(spec, st.Version, step)), false
	}
	return wait, false
}

// advance applies a timer's transition and returns how long to wait before
// the next look: none after a success or a conflict (a host call or another
// instance got there first), a tick after a failure.
func (e *Engine) advance(ctx context.Context, spec *Spec, t Transition) time.Duration {
	st, err := e.store.Advance(ctx, spec.Code, t)
	if err == nil {
		e.logMove(ctx, spec, t, st)
	}
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

// earliest is the earlier of two times.
func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
