package room_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/room"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// seqEncoder renders an event as its type and seq, enough to check order.
type seqEncoder struct{}

func (seqEncoder) Event(_ *room.Spec, e *room.Event, _ *room.Scoreboard) ([]byte, error) {
	return fmt.Appendf(nil, "%d:%d", e.Type, e.Seq), nil
}

func (seqEncoder) AppendPersonal(dst []byte, _ *room.Spec, e *room.Event, v *room.View) ([]byte, error) {
	return fmt.Appendf(dst, "+you"), nil
}

func (seqEncoder) SnapshotShared(_ *room.Spec, s *room.Snapshot) ([]byte, error) {
	return fmt.Appendf(nil, "snapshot:%d", s.State.Seq), nil
}

func (seqEncoder) Snapshot(*room.Spec, *room.Snapshot, []byte) (head, tail []byte, err error) {
	return nil, nil, nil
}

// newEngine runs an engine on a fresh memory store until the test ends.
func newEngine(t *testing.T, cfg room.Config) *room.Engine {
	t.Helper()
	cfg.Store = memstore.New(memstore.Config{LogSize: 50})
	cfg.Encoder = seqEncoder{}
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	e, err := room.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return e
}

var hostID = room.Identity{Role: room.Host}

// newRoom creates a room of the built-in deck.
func newRoom(t *testing.T, e *room.Engine) string {
	t.Helper()
	spec, _, err := e.Create(context.Background(), room.Source{DeckID: "aws-compute"}, game.Settings{QuestionCount: 3})
	if err != nil {
		t.Fatal(err)
	}
	return spec.Code
}

