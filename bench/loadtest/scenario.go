package main

import (
	"context"
	"fmt"
	"io"
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

	unary      noop.UnaryResult
	bursts     map[int]noop.BurstResult
	broadcast  map[int]noop.BroadcastResult
	evalsha    float64
	redisNotes []string // per-command breakdowns, written after the table
}

// all runs the ceilings, then every scenario.
func (b *bench) all(ctx context.Context) error {
	b.broadcast = map[int]noop.BroadcastResult{}
	b.bursts = map[int]noop.BurstResult{}
	if b.opt.ceilings {
		if err := b.measureCeilings(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintln(b.out, "| scenario | players | errors | joins/s | question fan-out | reveal delivery | answers/s | submit round trip | server CPU | peak RSS | RSS/player | Redis cmds/answer |")
	fmt.Fprintln(b.out, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, store := range b.opt.stores {
		if b.opt.rooms > 0 {
			if err := b.scenario(ctx, store, b.opt.rooms, b.opt.roomSize); err != nil {
				return err
			}
			continue
		}
		for _, n := range b.opt.sizes {
			if err := b.scenario(ctx, store, 1, n); err != nil {
				return err
			}
		}
	}
	if len(b.redisNotes) > 0 {
		fmt.Fprintf(b.out, "\nRedis commands per accepted answer, by command:\n\n%s\n", strings.Join(b.redisNotes, "\n"))
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
	for _, n := range sizes {
		r, err := noop.Broadcast(ctx, n, 10)
		if err != nil {
			return err
		}
		b.broadcast[n] = r
		fmt.Fprintf(b.out, "- ceiling: %v\n", r)
		burst, err := noop.Burst(ctx, n, 10)
		if err != nil {
			return err
		}
		b.bursts[n] = burst
		fmt.Fprintf(b.out, "- ceiling: %v\n", burst)
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
	fmt.Fprintln(b.out)
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
}

// scenario plays rooms rooms of size players each on store and writes a row.
func (b *bench) scenario(ctx context.Context, store string, rooms, size int) error {
	ctx, cancel := context.WithTimeout(ctx, b.opt.timeout)
	defer cancel()
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
		s, err := proc.Start(b.quizd, args, nil, "addr=")
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
	var redisBefore redisSample
	if redisURL != "" {
		var err error
		if redisBefore, err = b.sampleRedis(); err != nil {
			return err
		}
	}
	start := time.Now()

	res, connected, err := b.play(ctx, servers, rooms, size)
	if err != nil {
		return err
	}
	o := outcome{players: rooms * size}
	for i, s := range servers {
		u, err := proc.Read(s.Pid())
		if err != nil {
			return err
		}
		o.cpu += u.CPU - before[i].CPU
		o.peak += u.PeakRSS
		o.perPlayer += float64(connected[i].RSS - before[i].RSS)
	}
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
	b.row(store, rooms, size, o)
	return nil
}

// merge sums the bots' results of every room. The answer window of a
// question spans its first accepted answer in any room to its last in any.
func merge(o *outcome, res []*bots.Result) {
	samples := map[string][]time.Duration{}
	windows := map[int32][2]time.Time{}
	for _, r := range res {
		o.errors += r.Errors
		o.finished += r.Finished
		o.accepted += r.Accepted
		for q, w := range r.Windows {
			all, ok := windows[q]
			if !ok || w[0].Before(all[0]) {
				all[0] = w[0]
			}
			if !ok || w[1].After(all[1]) {
				all[1] = w[1]
			}
			windows[q] = all
		}
		o.joinWall = max(o.joinWall, r.JoinWall)
		for name, ds := range r.Samples {
			samples[name] = append(samples[name], ds...)
		}
		for _, e := range r.ErrorSamples {
			fmt.Println("  error:", e)
		}
	}
	for _, w := range windows {
		o.window += w[1].Sub(w[0])
	}
	o.opened = bots.Summarize(samples["question_opened"])
	o.revealed = bots.Summarize(samples["question_revealed"])
	o.answer = bots.Summarize(samples["answer"])
}

// play creates the rooms on the first server, fills them with bots spread
// over every server, starts every game once all bots watch, and returns the
// bots' results and each server's usage once everyone had connected.
func (b *bench) play(ctx context.Context, servers []*proc.Child, rooms, size int) ([]*bots.Result, []proc.Usage, error) {
	addrs := make([]string, len(servers))
	for i, s := range servers {
		addrs[i] = s.Addr
	}
	host, err := conn.Dial(conn.Config{Addr: addrs[0], Timeout: time.Minute})
	if err != nil {
		return nil, nil, err
	}
	defer host.Close()
	decks, err := content.Builtin()
	if err != nil {
		return nil, nil, err
	}
	key := bots.NewKey(decks...)
	settings := &quizv1.RoomSettings{
		QuestionCount:   int32(b.opt.questions),
		Pacing:          quizv1.PacingMode_PACING_MODE_AUTO,
		TimeLimit:       durationpb.New(b.opt.limit),
		ReadTime:        durationpb.New(0), // as when BENCHMARKS.md was measured
		RevealTime:      durationpb.New(2 * time.Second),
		LeaderboardTime: durationpb.New(2 * time.Second),
		MaxPlayers:      int32(size),
	}
	codes := make([]string, rooms)
	hosts := make([]*conn.Client, rooms)
	for i := range rooms {
		cctx, cancel := host.Call(ctx)
		resp, err := host.API.CreateRoom(cctx, &quizv1.CreateRoomRequest{
			Source: &quizv1.CreateRoomRequest_DeckId{DeckId: "aws-compute"}, Settings: settings,
		})
		cancel()
		if err != nil {
			return nil, nil, fmt.Errorf("creating room %d: %w", i+1, err)
		}
		codes[i], hosts[i] = resp.GetRoom().GetCode(), host.WithToken(resp.GetHostToken())
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
					usageOnce.Do(func() { usage, usageErr = serverUsage(servers) })
					return control.Do(ctx, hosts[i], codes[i], control.Command{Action: control.Start})
				},
			})
		}()
	}
	wg.Wait()
	if usageErr != nil {
		return nil, nil, usageErr
	}
	if usage == nil {
		return nil, nil, fmt.Errorf("the games never started: %v", ctx.Err())
	}
	return results, usage, nil
}

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
	fanout := o.opened.String()
	if c, ok := b.broadcast[o.players]; ok && c.Latency.P99 > 0 {
		fanout += fmt.Sprintf(" (p99 %.2f× no-op)", float64(o.opened.P99)/float64(c.Latency.P99))
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
	fmt.Fprintf(b.out, "| %s | %d | %d (%d/%d finished) | %.0f | %s | %s | %s | %s | %.1f s | %.0f MiB | %.1f KiB | %s |\n",
		name, o.players, o.errors, o.finished, o.players, joins, fanout, o.revealed, rate, o.answer,
		o.cpu.Seconds(), float64(o.peak)/(1<<20), o.perPlayer/1024, redis)
}
