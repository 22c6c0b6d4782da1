package room_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/api"
	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/room"
)

// benchRoom is a room on a running engine with players joined.
type benchRoom struct {
	e       *room.Engine
	code    string
	players []room.Identity
	spec    *room.Spec
}

// newBenchRoom creates a host-paced room of the built-in deck (53
// questions, no leaderboards between them) with n players, on an engine
// rendering with the real protobuf encoder, on the memory store.
func newBenchRoom(b *testing.B, n int) *benchRoom {
	b.Helper()
	return newBenchRoomOn(b, memstore.New(memstore.Config{}), n)
}

// newBenchRoomOn is newBenchRoom on another store.
func newBenchRoomOn(b *testing.B, store room.Store, n int) *benchRoom {
	b.Helper()
	e, err := room.New(room.Config{
		Store:     store,
		Encoder:   api.Encoder{},
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		QueueSize: 64,
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = e.Run(ctx); close(done) }()
	b.Cleanup(func() { cancel(); <-done })
	spec, _, err := e.Create(context.Background(), room.Source{DeckID: "aws-compute"},
		game.Settings{TimeLimit: game.MaxTimeLimit, LeaderboardEvery: -1, Scoring: game.Scoring{StreakBonus: true}})
	if err != nil {
		b.Fatal(err)
	}
	r := &benchRoom{e: e, code: spec.Code, spec: spec}
	for i := range n {
		p, _, _, err := e.Join(context.Background(), spec.Code, fmt.Sprintf("player %d", i))
		if err != nil {
			b.Fatal(err)
		}
		r.players = append(r.players, room.Identity{Role: room.PlayerRole, PlayerID: p.ID, Name: p.Name})
	}
	return r
}

// fanout is one subscription per player, each read by its own goroutine, as
// the gRPC server does; it reports when every one has received a seq.
type fanout struct {
	mu      sync.Mutex // guards target and done
	target  uint64
	pending atomic.Int64
	done    chan struct{}
	stop    func()
}

func (r *benchRoom) subscribe(b *testing.B) *fanout {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f := &fanout{}
	var wg sync.WaitGroup
	for _, who := range r.players {
		s, err := r.e.Watch(ctx, r.code, who, 0, 0)
		if err != nil {
			b.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer s.Close()
			for {
				fr, err := s.Next(ctx)
				if err != nil {
					return
				}
				f.mu.Lock()
				if fr.Seq == f.target && f.pending.Add(-1) == 0 {
					close(f.done)
				}
				f.mu.Unlock()
			}
		}()
	}
	f.stop = func() { cancel(); wg.Wait() }
	b.Cleanup(f.stop)
	return f
}

// expect arms the fan-out for the event with seq.
func (f *fanout) expect(seq uint64, n int) chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.target = seq
	f.pending.Store(int64(n))
	f.done = make(chan struct{})
	return f.done
}

