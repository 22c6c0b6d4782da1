package room_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/room"
)

// instance is one engine of a test sharing a store with others; stop
// shuts it down as SIGTERM would.
type instance struct {
	e    *room.Engine
	stop func()
}

// startInstance runs an engine called name on store until stop or the end
// of the test, with cfg's encoder or else seqEncoder.
func startInstance(t *testing.T, store room.Store, name string, cfg room.Config) *instance {
	t.Helper()
	cfg.Store, cfg.Instance = store, name
	if cfg.Encoder == nil {
		cfg.Encoder = seqEncoder{}
	}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := room.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return &instance{e: e, stop: stop}
}

// joinAll joins players called names and returns them.
func joinAll(t *testing.T, e *room.Engine, code string, names ...string) []room.Identity {
	t.Helper()
	var out []room.Identity
	for _, name := range names {
		p, _, _, err := e.Join(context.Background(), code, name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, room.Identity{Role: room.PlayerRole, PlayerID: p.ID, Name: p.Name})
	}
	return out
}

// watch subscribes who and reads the first frame.
func watch(t *testing.T, e *room.Engine, code string, who room.Identity) *room.Subscription {
	t.Helper()
	s, err := e.Watch(context.Background(), code, who, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	frames(t, s, 1)
	return s
}

// state reads the room through e.
func state(t *testing.T, e *room.Engine, code string) *room.State {
	t.Helper()
	_, st, err := e.Info(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// holds checks that cond stays true for d: the question must not close in
// that time. It returns false (and fails the test) when it does not.
func holds(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if !cond() {
			t.Fatalf("%s: no longer so after less than %v", what, d)
		}
	}
}

// until polls cond for up to 20 s.
func until(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("%s: not within 20 s", what)
		}
	}
}

// TestShutdownIsNotADeparture shuts down the instance that carries a
// player's stream while the question is open: the player keeps counting
// while they reconnect to another instance, so another player's answer
// does not close the question on them; the shutdown's hand-over then
// lapses and only the player's new stream counts.
func TestShutdownIsNotADeparture(t *testing.T) {
	store := memstore.New(memstore.Config{})
	cfg := room.Config{DisconnectGrace: 100 * time.Millisecond, ReconnectGrace: time.Second, PresenceTTL: time.Second}
	a := startInstance(t, store, "a", cfg)
	b := startInstance(t, store, "b", cfg)
	code := newRoom(t, a.e)
	ps := joinAll(t, a.e, code, "Ann", "Bob")
	watch(t, a.e, code, ps[0])
	watch(t, a.e, code, ps[1])
	if _, err := b.e.Start(context.Background(), code, hostID); err != nil {
		t.Fatal(err)
	}
	a.stop() // SIGTERM: Ann's and Bob's streams are cut
	if acc, err := b.e.Submit(context.Background(), code, ps[0], 0, firstAnswer(t, b.e, code)); err != nil || acc.AllAnswered {
		t.Fatalf("Ann's answer after the shutdown: %+v, %v; want it taken, Bob still counted", acc, err)
	}
	watch(t, b.e, code, ps[1]) // Bob is back, on b
	open := func() bool { return state(t, b.e, code).Phase == game.PhaseQuestion }
	holds(t, "the question stays open while Bob is connected", 2*cfg.ReconnectGrace, open)
	if st := state(t, b.e, code); st.Waiting != 1 {
		t.Errorf("after a's hand-over lapsed: waiting %d, want 1 (Bob, on b)", st.Waiting)
	}
	if acc, err := b.e.Submit(context.Background(), code, ps[1], 0, firstAnswer(t, b.e, code)); err != nil || !acc.AllAnswered {
		t.Errorf("Bob's answer: %+v, %v; want everyone connected answered", acc, err)
	}
}

