package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/quizroom/quizroom/bench/internal/noop"
	"github.com/quizroom/quizroom/bench/internal/proc"
	"github.com/quizroom/quizroom/client/bots"
	"github.com/quizroom/quizroom/client/conn"
	"github.com/quizroom/quizroom/client/control"
	"github.com/quizroom/quizroom/content"
	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// bench runs the scenarios and writes their results.
type bench struct {
	opt   options
	quizd string
	dir   string
	out   io.Writer
	redis []*proc.Child // one server, or the masters of a Cluster

	unary     noop.UnaryResult
	bursts    map[int]noop.BurstResult
	broadcast map[int]noop.BroadcastResult
	// afterAnswers is the no-op broadcast on the last of everyone's
	// answers (noop.AfterAnswers): a reveal's own ceiling, beside the
	// plain broadcast.
	afterAnswers map[int]noop.BroadcastResult
	evalsha      float64
	rows         []string // the results table, written after the scenarios
	costRows     []string // the per-operation CPU table, likewise
	redisNotes   []string // per-command Redis breakdowns, written after the tables
	gcNotes      []string // with -gctrace, each one-room game's events and collections
}

// all runs the ceilings, then every scenario. With -paired, the no-op
// broadcast and burst of a size are measured again right before each
// scenario of that size, so that both see the same load of the machine.
func (b *bench) all(ctx context.Context) error {
	b.broadcast = map[int]noop.BroadcastResult{}
	b.afterAnswers = map[int]noop.BroadcastResult{}
	b.bursts = map[int]noop.BurstResult{}
	if b.opt.ceilings {
		if err := b.measureCeilings(ctx); err != nil {
			return err
		}
	}
	play := func(store string, rooms, size int) error {
		if b.opt.ceilings && b.opt.paired && rooms == 1 {
			if err := b.measureSize(ctx, size, fmt.Sprintf(" (before %s, %d)", store, size)); err != nil {
				return err
			}
		}
		return b.scenario(ctx, store, rooms, size)
	}
	for _, store := range b.opt.stores {
		if b.opt.rooms > 0 {
			if err := play(store, b.opt.rooms, b.opt.roomSize); err != nil {
				return err
			}
			continue
		}
		for _, n := range b.opt.sizes {
			if err := play(store, 1, n); err != nil {
				return err
			}
		}
	}
	fmt.Fprintln(b.out)
	fmt.Fprintln(b.out, "| scenario | players | errors | joins/s | question fan-out | reveal delivery | answers/s | submit round trip | server CPU | peak RSS | RSS/player | Redis cmds/answer | load before |")
	fmt.Fprintln(b.out, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range b.rows {
		fmt.Fprintln(b.out, r)
	}
	b.writeCosts()
	if len(b.redisNotes) > 0 {
		fmt.Fprintf(b.out, "\nRedis commands per accepted answer, by command:\n\n%s\n", strings.Join(b.redisNotes, "\n"))
	}
	if len(b.gcNotes) > 0 {
		fmt.Fprintf(b.out, "\nEach event's delivery and the servers' garbage collections during it (-gctrace):\n\n%s", strings.Join(b.gcNotes, "\n"))
	}
	return nil
}

// measureCeilings measures the no-op unary rate, the no-op broadcast at each
// size and, when a scenario uses Redis, EVALSHA on it.
func (b *bench) measureCeilings(ctx context.Context) error {
	var err error
	if b.unary, err = noop.Unary(ctx, 100, 10*time.Second); err != nil {
		return err
	}
	fmt.Fprintf(b.out, "- ceiling: %v\n", b.unary)
	sizes := b.opt.sizes
	if b.opt.rooms > 0 {
		sizes = []int{b.opt.rooms * b.opt.roomSize}
	}
	if !b.opt.paired || b.opt.rooms > 0 {
		for _, n := range sizes {
			if err := b.measureSize(ctx, n, ""); err != nil {
				return err
			}
		}
	}
	if slices.ContainsFunc(b.opt.stores, func(s string) bool { return s != "memory" }) {
		if err := b.startRedis(); err != nil {
			return err
		}
		if b.evalsha, err = b.benchmarkEvalsha(ctx); err != nil {
			return err
		}
		fmt.Fprintf(b.out, "- ceiling: redis-benchmark EVALSHA (a script returning 1), 50 clients: %.0f calls/s\n", b.evalsha)
	}
	return nil
}

// measureSize measures the no-op broadcast to n streams, the same on the
// last of an answer from each, and the no-op burst from n connections.
func (b *bench) measureSize(ctx context.Context, n int, when string) error {
	r, err := noop.Broadcast(ctx, n, 10)
	if err != nil {
		return err
	}
	b.broadcast[n] = r
	fmt.Fprintf(b.out, "- ceiling%s: %v\n", when, r)
	if r, err = noop.AfterAnswers(ctx, n, 10); err != nil {
		return err
	}
	b.afterAnswers[n] = r
	fmt.Fprintf(b.out, "- ceiling%s: %v\n", when, r)
	burst, err := noop.Burst(ctx, n, 10)
	if err != nil {
		return err
	}
	b.bursts[n] = burst
	fmt.Fprintf(b.out, "- ceiling%s: %v\n", when, burst)
	return nil
}

// outcome is what one scenario measured.
type outcome struct {
	players, errors, finished int
	joinWall                  time.Duration
	opened, revealed, answer  bots.Summary
	accepted                  int
	window                    time.Duration
	cpu                       time.Duration
	peak                      int64
	perPlayer                 float64
	redisCalls, evalsha       int64
	load                      string // the machine's 1-minute load average before the scenario
	// The servers' CPU per operation (one room only): a join (JoinRoom,
	// Watch and its snapshot), an accepted answer, a question and a reveal
	// delivered to one watcher.
	join, answers, questions, reveals costs
	// The bots' CPU (this process's) per question delivered.
	clientQuestions costs
}

// scenario plays rooms rooms of size players each on store and writes a row.
func (b *bench) scenario(ctx context.Context, store string, rooms, size int) error {
	// Given up on after the timeout by a cancellation, not a deadline: a
	// deadline would go to the server with every call, and no real client
	// puts one on its Watch stream (the server would keep a timer and a
	// context for it, about 1 KiB a stream).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer time.AfterFunc(b.opt.timeout, cancel).Stop()
	instances := 1
	if store == "redis2" {
		instances = 2
	}
	var redisURL string
	if store != "memory" {
		if err := b.startRedis(); err != nil {
			return err
		}
		if err := b.resetRedis(); err != nil {
			return err
		}
		redisURL = b.redisURL()
	}
	var servers []*proc.Child
	defer func() {
		for _, s := range servers {
			s.Stop()
		}
	}()
	for i := range instances {
		args := []string{
			"-listen", fmt.Sprintf("127.0.0.1:%d", b.opt.basePort+i), "-instance", fmt.Sprintf("bench-%d", i),
			"-join-rate", "-1", "-answer-rate", "-1", "-watch-rate", "-1", "-max-players", "10000", "-max-rooms", "100000", "-http", "",
		}
		if redisURL != "" {
			args = append(args, "-redis", redisURL)
		}
		if b.opt.pprofPort > 0 {
			args = append(args, "-metrics", fmt.Sprintf("127.0.0.1:%d", b.opt.pprofPort+i), "-pprof")
		}
		var env []string
		if b.opt.gctrace {
			env = append(env, "GODEBUG=gctrace=1")
		}
		s, err := proc.Start(b.quizd, args, env, "addr=")
		if err != nil {
			return fmt.Errorf("starting quizd: %w", err)
		}
		servers = append(servers, s)
	}
	time.Sleep(500 * time.Millisecond)
	before := make([]proc.Usage, len(servers))
	for i, s := range servers {
		u, err := proc.Read(s.Pid())
		if err != nil {
			return err
		}
		before[i] = u
	}
	self := proc.Sample(os.Getpid(), noop.SampleEvery)
	defer self.Stop()
	load := loadAverage()
	samplers := make([]*proc.Sampler, len(servers))
	for i, s := range servers {
		samplers[i] = proc.Sample(s.Pid(), noop.SampleEvery)
		defer samplers[i].Stop()
	}
	var redisBefore redisSample
	if redisURL != "" {
		var err error
		if redisBefore, err = b.sampleRedis(); err != nil {
			return err
		}
	}
	start := time.Now()

	res, connected, obs, err := b.play(ctx, servers, rooms, size)
	if err != nil {
		return err
	}

	o := outcome{players: rooms * size, load: load}
	for i, s := range servers {
		u, err := proc.Read(s.Pid())
		if err != nil {
			return err
		}
		o.cpu += u.CPU - before[i].CPU
		o.join.cpu += connected[i].CPU - before[i].CPU
		o.peak += u.PeakRSS
		o.perPlayer += float64(connected[i].RSS - before[i].RSS)
	}
	o.join.ops = o.players
	o.perPlayer /= float64(o.players)
	if redisURL != "" {
		after, err := b.sampleRedis()
		if err != nil {
			return err
		}
		for cmd, calls := range after.calls {
			o.redisCalls += calls - redisBefore.calls[cmd]
		}
		o.evalsha = after.calls["evalsha"] - redisBefore.calls["evalsha"]
		defer func() {
			b.redisNotes = append(b.redisNotes, redisBreakdown(fmt.Sprintf("%s, %d × %d", store, rooms, size), redisBefore, after, o.accepted, rooms, time.Since(start)))
		}()
	}
	merge(&o, res)
	if o.errors > 0 {
		for _, s := range servers {
			fmt.Fprintf(b.out, "- %d errors; quizd %s's last lines:\n%s\n", o.errors, s.Addr, s.Tail())
		}
	}
	if obs != nil {
		<-obs.done
		time.Sleep(2 * noop.SampleEvery) // a sample after the last window
		// A question's delivery ends, at the latest, when the answers
		// begin; a reveal's when the leaderboard is shown.
		opened, revealed := lastArrivals(res, "question_opened"), lastArrivals(res, "question_revealed")
		o.questions = deliveryCosts(samplers, obs.opened, opened, b.opt.think, o.players+1)
		o.reveals = deliveryCosts(samplers, obs.revealed, revealed, revealTime, o.players+1)
		o.clientQuestions = deliveryCosts([]*proc.Sampler{self}, obs.opened, opened, b.opt.think, o.players+1)
		// The progress events delivered while players answer are
		// priced at the lower of quizd's price per question delivered
		// and the no-op's per delivery: a question's window may hold
		// other work (a collection after the joins), and a price too
		// high would take the answers' own CPU away (it came out
		// negative once). Too low a price only overstates the answers'.
		price := o.questions.per()
		if noop := b.broadcast[o.players].PerDelivery(); noop > 0 {
			price = min(price, noop)
		}
		o.answers = answerCosts(samplers, obs, b.opt.think, windowsOf(res), o.accepted, o.players+1, price)
		if b.opt.gctrace {
			b.gcNotes = append(b.gcNotes, collectionNote(fmt.Sprintf("%s, %d players", store, size), servers, obs, res))
		}
	}
	b.row(store, rooms, size, o)
	return nil
}

// revealTime is how long the games show each reveal.
const revealTime = 2 * time.Second

// windowsOf merges the answer windows of every room's bots.
func windowsOf(res []*bots.Result) map[int32][2]time.Time {
	out := map[int32][2]time.Time{}
	for _, r := range res {
		for q, w := range r.Windows {
			all, ok := out[q]
			if !ok || w[0].Before(all[0]) {
				all[0] = w[0]
			}
			if !ok || w[1].After(all[1]) {
				all[1] = w[1]
			}
			out[q] = all
		}
	}
	return out
}

// lastArrivals merges, by question index, when the last bot of any room
// received the event name.
func lastArrivals(res []*bots.Result, name string) map[int32]time.Time {
	out := map[int32]time.Time{}
	for _, r := range res {
		for q, t := range r.LastArrivals[name] {
			if t.After(out[q]) {
				out[q] = t
			}
		}
	}
	return out
}

// merge sums the bots' results of every room. The answer window of a
// question spans its first accepted answer in any room to its last in any.
func merge(o *outcome, res []*bots.Result) {
	samples := map[string][]time.Duration{}
	for _, r := range res {
		o.errors += r.Errors
		o.finished += r.Finished
		o.accepted += r.Accepted
		o.joinWall = max(o.joinWall, r.JoinWall)
		for name, ds := range r.Samples {
			samples[name] = append(samples[name], ds...)
		}
		for _, e := range r.ErrorSamples {
			fmt.Println("  error:", e)
		}
	}
	for _, w := range windowsOf(res) {
		o.window += w[1].Sub(w[0])
	}
	o.opened = bots.Summarize(samples["question_opened"])
	o.revealed = bots.Summarize(samples["question_revealed"])
	o.answer = bots.Summarize(samples["answer"])
}

// play creates the rooms on the first server, fills them with bots spread
// over every server, starts every game once all bots watch, and returns the
// bots' results, each server's usage once everyone had connected and, with
// one room, a spectator's observations of it.
func (b *bench) play(ctx context.Context, servers []*proc.Child, rooms, size int) ([]*bots.Result, []proc.Usage, *observer, error) {
	addrs := make([]string, len(servers))
	for i, s := range servers {
		addrs[i] = s.Addr
	}
	host, err := conn.Dial(conn.Config{Addr: addrs[0], Timeout: time.Minute})
	if err != nil {
		return nil, nil, nil, err
	}
	defer host.Close()
	decks, err := content.Builtin()
	if err != nil {
		return nil, nil, nil, err
	}
	key := bots.NewKey(decks...)
	settings := &quizv1.RoomSettings{
		QuestionCount:   int32(b.opt.questions),
		Pacing:          quizv1.PacingMode_PACING_MODE_AUTO,
		TimeLimit:       durationpb.New(b.opt.limit),
		ReadTime:        durationpb.New(0), // as when BENCHMARKS.md was measured
		RevealTime:      durationpb.New(revealTime),
		LeaderboardTime: durationpb.New(2 * time.Second),
		MaxPlayers:      int32(size),
	}
	codes := make([]string, rooms)
	hosts := make([]*conn.Client, rooms)
	// The hosts share connections, hostsPerConn to one: the games start
	// at once, and one connection carries at most api.MaxConcurrentStreams
	// calls, so ten thousand hosts on one would wait for each other.
	hostConns := &sharedConns{dial: func() (*conn.Client, error) {
		return conn.Dial(conn.Config{Addr: addrs[0], Timeout: time.Minute})
	}, per: hostsPerConn}
	defer hostConns.close()
	for i := range rooms {
		cctx, cancel := host.Call(ctx)
		resp, err := host.API.CreateRoom(cctx, &quizv1.CreateRoomRequest{
			Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"}, Settings: settings,
		})
		cancel()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("creating room %d: %w", i+1, err)
		}
		hc, err := hostConns.next()
		if err != nil {
			return nil, nil, nil, fmt.Errorf("connecting room %d's host: %w", i+1, err)
		}
		codes[i], hosts[i] = resp.GetRoom().GetCode(), hc.WithToken(resp.GetHostToken())
	}

	var obs *observer
	if rooms == 1 {
		if obs, err = observe(ctx, host, codes[0]); err != nil {
			return nil, nil, nil, fmt.Errorf("watching as a spectator: %w", err)
		}
	}

	// Every room's bots wait for all rooms' bots before the games start, so
	// the memory read then is of everyone connected.
	var (
		ready     sync.WaitGroup
		usage     []proc.Usage
		usageOnce sync.Once
		usageErr  error
		dials     atomic.Int64
	)
	ready.Add(rooms)
	dial := func() (*conn.Client, error) {
		i := dials.Add(1)
		return conn.Dial(conn.Config{Addr: addrs[int(i)%len(addrs)], Timeout: time.Minute})
	}
	if b.opt.perConn > 1 {
		shared := &sharedConns{dial: dial, per: b.opt.perConn}
		defer shared.close()
		dial = shared.next
	}
	results := make([]*bots.Result, rooms)
	var wg sync.WaitGroup
	for i := range rooms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = bots.Run(ctx, bots.Config{
				Dial: dial, Code: codes[i], N: size, Key: key, Accuracy: 0.7,
				Think: b.opt.think, Burst: true, Name: "p" + strconv.Itoa(i), Seed: uint64(i + 1),
				Start: func(ctx context.Context) error {
					ready.Done()
					ready.Wait()
					usageOnce.Do(func() {
						// A second after the last stream opened, as the
						// no-op's streams are read (noop.Broadcast).
						time.Sleep(time.Second)
						usage, usageErr = serverUsage(servers)
					})
					return control.Do(ctx, hosts[i], codes[i], control.Command{Action: control.Start})
				},
			})
		}()
	}
	wg.Wait()
	if usageErr != nil {
		return nil, nil, nil, usageErr
	}
	if usage == nil {
		return nil, nil, nil, fmt.Errorf("the games never started: %v", ctx.Err())
	}
	return results, usage, obs, nil
}