// firstAnswer is a valid answer to the room's first question, whatever
// its kind: newRoom draws its questions at random, typed ones included.
func firstAnswer(t *testing.T, e *room.Engine, code string) game.Answer {
	t.Helper()
	spec, _, err := e.Info(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return anyAnswer(&spec.Questions[0])
}

// toggle locks and unlocks the lobby n times: 2n events.
func toggle(t *testing.T, e *room.Engine, code string, n int) {
	t.Helper()
	for range n {
		for _, locked := range []bool{true, false} {
			if _, err := e.Lock(context.Background(), code, hostID, locked); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// frames reads n frames, failing the test on an error or a long wait.
func frames(t *testing.T, s *room.Subscription, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []string
	for range n {
		f, err := s.Next(ctx)
		if err != nil {
			t.Fatalf("after %v: %v", out, err)
		}
		out = append(out, string(f.Bytes()))
	}
	return out
}

// TestSlowWatcherIsCutOff fills a watcher's queue: the hub cuts it off with
// ErrSlow rather than wait for it or drop events silently; what was queued
// still comes first.
func TestSlowWatcherIsCutOff(t *testing.T) {
	e := newEngine(t, room.Config{QueueSize: 4})
	code := newRoom(t, e)
	slow, err := e.Watch(context.Background(), code, room.Identity{Role: room.Spectator}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	reader, err := e.Watch(context.Background(), code, hostID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	frames(t, reader, 1) // its snapshot
	for i := range 10 {  // 10 events, beyond the 4 the slow watcher may queue
		if _, err := e.Lock(context.Background(), code, hostID, i%2 == 0); err != nil {
			t.Fatal(err)
		}
		if got, want := frames(t, reader, 1)[0], fmt.Sprintf("2:%d", i+1); got != want {
			t.Errorf("the reading watcher got %s, want %s", got, want)
		}
	}
	read := frames(t, slow, 5) // the snapshot and the 4 queued events
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := slow.Next(ctx); !errors.Is(err, room.ErrSlow) {
		t.Errorf("after %v: got %v, want ErrSlow", read, err)
	}
}

// TestResumeIsExact drops a watcher and resumes it after the last seq it
// saw: it gets exactly the events after it, in order.
func TestResumeIsExact(t *testing.T) {
	e := newEngine(t, room.Config{})
	code := newRoom(t, e)
	s, err := e.Watch(context.Background(), code, hostID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	toggle(t, e, code, 2)
	frames(t, s, 5) // the snapshot and the 4 events
	s.Close()
	toggle(t, e, code, 3)
	resumed, err := e.Watch(context.Background(), code, hostID, 4, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer resumed.Close()
	toggle(t, e, code, 1)
	got := frames(t, resumed, 8)
	want := []string{"2:5", "2:6", "2:7", "2:8", "2:9", "2:10", "2:11", "2:12"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("resumed after 4: got %v, want %v", got, want)
	}
}

// TestResumeBeyondLogGetsSnapshot resumes after events the store trimmed.
func TestResumeBeyondLogGetsSnapshot(t *testing.T) {
	e := newEngine(t, room.Config{})
	code := newRoom(t, e)
	toggle(t, e, code, 40) // 80 events; the store keeps 50
	s, err := e.Watch(context.Background(), code, hostID, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := frames(t, s, 1); got[0] != "snapshot:80" {
		t.Errorf("got %v, want snapshot:80", got)
	}
}

// TestClosingEndsStreams ends a room: every watcher gets the final frame,
// then io.EOF, and the room's hub stops.
func TestClosingEndsStreams(t *testing.T) {
	e := newEngine(t, room.Config{})
	code := newRoom(t, e)
	s, err := e.Watch(context.Background(), code, room.Identity{Role: room.Spectator}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := e.End(context.Background(), code, hostID); err != nil {
		t.Fatal(err)
	}
	frames(t, s, 2)
	if _, err := s.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Errorf("after the room closed: got %v, want io.EOF", err)
	}
}

// TestShutdownEndsStreams stops the engine: watchers end with ErrShutdown
// and new watches are refused.
func TestShutdownEndsStreams(t *testing.T) {
	cfg := room.Config{Store: memstore.New(memstore.Config{}), Encoder: seqEncoder{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e, err := room.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	code := newRoom(t, e)
	s, err := e.Watch(context.Background(), code, hostID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	frames(t, s, 1)
	cancel()
	<-done
	if _, err := s.Next(context.Background()); !errors.Is(err, room.ErrShutdown) {
		t.Errorf("after shutdown: got %v, want ErrShutdown", err)
	}
	if _, err := e.Watch(context.Background(), code, hostID, 0, 0); !errors.Is(err, room.ErrShutdown) {
		t.Errorf("watch after shutdown: got %v, want ErrShutdown", err)
	}
}

// TestDisconnectGrace drops a player's stream mid-question: they still
// count as connected for the grace period, so the other player's answer
// does not close the question on them; once the grace has passed without a
// reconnect, the question closes because everyone connected has answered.
func TestDisconnectGrace(t *testing.T) {
	e := newEngine(t, room.Config{DisconnectGrace: 300 * time.Millisecond})
	code := newRoom(t, e)
	ctx := context.Background()
	var players []room.Identity
	var subs []*room.Subscription
	for _, name := range []string{"Ann", "Bob"} {
		p, _, _, err := e.Join(ctx, code, name)
		if err != nil {
			t.Fatal(err)
		}
		who := room.Identity{Role: room.PlayerRole, PlayerID: p.ID, Name: p.Name}
		s, err := e.Watch(ctx, code, who, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		players, subs = append(players, who), append(subs, s)
	}
	if _, err := e.Start(ctx, code, hostID); err != nil {
		t.Fatal(err)
	}
	subs[0].Close()
	acc, err := e.Submit(ctx, code, players[1], 0, firstAnswer(t, e, code))
	if err != nil {
		t.Fatal(err)
	}
	if acc.AllAnswered {
		t.Fatal("Bob's answer closed the question while Ann was within her grace period")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, st, err := e.Info(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if st.Phase == game.PhaseReveal {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the question is still %v 10 s after Ann's grace ended", st.Phase)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// countingStore counts bulk scoreboard reads.
type countingStore struct {
	room.Store
	reads atomic.Int64
}

func (c *countingStore) Scoreboard(ctx context.Context, code string, q int) (*room.Scoreboard, error) {
	c.reads.Add(1)
	return c.Store.Scoreboard(ctx, code, q)
}

// TestSnapshotsShareOneRead has many players watch a running game at once,
// as after a server restart: their snapshots share one bulk read of the
// scoreboard instead of making one each.
func TestSnapshotsShareOneRead(t *testing.T) {
	store := &countingStore{Store: memstore.New(memstore.Config{})}
	e, err := room.New(room.Config{Store: store, Encoder: seqEncoder{}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	code := newRoom(t, e)
	var players []room.Identity
	for i := range 20 {
		p, _, _, err := e.Join(context.Background(), code, fmt.Sprintf("p%d", i))
		if err != nil {
			t.Fatal(err)
		}
		players = append(players, room.Identity{Role: room.PlayerRole, PlayerID: p.ID, Name: p.Name})
	}
	if _, err := e.Start(context.Background(), code, hostID); err != nil {
		t.Fatal(err)
	}
	before := store.reads.Load()
	moments := map[string]bool{} // a roster batch may land between two snapshots
	for _, who := range players {
		s, err := e.Watch(context.Background(), code, who, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		moments[frames(t, s, 1)[0]] = true
		s.Close()
	}
	if got := store.reads.Load() - before; got != int64(len(moments)) {
		t.Errorf("20 snapshots of %d moments made %d scoreboard reads, want one per moment", len(moments), got)
	}
}

// outStore counts the streams counted out in the store (Connect -1).
type outStore struct {
	room.Store
	outs atomic.Int32
}

func (s *outStore) Connect(ctx context.Context, code string, c room.Connection) (room.Connected, error) {
	if c.Delta < 0 {
		s.outs.Add(1)
	}
	return s.Store.Connect(ctx, code, c)
}

// TestStreamsEndingAfterTheGame checks that a stream that ends while the
// game runs is counted out in the store after its grace, and one that ends
// once the game is over is not: nothing in a room that is over depends on
// who is connected.
func TestStreamsEndingAfterTheGame(t *testing.T) {
	store := &outStore{Store: memstore.New(memstore.Config{})}
	a := startInstance(t, store, "a", room.Config{DisconnectGrace: time.Millisecond})
	spec, _, err := a.e.Create(context.Background(), room.Source{DeckID: "aws-compute"},
		game.Settings{QuestionCount: 1, Pacing: game.HostPaced})
	if err != nil {
		t.Fatal(err)
	}
	ps := joinAll(t, a.e, spec.Code, "Ann", "Bob")
	ann, bob := watch(t, a.e, spec.Code, ps[0]), watch(t, a.e, spec.Code, ps[1])
	if _, err := a.e.Start(context.Background(), spec.Code, hostID); err != nil {
		t.Fatal(err)
	}
	bob.Close()
	until(t, "Bob's stream counted out after its grace", func() bool { return store.outs.Load() == 1 })
	if _, err := a.e.End(context.Background(), spec.Code, hostID); err != nil {
		t.Fatal(err)
	}
	// Ann's stream goes on to the end of the game.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		f, err := ann.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if f.Seq >= state(t, a.e, spec.Code).Seq {
			break
		}
	}
	ann.Close()
	holds(t, "no stream counted out in the store once the game is over", 200*time.Millisecond, func() bool { return store.outs.Load() == 1 })
}
