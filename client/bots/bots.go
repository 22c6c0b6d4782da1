// Package bots simulates players to load-test a Quizroom server: each bot
// has its own gRPC connection, joins a room, follows its events (reconnecting
// like the CLI does) and answers every question after a random think time.
// Run measures join times, event delivery latency per event type (arrival
// minus the event's server time) and answer round trips.
//
// Bots cannot know an answer before the reveal: the server never sends it.
// Without a Key they answer at random and the result reports the accuracy
// they happened to reach; with a Key (the deck, loaded locally) they answer
// correctly with probability Accuracy.
package bots

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
	"google.golang.org/grpc/codes"

	"github.com/quizroom/quizroom/client/conn"
	"github.com/quizroom/quizroom/client/control"
	"github.com/quizroom/quizroom/client/state"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Config configures a run. Zero fields get the documented defaults.
type Config struct {
	// Dial makes a new connection; each bot calls it once. Required.
	Dial func() (*conn.Client, error)
	// Code is the room to join. Required.
	Code string
	// N is how many bots join; default 1.
	N int
	// Key lets bots answer correctly on purpose; nil: random answers.
	Key *Key
	// Accuracy is the chance, with a Key, that a bot answers correctly.
	Accuracy float64
	// Think is the mean time a bot takes to answer once the options open;
	// each answer takes 0.5 to 1.5 times it, and never past the deadline.
	// Default 2 s.
	Think time.Duration
	// Burst makes every bot answer exactly Think after the options open, all
	// at once, instead of after 0.5 to 1.5 times Think: the answers then
	// measure how fast the server takes them, not how fast bots think.
	Burst bool
	// JoinRate is how many bots join per second, to stay under the
	// server's per-address limit; 0: as fast as they can.
	JoinRate float64
	// Name prefixes the bots' names ("bot" gives bot-0001 …).
	Name string
	// Seed makes the bots' choices repeatable; 0 draws one.
	Seed uint64
	// Start, when set, is called once every bot is watching the room (it
	// got its first event) or has failed to join, to start the game.
	Start func(context.Context) error
	// Progress, when set, gets a line when the bots have joined, when a
	// question opens and when the game ends.
	Progress func(string)
}

// Result is what a run measured.
type Result struct {
	// Bots is how many bots ran; Joined how many joined.
	Bots, Joined int
	// JoinWall is the time from the start of the run to the last join.
	JoinWall time.Duration
	// Join summarizes JoinRoom round trips.
	Join Summary
	// FirstEvent summarizes the time from a Watch call to its first event.
	FirstEvent Summary
	// Latency summarizes, per event type (question_opened, …), the arrival
	// time minus the event's server time. Bots share the server's clock
	// only on the same machine; elsewhere this includes the clocks' skew.
	Latency map[string]Summary
	// Answer summarizes SubmitAnswer round trips.
	Answer Summary
	// AnswerWindow is, summed over the questions, the time from the first
	// accepted answer to the last: Accepted / AnswerWindow is the rate the
	// server took answers at while they came in.
	AnswerWindow time.Duration
	// Windows holds, by question index, the times of the first and the last
	// accepted answer, for callers that merge the runs of several rooms.
	Windows map[int32][2]time.Time `json:"-"`
	// LastArrivals holds, by event name (question_opened,
	// question_revealed) and question index, when the last bot received
	// that event: where each event's delivery ended, for callers that put
	// the server's work down to it.
	LastArrivals map[string]map[int32]time.Time `json:"-"`
	// Answers counts answers sent; Accepted those accepted; Late those
	// refused because the question had closed (not an error).
	Answers, Accepted, Late int
	// Results counts reveals with an answer of the bot's; Correct the
	// correct ones.
	Results, Correct int
	// Finished counts bots that saw the game end; Kicked those removed by
	// the host.
	Finished, Kicked int
	// Samples holds every measured duration by name ("join", "answer",
	// "first_event" and the event types), for callers that merge runs.
	Samples map[string][]time.Duration `json:"-"`
	// Reconnects counts the times a bot's stream dropped and it watched
	// again.
	Reconnects int
	// Errors counts unexpected errors; ErrorSamples holds the first few.
	Errors       int
	ErrorSamples []string
}

// maxErrorSamples is how many error messages a Result keeps.
const maxErrorSamples = 10