// hostsPerConn is how many rooms' hosts share one connection: fewer than
// the calls a connection may carry at once (api.MaxConcurrentStreams, 64).
const hostsPerConn = 50

// serverUsage reads every server's usage.
func serverUsage(servers []*proc.Child) ([]proc.Usage, error) {
	out := make([]proc.Usage, len(servers))
	for i, s := range servers {
		u, err := proc.Read(s.Pid())
		if err != nil {
			return nil, err
		}
		out[i] = u
	}
	return out, nil
}

// row writes one scenario's line of the results table, with each figure's
// ratio to its ceiling where there is one.
func (b *bench) row(store string, rooms, size int, o outcome) {
	name := store
	if rooms > 1 {
		name = fmt.Sprintf("%s, %d rooms of %d", store, rooms, size)
	}
	joins := float64(o.players) / o.joinWall.Seconds()
	answers := float64(o.accepted) / o.window.Seconds()
	fanout, reveal := o.opened.String(), o.revealed.String()
	if c, ok := b.broadcast[o.players]; ok && c.Latency.P99 > 0 {
		fanout += fmt.Sprintf(" (p99 %.2f× no-op)", float64(o.opened.P99)/float64(c.Latency.P99))
		reveal += fmt.Sprintf(" (p99 %.2f× no-op", float64(o.revealed.P99)/float64(c.Latency.P99))
		if a, ok := b.afterAnswers[o.players]; ok && a.Latency.P99 > 0 {
			reveal += fmt.Sprintf(", %.2f× no-op after answers", float64(o.revealed.P99)/float64(a.Latency.P99))
		}
		reveal += ")"
	}
	rate := fmt.Sprintf("%.0f", answers)
	if b.unary.Calls > 0 {
		rate += fmt.Sprintf(" (%.2f× no-op unary", answers/b.unary.Rate())
		if burst, ok := b.bursts[o.players]; ok {
			rate += fmt.Sprintf(", %.2f× no-op burst", answers/burst.Rate())
		}
		rate += ")"
	}
	redis := "—"
	if o.redisCalls > 0 {
		redis = fmt.Sprintf("%.2f (EVALSHA %.2f)", float64(o.redisCalls)/float64(o.accepted), float64(o.evalsha)/float64(o.accepted))
	}
	b.rows = append(b.rows, fmt.Sprintf("| %s | %d | %d (%d/%d finished) | %.0f | %s | %s | %s | %s | %.1f s | %.0f MiB | %.1f KiB | %s | %s |",
		name, o.players, o.errors, o.finished, o.players, joins, fanout, reveal, rate, o.answer,
		o.cpu.Seconds(), float64(o.peak)/(1<<20), o.perPlayer/1024, redis, o.load))
	fmt.Fprintf(b.out, "- played: %s, %d players\n", name, o.players)
	b.costRow(name, o)
}