func (r *benchRoom) state(b *testing.B) *room.State {
	b.Helper()
	_, st, err := r.e.Info(context.Background(), r.code)
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// wait waits for a fan-out, failing the benchmark after a minute.
func wait(b *testing.B, done chan struct{}) {
	b.Helper()
	select {
	case <-done:
	case <-time.After(time.Minute):
		b.Fatal("fan-out did not complete within a minute")
	}
}

var hostIdentity = room.Identity{Role: room.Host}

// BenchmarkOpenQuestion10k opens a question for 10,000 subscribers and
// waits until every one has received it: one op is one question delivered
// to all.
func BenchmarkOpenQuestion10k(b *testing.B) {
	const n = 10000
	r := newBenchRoom(b, n)
	f := r.subscribe(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		if i%len(r.spec.Questions) == 0 && i > 0 {
			b.Fatalf("the deck has %d questions: run with -benchtime=%dx or fewer", len(r.spec.Questions), len(r.spec.Questions))
		}
		st := r.state(b)
		if st.Phase == game.PhaseQuestion {
			done := f.expect(st.Seq+1, n)
			if _, err := r.e.Close(ctx, r.code, hostIdentity); err != nil {
				b.Fatal(err)
			}
			wait(b, done)
			st = r.state(b)
		}
		next := st.Seq + 1
		if st.Phase == game.PhaseLobby {
			next++ // GameStarted comes first
		}
		done := f.expect(next, n)
		b.StartTimer()
		var err error
		if st.Phase == game.PhaseLobby {
			_, err = r.e.Start(ctx, r.code, hostIdentity)
		} else {
			_, err = r.e.Next(ctx, r.code, hostIdentity)
		}
		if err != nil {
			b.Fatal(err)
		}
		wait(b, done)
	}
}

// BenchmarkReveal10k closes a question 10,000 players answered and waits
// until every one has received the reveal with their own result: one bulk
// read, one shared rendering, 10,000 personal parts.
func BenchmarkReveal10k(b *testing.B) {
	const n = 10000
	benchReveals(b, newBenchRoom(b, n), n)
}

// BenchmarkRevealOnEachStore is BenchmarkReveal10k with 1,000 subscribers,
// on the memory store and on Redis (a redis-server the benchmark starts).
// It also reports how much of a reveal is the store's step (store-ms: until
// the host's Close returns, the reveal scored and the board read back) and
// how much the fan-out after it (fanout-ms).
func BenchmarkRevealOnEachStore(b *testing.B) {
	onEachStore(b, "", func(b *testing.B, store room.Store) {
		const n = 1000
		benchReveals(b, newBenchRoomOn(b, store, n), n)
	})
}

// onEachStore runs bench as a sub-benchmark on a new memory store, then on
// Redis (a redis-server it starts, query added to its URL).
func onEachStore(b *testing.B, query string, bench func(b *testing.B, store room.Store)) {
	b.Run("memory", func(b *testing.B) { bench(b, memstore.New(memstore.Config{})) })
	b.Run("redis", func(b *testing.B) { bench(b, redisStore(b, query)) })
}

// benchReveals reveals one question of r per op, each answered by all but
// one of its n players (so it stays open until the host closes it), and
// times the close until every subscriber has the reveal.
func benchReveals(b *testing.B, r *benchRoom, n int) {
	f := r.subscribe(b)
	ctx := context.Background()
	if _, err := r.e.Start(ctx, r.code, hostIdentity); err != nil {
		b.Fatal(err)
	}
	var store, fanout time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		if i >= len(r.spec.Questions) {
			b.Fatalf("the deck has %d questions: run with -benchtime=%dx or fewer", len(r.spec.Questions), len(r.spec.Questions))
		}
		st := r.state(b)
		if st.Phase != game.PhaseQuestion {
			done := f.expect(st.Seq+1, n)
			if _, err := r.e.Next(ctx, r.code, hostIdentity); err != nil {
				b.Fatal(err)
			}
			wait(b, done)
			st = r.state(b)
		}
		q := &r.spec.Questions[st.Q]
		for _, who := range r.players[:n-1] {
			if _, err := r.e.Submit(ctx, r.code, who, st.Q, anyAnswer(q)); err != nil {
				b.Fatal(err)
			}
		}
		st = r.state(b)
		done := f.expect(st.Seq+1, n)
		b.StartTimer()
		t0 := time.Now()
		if _, err := r.e.Close(ctx, r.code, hostIdentity); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		wait(b, done)
		store += t1.Sub(t0)
		fanout += time.Since(t1)
	}
	b.ReportMetric(float64(store.Microseconds())/1000/float64(b.N), "store-ms")
	b.ReportMetric(float64(fanout.Microseconds())/1000/float64(b.N), "fanout-ms")
}

// anyAnswer is a valid answer to q.
func anyAnswer(q *game.Question) game.Answer {
	if q.Kind == game.TypedAnswer {
		return game.Answer{Text: "lambda"}
	}
	return game.Answer{Choices: []int{0}}
}

// BenchmarkSubmit submits answers to an open question, each from another
// player, on the memory store: the engine's whole answer path (validation,
// grading, the store's atomic step), without the network.
func BenchmarkSubmit(b *testing.B) {
	const n = 10000
	r := newBenchRoom(b, n)
	ctx := context.Background()
	if _, err := r.e.Start(ctx, r.code, hostIdentity); err != nil {
		b.Fatal(err)
	}
	q := 0
	b.ResetTimer()
	for i := range b.N {
		if i > 0 && i%n == 0 {
			b.StopTimer()
			if _, err := r.e.Close(ctx, r.code, hostIdentity); err != nil {
				b.Fatal(err)
			}
			if q+1 < len(r.spec.Questions) {
				if _, err := r.e.Next(ctx, r.code, hostIdentity); err != nil {
					b.Fatal(err)
				}
			}
			if q++; q >= len(r.spec.Questions) {
				r, q = newBenchRoom(b, n), 0
				if _, err := r.e.Start(ctx, r.code, hostIdentity); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
		}
		if _, err := r.e.Submit(ctx, r.code, r.players[i%n], q, anyAnswer(&r.spec.Questions[q])); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSubmitParallel submits answers from many goroutines at once, as a
// burst of players does, on the memory store and on Redis (a redis-server
// the test starts): the engine's answer path and the store's atomic step,
// without gRPC. On Redis the answers of concurrent callers share submit
// scripts (redisstore.Store.Submit). One question takes 10,000 answers:
// run it with -benchtime=10000x.
func BenchmarkSubmitParallel(b *testing.B) {
	onEachStore(b, "?pool_size=64", func(b *testing.B, store room.Store) {
		const n = 10000
		r := newBenchRoomOn(b, store, n)
		ctx := context.Background()
		if _, err := r.e.Start(ctx, r.code, hostIdentity); err != nil {
			b.Fatal(err)
		}
		if b.N > n {
			b.Fatalf("one question takes %d answers: run with -benchtime=%dx", n, n)
		}
		var next atomic.Int64
		b.SetParallelism(32)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				who := r.players[next.Add(1)-1]
				if _, err := r.e.Submit(ctx, r.code, who, 0, anyAnswer(&r.spec.Questions[0])); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