// Run runs the bots until each has seen the game end, failed, or ctx ends.
func Run(ctx context.Context, cfg Config) *Result {
	if cfg.N <= 0 {
		cfg.N = 1
	}
	if cfg.Think <= 0 {
		cfg.Think = 2 * time.Second
	}
	if cfg.Name == "" {
		cfg.Name = "bot"
	}
	if cfg.Seed == 0 {
		cfg.Seed = rand.Uint64()
	}
	if cfg.Progress == nil {
		cfg.Progress = func(string) {}
	}
	r := &run{cfg: cfg, waiting: cfg.N, windows: map[int32][2]time.Time{}, arrivals: map[string]map[int32]time.Time{}}
	limit := rate.Inf
	if cfg.JoinRate > 0 {
		limit = rate.Limit(cfg.JoinRate)
	}
	r.limiter = rate.NewLimiter(limit, 1)
	r.started = time.Now()
	var wg sync.WaitGroup
	for i := range cfg.N {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := &bot{run: r, name: fmt.Sprintf("%s-%04d", cfg.Name, i+1), rng: rand.New(rand.NewPCG(cfg.Seed, uint64(i)))}
			b.play(ctx)
		}()
	}
	wg.Wait()
	return r.result()
}

// run is the state the bots of one Run share.
type run struct {
	cfg     Config
	limiter *rate.Limiter
	started time.Time
	times   samples // join, first_event, answer and event latencies

	waiting      int // bots not watching yet that have not failed; guarded by mu
	joined       atomic.Int64
	lastJoin     atomic.Int64 // unix nanos of the last join
	answers      atomic.Int64
	accepted     atomic.Int64
	late         atomic.Int64
	results      atomic.Int64
	correct      atomic.Int64
	finished     atomic.Int64
	kicked       atomic.Int64
	reconnects   atomic.Int64
	lastQuestion atomic.Int32 // highest question index reported, plus 1

	mu       sync.Mutex // guards waiting, errors, errs, windows and arrivals
	errors   int
	errs     []string
	windows  map[int32][2]time.Time         // first and last accepted answer, by question
	arrivals map[string]map[int32]time.Time // last arrival by event name and question
}

// arrived records that a bot received question q's event name at t.
func (r *run) arrived(name string, q int32, t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	byQ, ok := r.arrivals[name]
	if !ok {
		byQ = map[int32]time.Time{}
		r.arrivals[name] = byQ
	}
	if t.After(byQ[q]) {
		byQ[q] = t
	}
}

// accept records an accepted answer to question q at t.
func (r *run) accept(q int32, t time.Time) {
	r.accepted.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	w, ok := r.windows[q]
	if !ok {
		w = [2]time.Time{t, t}
	}
	if t.Before(w[0]) {
		w[0] = t
	}
	if t.After(w[1]) {
		w[1] = t
	}
	r.windows[q] = w
}

// fail records an unexpected error.
func (r *run) fail(who string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors++
	if len(r.errs) < maxErrorSamples {
		r.errs = append(r.errs, who+": "+err.Error())
	}
}

// ready counts a bot that is watching or failed to join; the last one
// starts the game when Config.Start asks for it.
func (r *run) ready(ctx context.Context) {
	r.mu.Lock()
	r.waiting--
	last := r.waiting == 0
	r.mu.Unlock()
	if !last {
		return
	}
	r.cfg.Progress(fmt.Sprintf("joined %d/%d in %s", r.joined.Load(), r.cfg.N, time.Since(r.started).Round(time.Millisecond)))
	if r.cfg.Start != nil {
		if err := r.cfg.Start(ctx); err != nil && ctx.Err() == nil {
			r.fail("start", err)
		}
	}
}

func (r *run) result() *Result {
	res := &Result{
		Bots: r.cfg.N, Joined: int(r.joined.Load()),
		Answers: int(r.answers.Load()), Accepted: int(r.accepted.Load()), Late: int(r.late.Load()),
		Results: int(r.results.Load()), Correct: int(r.correct.Load()),
		Finished: int(r.finished.Load()), Kicked: int(r.kicked.Load()), Reconnects: int(r.reconnects.Load()),
		Latency: map[string]Summary{},
	}
	if last := r.lastJoin.Load(); last > 0 {
		res.JoinWall = time.Unix(0, last).Sub(r.started)
	}
	res.Samples = r.times.raw()
	for name, s := range r.times.summaries() {
		switch name {
		case "join":
			res.Join = s
		case "first_event":
			res.FirstEvent = s
		case "answer":
			res.Answer = s
		default:
			res.Latency[name] = s
		}
	}
	r.mu.Lock()
	res.Errors, res.ErrorSamples = r.errors, r.errs
	res.Windows = maps.Clone(r.windows)
	res.LastArrivals = map[string]map[int32]time.Time{}
	for name, byQ := range r.arrivals {
		res.LastArrivals[name] = maps.Clone(byQ)
	}
	for _, w := range r.windows {
		res.AnswerWindow += w[1].Sub(w[0])
	}
	r.mu.Unlock()
	return res
}

