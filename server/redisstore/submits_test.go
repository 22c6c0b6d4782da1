package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// batchRoom is a room of players with question 0 open, on a redis-server
// whose scripts a test can hold (CLIENT PAUSE WRITE), so that answers
// queue behind the one in flight in an order the test decides.
type batchRoom struct {
	t    *testing.T
	ctx  context.Context
	srv  *redistest.Server
	rdb  *redis.Client // pauses and resumes the server
	s    *redisstore.Store
	spec *room.Spec
	ids  []string
}

// newBatchRoom starts a redis-server unless srv is given, and makes a room
// of n players on it, the first connected of them watching, with question
// 0 open; maxBatch configures the store.
func newBatchRoom(t *testing.T, srv *redistest.Server, n, connected, maxBatch int) *batchRoom {
	t.Helper()
	if srv == nil {
		srv = redistest.StartProcess(t) // its own server: nothing else counts, and it can be paused
	}
	f := &batchRoom{t: t, ctx: t.Context(), srv: srv, s: openWith(t, redisstore.Config{URL: srv.URL(), MaxBatch: maxBatch})}
	f.rdb = redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() {
		_ = f.rdb.Do(context.Background(), "CLIENT", "UNPAUSE").Err()
		_ = f.rdb.Close()
	})
	q := game.Question{Kind: game.SingleChoice, Text: "?", Options: []string{"a", "b", "c", "d"}, Correct: []int{1}, TimeLimit: 20 * time.Second, Points: 1000}
	f.spec = &room.Spec{Code: room.NewCode(), Questions: []game.Question{q, q}, Settings: game.Settings{}.WithDefaults(1000), HostTokenHash: "h"}
	if err := f.s.CreateRoom(f.ctx, f.spec, 10); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		p, err := f.s.Join(f.ctx, f.spec.Code, room.Join{Name: "P" + strconv.Itoa(i), NameKey: "p" + strconv.Itoa(i), TokenHash: strconv.Itoa(i)})
		if err != nil {
			t.Fatal(err)
		}
		f.ids = append(f.ids, p.ID)
		if i < connected {
			if _, err := f.s.Connect(f.ctx, f.spec.Code, room.Connection{PlayerID: p.ID, Instance: "i", Delta: 1, TTL: time.Minute}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := f.s.Advance(f.ctx, f.spec.Code, room.Transition{To: game.PhaseQuestion, Limit: q.TimeLimit}); err != nil {
		t.Fatal(err)
	}
	return f
}

// sub is the engine's submission of player id's answer choice to question
// q, worth points.
func (f *batchRoom) sub(id string, q, choice, points int) room.Submission {
	question := f.spec.Questions[q]
	a := game.Answer{Choices: []int{choice}}
	return room.Submission{PlayerID: id, Q: q, Answer: a, Grade: question.Grade(a), Kind: question.Kind, Points: points,
		Limit: question.TimeLimit, PrevScored: game.PreviousScored(f.spec.Questions, q), Scoring: f.spec.Settings.Scoring, Grace: time.Second}
}

// result is what one Submit returned.
type result struct {
	acc room.Accepted
	err error
}

// send submits sub in a goroutine of its own; its result comes on the
// channel.
func (f *batchRoom) send(ctx context.Context, sub room.Submission) <-chan result {
	out := make(chan result, 1)
	go func() {
		acc, err := f.s.Submit(ctx, f.spec.Code, sub)
		out <- result{acc, err}
	}()
	return out
}

// hold makes Redis hold every script until resume.
func (f *batchRoom) hold() {
	f.t.Helper()
	if err := f.rdb.Do(f.ctx, "CLIENT", "PAUSE", 60_000, "WRITE").Err(); err != nil {
		f.t.Fatal(err)
	}
}

func (f *batchRoom) resume() {
	f.t.Helper()
	if err := f.rdb.Do(f.ctx, "CLIENT", "UNPAUSE").Err(); err != nil {
		f.t.Fatal(err)
	}
}

// waitPending waits until the room has a script in flight and n answers
// queued behind it.
func (f *batchRoom) waitPending(n int) {
	f.t.Helper()
	for range 10_000 {
		if waiting, busy := redisstore.Pending(f.s, f.spec.Code); busy && waiting == n {
			return
		}
		time.Sleep(time.Millisecond)
	}
	waiting, busy := redisstore.Pending(f.s, f.spec.Code)
	f.t.Fatalf("answers queued: %d (a script in flight: %v), want %d behind one in flight", waiting, busy, n)
}

// queue sends subs one after the other, each once the one before is
// queued, behind the script in flight: the batch's order is theirs.
// ctxs[i], when not nil, is sub i's context.
func (f *batchRoom) queue(subs []room.Submission, ctxs []context.Context) []<-chan result {
	f.t.Helper()
	out := make([]<-chan result, len(subs))
	for i, sub := range subs {
		ctx := f.ctx
		if ctxs != nil && ctxs[i] != nil {
			ctx = ctxs[i]
		}
		out[i] = f.send(ctx, sub)
		f.waitPending(i + 1)
	}
	return out
}

// scripts counts the submit scripts run since the last reset: EVALSHA
// calls (the test's own reads are plain commands).
func (f *batchRoom) scripts() int {
	f.t.Helper()
	calls := f.srv.CommandCalls(f.t)
	if calls["eval"] != 0 {
		f.t.Errorf("%d EVAL calls: a script was loaded again", calls["eval"])
	}
	return calls["evalsha"]
}

// results reads the scoreboard of question 0 after its reveal.
func (f *batchRoom) revealed() map[string]room.Result {
	f.t.Helper()
	st, err := f.s.State(f.ctx, f.spec.Code)
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.s.Advance(f.ctx, f.spec.Code, room.Transition{Version: st.Version, To: game.PhaseReveal, Q: 0, Options: 4}); err != nil {
		f.t.Fatal(err)
	}
	sb, err := f.s.Scoreboard(f.ctx, f.spec.Code, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	return sb.Results
}

// want is the result the reveal gives sub, accepted at elapsed by a player
// with no points and no streak yet.
func want(sub room.Submission, elapsed time.Duration) room.Result {
	o := sub.Scoring.Score(sub.Points, sub.Limit, elapsed, sub.Kind, sub.Grade, 0)
	_, applied := game.Apply(0, o.Total())
	return room.Result{PlayerID: sub.PlayerID, Answer: sub.Answer, Correct: sub.Grade.Correct, Points: applied,
		Bonus: o.Bonus, Streak: o.Streak, Elapsed: elapsed}
}

// TestSubmitBatch queues answers behind one in flight, so that they go
// together in one script, and checks that each caller gets its own
// answer's result, as if the answers had gone one by one in that order:
// a duplicate in the batch (the first stands), a duplicate of an answer
// of the script before, a refused and an unknown player among accepted
// ones, one scored differently, a caller that gave up while queued (its
// answer is not sent), and the last connected player to answer (it alone
// closes the question early).
func TestSubmitBatch(t *testing.T) {
	f := newBatchRoom(t, nil, 8, 2, 0)
	g, h, a, b, c, d, e, x := f.ids[0], f.ids[1], f.ids[2], f.ids[3], f.ids[4], f.ids[5], f.ids[6], f.ids[7]
	warm := f.sub(x, 0, 1, 1000)
	wr, err := f.s.Submit(f.ctx, f.spec.Code, warm) // loads the script
	if err != nil {
		t.Fatal(err)
	}
	f.srv.ResetCommandStats(t)
	f.hold()
	lead := f.sub(a, 0, 1, 1000)
	first := f.send(f.ctx, lead)
	f.waitPending(0)
	gaveUp, cancel := context.WithCancel(f.ctx)
	subs := []room.Submission{
		f.sub(b, 0, 1, 1000),                 // 0: accepted
		f.sub(b, 0, 0, 1000),                 // 1: exists: b's first answer stands
		f.sub(c, 1, 1, 1000),                 // 2: refused: question 1 is not open
		f.sub(d, 0, 0, 1000),                 // 3: accepted, wrong
		f.sub(room.PlayerID(99), 0, 1, 1000), // 4: denied: no such player
		f.sub(e, 0, 1, 1000),                 // 5: its caller gives up while queued
		f.sub(a, 0, 0, 1000),                 // 6: exists: answered in the script before
		f.sub(x, 0, 2, 1000),                 // 7: exists: answered before
		f.sub(g, 0, 1, 2000),                 // 8: accepted, scored with its own points
		f.sub(h, 0, 1, 1000),                 // 9: accepted: the last connected player, all answered
	}
	ctxs := make([]context.Context, len(subs))
	ctxs[5] = gaveUp
	pending := f.queue(subs, ctxs)
	cancel()
	if r := <-pending[5]; !errors.Is(r.err, context.Canceled) {
		t.Errorf("a caller that gave up while queued: %+v, want context.Canceled", r)
	}
	f.waitPending(len(subs) - 1)
	f.resume()

	lr := <-first
	if lr.err != nil {
		t.Fatalf("the answer in flight: %v", lr.err)
	}
	got := make([]result, len(subs))
	for i, p := range pending {
		if i != 5 {
			got[i] = <-p
		}
	}
	if n := f.scripts(); n != 2 {
		t.Errorf("%d submit scripts for the answer in flight and %d queued behind it, want 2", n, len(subs))
	}
	for _, i := range []int{0, 3, 8, 9} {
		if got[i].err != nil {
			t.Errorf("answer %d: %v, want it accepted", i, got[i].err)
		} else if got[i].acc.Elapsed != got[0].acc.Elapsed {
			t.Errorf("answer %d: elapsed %v, want %v as every answer of its script", i, got[i].acc.Elapsed, got[0].acc.Elapsed)
		}
		if all := got[i].acc.AllAnswered; all != (i == 9) {
			t.Errorf("answer %d: all answered %v, want %v", i, all, i == 9)
		}
	}
	for i, w := range map[int]struct {
		kind error
		msg  string
	}{
		1: {room.ErrExists, "question_index 0 already answered: the first answer stands"},
		2: {room.ErrPhase, room.OtherQuestion.Err(1, 0).Error()},
		4: {room.ErrDenied, fmt.Sprintf("no player %s in room %s", room.PlayerID(99), f.spec.Code)},
		6: {room.ErrExists, "question_index 0 already answered: the first answer stands"},
		7: {room.ErrExists, "question_index 0 already answered: the first answer stands"},
	} {
		if err := got[i].err; !errors.Is(err, w.kind) || err.Error() != w.msg {
			t.Errorf("answer %d: %v, want %q (%v)", i, err, w.msg, w.kind)
		}
	}
	st, err := f.s.State(f.ctx, f.spec.Code)
	if err != nil {
		t.Fatal(err)
	}
	if st.Answered != 6 || st.Waiting != 0 {
		t.Errorf("state after the batch: %d answered, %d waiting; want 6 and 0", st.Answered, st.Waiting)
	}
	results := f.revealed()
	wantResults := map[string]room.Result{}
	for i, r := range map[int]result{0: got[0], 3: got[3], 8: got[8], 9: got[9]} {
		wantResults[subs[i].PlayerID] = want(subs[i], r.acc.Elapsed)
	}
	wantResults[a] = want(lead, lr.acc.Elapsed)
	wantResults[x] = want(warm, wr.Elapsed)
	if !reflect.DeepEqual(results, wantResults) {
		t.Errorf("revealed results:\n got %+v\nwant %+v", results, wantResults)
	}
}

// TestSubmitBatchScripts checks that answers queued behind one in flight go
// in as few scripts as the batch bound allows: two for 100 answers, eleven
// with batches of 10.
func TestSubmitBatchScripts(t *testing.T) {
	srv := redistest.StartProcess(t)
	for _, c := range []struct{ max, scripts int }{{0, 2}, {10, 11}, {1, 100}} {
		t.Run(fmt.Sprintf("at most %d", c.max), func(t *testing.T) {
			f := newBatchRoom(t, srv, 101, 0, c.max)
			if _, err := f.s.Submit(f.ctx, f.spec.Code, f.sub(f.ids[0], 0, 1, 1000)); err != nil { // loads the script
				t.Fatal(err)
			}
			f.srv.ResetCommandStats(t)
			f.hold()
			first := f.send(f.ctx, f.sub(f.ids[1], 0, 1, 1000))
			f.waitPending(0)
			var pending []<-chan result
			for _, id := range f.ids[2:] {
				pending = append(pending, f.send(f.ctx, f.sub(id, 0, 1, 1000)))
			}
			f.waitPending(len(pending))
			f.resume()
			for i, p := range append(pending, first) {
				if r := <-p; r.err != nil {
					t.Errorf("answer %d: %v", i, r.err)
				}
			}
			if n := f.scripts(); n != c.scripts {
				t.Errorf("%d submit scripts for 100 concurrent answers, want %d", n, c.scripts)
			}
		})
	}
}

// TestSubmitBatchModel queues random batches (players known and not,
// connected and not, answering twice, the wrong question, other points,
// callers giving up) behind an answer in flight and checks every result
// against answering one by one in the batch's order, then the reveal's
// scores.
func TestSubmitBatchModel(t *testing.T) {
	srv := redistest.StartProcess(t)
	for seed := range uint64(12) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(seed, 1))
			const players, connected = 6, 3
			f := newBatchRoom(t, srv, players, connected, 0)
			n := 1 + rnd.IntN(30)
			subs := make([]room.Submission, n)
			ctxs := make([]context.Context, n)
			var cancels []context.CancelFunc
			for i := range subs {
				id := room.PlayerID(99)
				if rnd.IntN(20) > 0 {
					id = f.ids[rnd.IntN(players)]
				}
				q := 0
				if rnd.IntN(8) == 0 {
					q = 1
				}
				subs[i] = f.sub(id, q, rnd.IntN(4), []int{1000, 1000, 2000, 0}[rnd.IntN(4)])
				if rnd.IntN(10) == 0 {
					var cancel context.CancelFunc
					ctxs[i], cancel = context.WithCancel(f.ctx)
					cancels = append(cancels, cancel)
				}
			}
			f.hold()
			lead := f.sub(f.ids[0], 0, 3, 1000)
			first := f.send(f.ctx, lead)
			f.waitPending(0)
			pending := f.queue(subs, ctxs)
			for _, cancel := range cancels {
				cancel()
			}
			sent := n
			for i, ctx := range ctxs {
				if ctx != nil {
					if r := <-pending[i]; !errors.Is(r.err, context.Canceled) {
						t.Errorf("answer %d, its caller gave up while queued: %v, want context.Canceled", i, r.err)
					}
					sent--
				}
			}
			f.waitPending(sent)
			f.resume()
			lr := <-first
			if lr.err != nil {
				t.Fatalf("the answer in flight: %v", lr.err)
			}

			// One by one, in order: the first answer of a player stands.
			kept := map[string]room.Submission{f.ids[0]: lead}
			waiting := connected - 1
			var elapsed time.Duration
			timed := false
			for i, sub := range subs {
				if ctxs[i] != nil {
					continue
				}
				r := <-pending[i]
				_, answered := kept[sub.PlayerID]
				known := sub.PlayerID != room.PlayerID(99)
				switch {
				case !known:
					wantKind(t, i, r.err, room.ErrDenied)
				case sub.Q != 0:
					wantKind(t, i, r.err, room.ErrPhase)
				case answered:
					wantKind(t, i, r.err, room.ErrExists)
				default:
					if r.err != nil {
						t.Errorf("answer %d: %v, want it accepted", i, r.err)
						continue
					}
					kept[sub.PlayerID] = sub
					if !timed {
						elapsed, timed = r.acc.Elapsed, true
					}
					if r.acc.Elapsed != elapsed {
						t.Errorf("answer %d: elapsed %v, want %v as the rest of its script", i, r.acc.Elapsed, elapsed)
					}
					all := false
					if slices.Index(f.ids[:connected], sub.PlayerID) >= 0 {
						waiting--
						all = waiting == 0
					}
					if r.acc.AllAnswered != all {
						t.Errorf("answer %d: all answered %v, want %v", i, r.acc.AllAnswered, all)
					}
				}
			}
			results := f.revealed()
			wantResults := map[string]room.Result{}
			for id, sub := range kept {
				e := elapsed
				if id == f.ids[0] {
					e = lr.acc.Elapsed
				}
				wantResults[id] = want(sub, e)
			}
			if !reflect.DeepEqual(results, wantResults) {
				t.Errorf("revealed results:\n got %+v\nwant %+v", results, wantResults)
			}
		})
	}
}