// TestDeadInstanceStopsCounting has a player counted by an instance that
// died (it never renews its presence): once its lease lapses they stop
// counting, and the question closes when everyone else answered, long
// before its deadline.
func TestDeadInstanceStopsCounting(t *testing.T) {
	store := memstore.New(memstore.Config{})
	b := startInstance(t, store, "b", room.Config{PresenceTTL: time.Second})
	code := newRoom(t, b.e)
	ps := joinAll(t, b.e, code, "Ann", "Bob")
	watch(t, b.e, code, ps[0])
	if _, err := store.Connect(context.Background(), code, room.Connection{PlayerID: ps[1].PlayerID, Instance: "dead", Delta: 1, TTL: 500 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	st, err := b.e.Start(context.Background(), code, hostID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Waiting != 2 {
		t.Fatalf("question opened with waiting %d, want 2", st.Waiting)
	}
	if acc, err := b.e.Submit(context.Background(), code, ps[0], 0, firstAnswer(t, b.e, code)); err != nil || acc.AllAnswered {
		t.Fatalf("Ann's answer: %+v, %v; want Bob, on the dead instance, still counted", acc, err)
	}
	until(t, "the question closing once the dead instance's lease lapsed", func() bool {
		return state(t, b.e, code).Phase == game.PhaseReveal
	})
	evs, err := store.Events(context.Background(), code, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var deadline, revealed time.Time
	for _, ev := range evs {
		switch ev.Type {
		case room.EventOpened:
			deadline = ev.Deadline
		case room.EventRevealed:
			revealed = ev.Time
		}
	}
	if !revealed.Before(deadline) {
		t.Errorf("the question closed at %v, its deadline %v: want it closed early", revealed, deadline)
	}
}

// TestOwnerJudgesWithoutStreams has the room's owner hold no streams in
// it: one player counts on an instance that died, the other on one that
// lives, and once the dead instance's lease lapsed the owner's renewals
// judge it, so the question closes when the living player answered.
func TestOwnerJudgesWithoutStreams(t *testing.T) {
	store := memstore.New(memstore.Config{})
	b := startInstance(t, store, "b", room.Config{PresenceTTL: time.Second})
	code := newRoom(t, b.e)
	ps := joinAll(t, b.e, code, "Ann", "Bob")
	for i, on := range []struct {
		instance string
		ttl      time.Duration
	}{{"alive", time.Hour}, {"dead", 500 * time.Millisecond}} {
		if _, err := store.Connect(context.Background(), code, room.Connection{PlayerID: ps[i].PlayerID, Instance: on.instance, Delta: 1, TTL: on.ttl}); err != nil {
			t.Fatal(err)
		}
	}
	if st, err := b.e.Start(context.Background(), code, hostID); err != nil || st.Waiting != 2 {
		t.Fatalf("Start: %+v, %v; want 2 players waiting", st, err)
	}
	if acc, err := b.e.Submit(context.Background(), code, ps[0], 0, firstAnswer(t, b.e, code)); err != nil || acc.AllAnswered {
		t.Fatalf("Ann's answer: %+v, %v; want Bob, on the dead instance, still counted", acc, err)
	}
	until(t, "the question closing once the dead instance's lease lapsed", func() bool {
		return state(t, b.e, code).Phase == game.PhaseReveal
	})
}

// stallingStore makes every State read wait while stall is set, as calls
// queued behind a burst of others do.
type stallingStore struct {
	room.Store
	stall atomic.Bool
}

func (s *stallingStore) State(ctx context.Context, code string) (*room.State, error) {
	for s.stall.Load() && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	return s.Store.State(ctx, code)
}

// TestLeasesOutlastStalledOwners stalls a room's owner in a read of the
// state for three lease TTLs: its instance keeps the room's lease all the
// same (it renews its leases on its own), so another instance cannot take
// the room from an owner that is only slow.
func TestLeasesOutlastStalledOwners(t *testing.T) {
	mem := memstore.New(memstore.Config{})
	store := &stallingStore{Store: mem}
	const ttl = 300 * time.Millisecond
	a := startInstance(t, store, "a", room.Config{LeaseTTL: ttl, Sweep: 100 * time.Millisecond})
	code := newRoom(t, a.e)
	until(t, "a owning the room", func() bool { return a.e.Stats().Owned == 1 })
	store.stall.Store(true)
	defer store.stall.Store(false)
	toggle(t, a.e, code, 1) // the owner reads the state after the events: it stalls
	time.Sleep(3 * ttl)
	if ok, err := mem.Lease(context.Background(), code, "b", time.Minute); ok || err != nil {
		t.Errorf("b's Lease of the stalled owner's room: %v, %v; want a to keep it", ok, err)
	}
}

// TestStuckWatcherIsReleased has a player whose client stops reading: the
// engine cuts the subscription off (Done, ErrSlow) instead of keeping it,
// lets its hub go, and the cut is not a departure: the player keeps
// counting beyond DisconnectGrace.
func TestStuckWatcherIsReleased(t *testing.T) {
	e := newEngine(t, room.Config{QueueSize: 8, DisconnectGrace: 50 * time.Millisecond, ReconnectGrace: time.Minute})
	code := newRoom(t, e)
	ps := joinAll(t, e, code, "Ann", "Bob")
	stuck := watch(t, e, code, ps[0])
	reader := watch(t, e, code, ps[1])
	ctx, cancel := context.WithCancel(context.Background())
	read := make(chan struct{})
	var seen atomic.Uint64 // the reader's last seq
	var readErr atomic.Value
	go func() {
		defer close(read)
		for {
			f, err := reader.Next(ctx)
			if err != nil {
				readErr.Store(err)
				return
			}
			seen.Store(f.Seq)
		}
	}()
	defer func() { cancel(); <-read }()
	st, err := e.Start(context.Background(), code, hostID)
	if err != nil {
		t.Fatal(err)
	}
	until(t, "the reading watcher keeping up", func() bool { return seen.Load() >= st.Seq })
	for i := 0; stuck.Err() == nil; i++ {
		if i > 100 {
			t.Fatal("100 events later the stuck watcher is still subscribed")
		}
		if _, err := e.Pause(context.Background(), code, hostID); err != nil {
			t.Fatal(err)
		}
		st, err := e.Resume(context.Background(), code, hostID)
		if err != nil {
			t.Fatal(err)
		}
		until(t, "the reading watcher keeping up", func() bool { return seen.Load() >= st.Seq })
	}
	if err := stuck.Err(); !errors.Is(err, room.ErrSlow) {
		t.Errorf("the stuck watcher ended with %v, want ErrSlow", err)
	}
	if got := e.Stats().Watchers; got != 1 {
		t.Errorf("watchers after the stuck one was cut: %d, want 1 (the reader ended with %v)", got, readErr.Load())
	}
	stuck.Close()
	holds(t, "Ann, cut off, still counts", 300*time.Millisecond, func() bool { return state(t, e, code).Waiting == 2 })
}

// lossyStore is a store that loses one room's data when told to: until
// then, and once the room was marked lost, it passes every call through.
type lossyStore struct {
	room.Store
	code atomic.Value // the room it loses, a string
	gone atomic.Bool
}

func (s *lossyStore) lost(code string) error {
	if s.gone.Load() && s.code.Load() == code {
		return room.NoRoom(code)
	}
	return nil
}

func (s *lossyStore) State(ctx context.Context, code string) (*room.State, error) {
	if err := s.lost(code); err != nil {
		return nil, err
	}
	return s.Store.State(ctx, code)
}

func (s *lossyStore) Wait(ctx context.Context, code string, after uint64, max int, wait time.Duration) ([]room.Event, error) {
	if err := s.lost(code); err != nil {
		return nil, err
	}
	return s.Store.Wait(ctx, code, after, max, wait)
}

func (s *lossyStore) MarkLost(ctx context.Context, spec *room.Spec, reason string, retain time.Duration) (*room.State, error) {
	s.gone.Store(false)
	return s.Store.MarkLost(ctx, spec, reason, retain)
}

// TestHistoryLostIsLoud loses a running room from the store: watchers end
// with ErrLost, the room is closed and marked lost (with a new epoch),
// the engine counts it, and a client that resumes with the old epoch is
// told, never handed a different history.
func TestHistoryLostIsLoud(t *testing.T) {
	store := &lossyStore{Store: memstore.New(memstore.Config{})}
	inst := startInstance(t, store, "a", room.Config{})
	e := inst.e
	code := newRoom(t, e)
	store.code.Store(code)
	ps := joinAll(t, e, code, "Ann")
	s := watch(t, e, code, ps[0])
	if _, err := e.Start(context.Background(), code, hostID); err != nil {
		t.Fatal(err)
	}
	frames(t, s, 2) // started, opened
	before := state(t, e, code)
	store.gone.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		_, err := s.Next(ctx)
		if err == nil {
			continue
		}
		if !errors.Is(err, room.ErrLost) {
			t.Fatalf("the watcher ended with %v, want ErrLost", err)
		}
		break
	}
	var st *room.State
	until(t, "the room recorded as lost", func() bool { // another goroutine may still be recording it
		_, st, _ = e.Info(context.Background(), code)
		return st != nil && st.Lost
	})
	if st.Phase != game.PhaseClosed || st.Epoch == before.Epoch {
		t.Errorf("the room after its history was lost: %+v; want it lost, closed, with a new epoch", st)
	}
	if got := e.Stats().Lost; got != 1 {
		t.Errorf("Stats().Lost = %d, want 1", got)
	}
	if _, err := e.Watch(context.Background(), code, ps[0], before.Seq, before.Epoch); !errors.Is(err, room.ErrLost) {
		t.Errorf("resuming with the old epoch: %v, want ErrLost", err)
	}
	rep, err := e.Report(context.Background(), code, hostID)
	if err != nil || !rep.State.Lost {
		t.Errorf("report of the lost room: lost %v, %v; want it to say so", rep != nil && rep.State.Lost, err)
	}
}

// TestClientEpochMismatchIsNotTrusted resumes with an epoch and a seq the
// room never had: the stream is refused with ErrLost, but the room, which
// this instance saw whole, goes on (anyone can send any numbers).
func TestClientEpochMismatchIsNotTrusted(t *testing.T) {
	e := newEngine(t, room.Config{})
	code := newRoom(t, e)
	toggle(t, e, code, 2)
	st := state(t, e, code)
	for _, tc := range []struct{ after, epoch uint64 }{{2, st.Epoch + 1}, {st.Seq + 5, st.Epoch}} {
		_, err := e.Watch(context.Background(), code, hostID, tc.after, tc.epoch)
		if !errors.Is(err, room.ErrLost) {
			t.Errorf("Watch after %d in epoch %d: %v, want ErrLost", tc.after, tc.epoch, err)
			continue
		}
		// The client learns what it sent and what the room has, and that
		// the fault may be its own.
		sent := fmt.Sprintf("(epoch %d, after_seq %d; the room is at epoch %d, seq ", tc.epoch, tc.after, st.Epoch)
		if msg := err.Error(); !strings.Contains(msg, sent) || !strings.Contains(msg, "the client sent another room's epoch or seq") {
			t.Errorf("Watch after %d in epoch %d: %q, want it to hold %q and the client's possible fault", tc.after, tc.epoch, msg, sent)
		}
	}
	if got := state(t, e, code); got.Lost || got.Phase != game.PhaseLobby || e.Stats().Lost != 0 {
		t.Errorf("the room after a client's claim: %+v, lost count %d; want it untouched", got, e.Stats().Lost)
	}
}

// TestExpiredRoomIsNotLost watches a finished room until it expires: the
// watcher is told the room is gone, and nothing is counted as lost.
func TestExpiredRoomIsNotLost(t *testing.T) {
	e := newEngine(t, room.Config{Retain: 500 * time.Millisecond})
	code := newRoom(t, e)
	if _, err := e.Start(context.Background(), code, hostID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.End(context.Background(), code, hostID); err != nil { // finished: not a final event
		t.Fatal(err)
	}
	s, err := e.Watch(context.Background(), code, room.Identity{Role: room.Spectator}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		_, err := s.Next(ctx)
		if err == nil {
			continue
		}
		if errors.Is(err, room.ErrLost) {
			t.Errorf("the watcher of an expired room ended with %v, want it not lost", err)
		}
		break
	}
	if got := e.Stats().Lost; got != 0 {
		t.Errorf("Stats().Lost = %d after a room expired, want 0", got)
	}
}