// bot is one simulated player.
type bot struct {
	run  *run
	name string
	rng  *rand.Rand // used by the bot's own goroutine only

	client *conn.Client
	code   string
	room   state.Room
	done   bool // saw the game end

	answering context.CancelFunc // cancels the pending answer
	wg        sync.WaitGroup     // the pending answer
}

// play joins, follows the room and answers until the game ends.
func (b *bot) play(ctx context.Context) {
	r := b.run
	c, err := b.join(ctx)
	if err != nil {
		r.ready(ctx)
		if ctx.Err() == nil {
			r.fail(b.name, err)
		}
		return
	}
	defer c.Close()
	defer b.wg.Wait()
	defer b.cancelAnswer()
	b.client = c
	watchStart := time.Now()
	first := true
	err = c.Follow(ctx, conn.FollowConfig{Code: b.code}, func(u conn.Update) bool {
		if u.Event == nil {
			r.reconnects.Add(1)
			return true
		}
		if first {
			r.times.add("first_event", u.Received.Sub(watchStart))
			first = false
			more := b.handle(ctx, u.Event, u.Personal, u.Received)
			r.ready(ctx)
			return more
		}
		return b.handle(ctx, u.Event, u.Personal, u.Received)
	})
	if first {
		r.ready(ctx) // never watched: do not hold up the start
	}
	switch {
	case ctx.Err() != nil:
	case err != nil:
		r.fail(b.name, err)
	case !b.done:
		r.fail(b.name, errors.New("the stream ended before the game did"))
	}
}