func wantKind(t *testing.T, i int, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("answer %d: %v, want %v", i, err, kind)
	}
}

// BenchmarkSubmitBurst measures the group commit as a big room meets it:
// 1,000 connected players answer the moment a question opens (one op is
// one such burst). It reports how long answers waited for their script
// (queued behind the script in flight: the time the script's one clock
// reading adds to theirs), the batches, and Submit's latency.
//
//	go test -run XXX -bench SubmitBurst -benchtime 20x ./server/redisstore/
func BenchmarkSubmitBurst(b *testing.B) {
	const players, questions = 1000, 50
	if b.N > questions {
		b.Fatalf("a room has %d questions to burst on: run with -benchtime=%dx at most", questions, questions)
	}
	srv := redistest.StartProcess(b)
	s := openWith(b, redisstore.Config{URL: srv.URL()})
	ctx := b.Context()
	spec, q, ids := joinedRoom(b, s, players, questions)
	for _, id := range ids {
		if _, err := s.Connect(ctx, spec.Code, room.Connection{PlayerID: id, Instance: "i", Delta: 1, TTL: time.Hour}); err != nil {
			b.Fatal(err)
		}
	}
	var mu sync.Mutex // guards waits and batches
	var waits []time.Duration
	batches := 0
	redisstore.ObserveBatches(s, func(_ int, w []time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		waits, batches = append(waits, w...), batches+1
	})
	var latencies []time.Duration
	var cpu time.Duration // Redis's, during the bursts
	move := func(to game.Phase, i int) int64 {
		st, err := s.State(ctx, spec.Code)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Advance(ctx, spec.Code, room.Transition{Version: st.Version, To: to, Q: i, Limit: q.TimeLimit, Options: 2}); err != nil {
			b.Fatal(err)
		}
		return st.Version
	}
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		move(game.PhaseQuestion, i)
		start := make(chan struct{})
		took := make([]time.Duration, players)
		var wg sync.WaitGroup
		for j, id := range ids {
			a := game.Answer{Choices: []int{j % 2}}
			sub := room.Submission{PlayerID: id, Q: i, Answer: a, Grade: q.Grade(a), Kind: q.Kind, Points: q.Points, Limit: q.TimeLimit,
				PrevScored: i - 1, Scoring: spec.Settings.Scoring, Grace: time.Second}
			wg.Go(func() {
				<-start
				t0 := time.Now()
				if _, err := s.Submit(ctx, spec.Code, sub); err != nil {
					b.Error(err)
				}
				took[j] = time.Since(t0)
			})
		}
		cpu0 := redisCPU(b, srv)
		b.StartTimer()
		close(start)
		wg.Wait()
		b.StopTimer()
		cpu += redisCPU(b, srv) - cpu0
		latencies = append(latencies, took...)
		move(game.PhaseReveal, i)
		b.StartTimer()
	}
	b.StopTimer()
	pct := func(d []time.Duration, p float64) float64 {
		slices.Sort(d)
		return float64(d[min(len(d)-1, int(p*float64(len(d))))].Microseconds())
	}
	answers := float64(b.N * players)
	b.ReportMetric(float64(b.Elapsed().Microseconds())/answers, "µs/answer")
	b.ReportMetric(float64(cpu.Microseconds())/answers, "redis-cpu-µs/answer")
	b.ReportMetric(float64(batches)/answers, "scripts/answer")
	b.ReportMetric(answers/float64(batches), "answers/script")
	b.ReportMetric(pct(waits, 0.5), "wait-p50-µs")
	b.ReportMetric(pct(waits, 0.99), "wait-p99-µs")
	b.ReportMetric(pct(waits, 1), "wait-max-µs")
	b.ReportMetric(pct(latencies, 0.5), "submit-p50-µs")
	b.ReportMetric(pct(latencies, 0.99), "submit-p99-µs")
	b.ReportMetric(0, "ns/op")
}

// redisCPU reads the CPU time srv's redis-server has used (INFO cpu).
func redisCPU(b *testing.B, srv *redistest.Server) time.Duration {
	b.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	info, err := rdb.Info(b.Context(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	var total float64
	for _, line := range strings.Split(info, "\r\n") {
		name, v, _ := strings.Cut(line, ":")
		if name == "used_cpu_sys" || name == "used_cpu_user" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatal(err)
			}
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}