// costRow adds a scenario's line to the per-operation CPU table: each
// figure with its ratio to the no-op's (a call of the no-op burst from as
// many connections, a delivery of the no-op broadcast to as many streams).
func (b *bench) costRow(name string, o outcome) {
	if o.answers.ops == 0 {
		return
	}
	burst, cast, after := b.bursts[o.players], b.broadcast[o.players], b.afterAnswers[o.players]
	ratio := func(c costs, ceiling time.Duration) string {
		s := fmt.Sprintf("%.1f µs", proc.Micros(c.per()))
		if ceiling > 0 {
			s += fmt.Sprintf(" (%.2f×)", float64(c.per())/float64(ceiling))
		}
		return s
	}
	loop := "—"
	if b.unary.Calls > 0 {
		loop = fmt.Sprintf("%.2f×", float64(o.answers.per())/float64(b.unary.PerCall()))
	}
	reveals := ratio(o.reveals, cast.PerDelivery())
	if after.PerDelivery() > 0 {
		reveals += fmt.Sprintf(" (%.2f× after answers)", float64(o.reveals.per())/float64(after.PerDelivery()))
	}
	b.costRows = append(b.costRows, fmt.Sprintf("| %s | %d | %s | %s | %s | %s | %.1f µs | %.1f µs | %s |",
		name, o.players, ratio(o.answers, burst.PerCall()), loop, ratio(o.questions, cast.PerDelivery()),
		reveals, proc.Micros(o.join.per()), proc.Micros(cast.PerDelivery()),
		ratio(o.clientQuestions, cast.ClientPerDelivery())))
}

// writeCosts writes the per-operation CPU table.
func (b *bench) writeCosts() {
	if len(b.costRows) == 0 {
		return
	}
	fmt.Fprintln(b.out)
	fmt.Fprintln(b.out, "Server CPU per operation (÷ the no-op's: a call of the unary burst from as many connections; a delivery of the broadcast to as many streams, and for reveals also of the broadcast on the last of everyone's answers):")
	fmt.Fprintln(b.out)
	fmt.Fprintln(b.out, "| scenario | players | per accepted answer (÷ no-op burst call) | ÷ no-op unary loop call | per question delivered (÷ no-op delivery) | per reveal delivered (÷ no-op delivery) | per join | no-op per delivery | bots' CPU per question delivered (÷ no-op clients') |")
	fmt.Fprintln(b.out, "| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range b.costRows {
		fmt.Fprintln(b.out, r)
	}
}

// loadAverage is the machine's 1-minute load average, from /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(b)); len(f) > 0 {
		return f[0]
	}
	return "?"
}