// join dials and joins, retrying a few times when the server says to slow
// down.
func (b *bot) join(ctx context.Context) (*conn.Client, error) {
	r := b.run
	c, err := r.cfg.Dial()
	if err != nil {
		return nil, err
	}
	const attempts = 5
	for attempt := 1; ; attempt++ {
		if err := r.limiter.Wait(ctx); err != nil {
			c.Close()
			return nil, err
		}
		start := time.Now()
		cctx, cancel := c.Call(ctx)
		resp, err := c.API.JoinRoom(cctx, &quizv1.JoinRoomRequest{RoomCode: r.cfg.Code, Name: b.name})
		cancel()
		if err == nil {
			now := time.Now()
			r.times.add("join", now.Sub(start))
			r.joined.Add(1)
			r.lastJoin.Store(now.UnixNano())
			b.code = resp.GetRoom().GetCode()
			return c.WithToken(resp.GetPlayerToken()), nil
		}
		err = conn.Explain(err, "joining room "+r.cfg.Code, c.Addr())
		if conn.Code(err) != codes.ResourceExhausted || attempt == attempts {
			c.Close()
			return nil, err
		}
		t := time.NewTimer(time.Duration(attempt) * 200 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			c.Close()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// handle applies an event; it returns false once the bot is done.
func (b *bot) handle(ctx context.Context, ev *quizv1.Event, personal *quizv1.Personal, received time.Time) bool {
	r := b.run
	if st := ev.GetServerTime(); st != nil {
		name := eventName(ev)
		r.times.add(name, received.Sub(st.AsTime()))
		switch p := ev.GetPayload().(type) {
		case *quizv1.Event_QuestionOpened:
			r.arrived(name, p.QuestionOpened.GetIndex(), received)
		case *quizv1.Event_QuestionRevealed:
			r.arrived(name, p.QuestionRevealed.GetIndex(), received)
		}
	}
	b.room.Apply(ev, personal, received)
	switch ev.GetPayload().(type) {
	case *quizv1.Event_Snapshot, *quizv1.Event_QuestionOpened:
		if b.room.Phase == quizv1.Phase_PHASE_QUESTION && !b.room.Answered {
			b.answer(ctx, b.room.Question)
			q := b.room.Question.GetIndex() + 1
			if prev := r.lastQuestion.Load(); prev < q && r.lastQuestion.CompareAndSwap(prev, q) {
				r.cfg.Progress(fmt.Sprintf("question %d/%d", q, b.room.Question.GetCount()))
			}
		}
	case *quizv1.Event_QuestionRevealed:
		b.cancelAnswer()
		if you := personal.GetResult(); you.GetAnswered() {
			r.results.Add(1)
			if you.GetCorrect() {
				r.correct.Add(1)
			}
		}
	}
	switch {
	case b.room.Kicked:
		r.kicked.Add(1)
	case b.room.Over():
		r.finished.Add(1)
	default:
		return true
	}
	b.done = true
	return false
}

// answer schedules the bot's answer to q after its think time.
func (b *bot) answer(ctx context.Context, q *quizv1.QuestionOpened) {
	b.cancelAnswer()
	r := b.run
	now := time.Now()
	think := r.cfg.Think
	if !r.cfg.Burst {
		think = time.Duration(float64(r.cfg.Think) * (0.5 + b.rng.Float64()))
	}
	wait := max(b.room.OpensIn(now), 0) + think
	if r.cfg.Burst {
		wait = max(b.room.OpensIn(now)+think, 0) // the same server time for every bot
	}
	if left := b.room.Remaining(now) - 200*time.Millisecond; wait > left {
		wait = max(left, max(b.room.OpensIn(now), 0))
	}
	a := b.choose(q)
	actx, cancel := context.WithCancel(ctx)
	b.answering = cancel
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t := time.NewTimer(wait)
		defer t.Stop()
		select {
		case <-actx.Done():
			return
		case <-t.C:
		}
		r.answers.Add(1)
		start := time.Now()
		// As the CLI does: retried while the connection is down.
		_, err := control.Submit(actx, b.client, b.code, q.GetIndex(), a)
		switch code := conn.Code(err); {
		case err == nil:
			now := time.Now()
			r.times.add("answer", now.Sub(start))
			r.accept(q.GetIndex(), now)
		case code == codes.FailedPrecondition:
			r.late.Add(1) // the question closed first: everyone else answered, or the deadline passed
		case actx.Err() != nil:
		default:
			r.fail(b.name, fmt.Errorf("question %d: %w", q.GetIndex()+1, err))
		}
	}()
}

// cancelAnswer drops the pending answer, if any.
func (b *bot) cancelAnswer() {
	if b.answering != nil {
		b.answering()
		b.answering = nil
	}
}

// choose picks the bot's answer to q.
func (b *bot) choose(q *quizv1.QuestionOpened) *quizv1.Answer {
	n := len(q.GetOptions())
	sol, known := b.run.cfg.Key.lookup(q)
	right := known && b.rng.Float64() < b.run.cfg.Accuracy
	switch q.GetKind() {
	case quizv1.QuestionKind_QUESTION_KIND_TYPED_ANSWER:
		if right {
			return &quizv1.Answer{Text: sol.accepted}
		}
		return &quizv1.Answer{Text: "no idea"}
	case quizv1.QuestionKind_QUESTION_KIND_MULTIPLE_SELECT:
		if right && len(sol.correct) > 0 {
			return &quizv1.Answer{Choices: sol.correct}
		}
		for range 100 {
			var set []int32
			for i := range n {
				if b.rng.IntN(2) == 1 {
					set = append(set, int32(i))
				}
			}
			// Without a key any non-empty set will do; with one, a wrong set.
			if len(set) > 0 && (!known || !equal(set, sol.correct)) {
				return &quizv1.Answer{Choices: set}
			}
		}
		return &quizv1.Answer{Choices: []int32{0}}
	}
	if right && len(sol.correct) == 1 {
		return &quizv1.Answer{Choices: sol.correct}
	}
	if known && len(sol.correct) == 1 && n > 1 {
		// A wrong option, on purpose.
		c := int32(b.rng.IntN(n - 1))
		if c >= sol.correct[0] {
			c++
		}
		return &quizv1.Answer{Choices: []int32{c}}
	}
	return &quizv1.Answer{Choices: []int32{int32(b.rng.IntN(max(n, 1)))}}
}

func equal(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// eventName names an event's type as the proto's oneof field does.
func eventName(ev *quizv1.Event) string {
	p := ev.ProtoReflect()
	if fd := p.WhichOneof(p.Descriptor().Oneofs().ByName("payload")); fd != nil {
		return string(fd.Name())
	}
	return "unknown"
}

// Report writes res for people: joins, latencies, answers, accuracy and
// errors, one topic a line.
func (res *Result) Report(random bool) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "bots: %d/%d joined in %s; join %s\n", res.Joined, res.Bots, res.JoinWall.Round(time.Millisecond), res.Join)
	fmt.Fprintf(&sb, "first event after watch: %s\n", res.FirstEvent)
	names := make([]string, 0, len(res.Latency))
	for name := range res.Latency {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		fmt.Fprintf(&sb, "latency %s: %s\n", name, res.Latency[name])
	}
	fmt.Fprintf(&sb, "answers: %d sent, %d accepted, %d after the question closed; round trip %s\n", res.Answers, res.Accepted, res.Late, res.Answer)
	how := "with the answer key"
	if random {
		how = "at random: bots cannot know answers"
	}
	acc := 0.0
	if res.Results > 0 {
		acc = 100 * float64(res.Correct) / float64(res.Results)
	}
	fmt.Fprintf(&sb, "accuracy: %d of %d answers correct (%.1f%%), answering %s\n", res.Correct, res.Results, acc, how)
	fmt.Fprintf(&sb, "finished: %d saw the end, %d kicked, %d reconnections, %d errors\n", res.Finished, res.Kicked, res.Reconnects, res.Errors)
	for _, e := range res.ErrorSamples {
		fmt.Fprintf(&sb, "error: %s\n", e)
	}
	return sb.String()
}
