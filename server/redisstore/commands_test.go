package redisstore_test

import (
	"maps"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// TestOneRoundTripPerAnswer counts, with INFO commandstats, what N
// accepted answers, one after the other, cost Redis: exactly N calls
// (EVALSHA of the submit script), and the commands the script runs inside.
// (Concurrent answers share scripts: TestSubmitBatchScripts.)
func TestOneRoundTripPerAnswer(t *testing.T) {
	srv := redistest.StartProcess(t) // its own server: nothing else counts
	s := open(t, srv.URL(), 0)
	ctx := t.Context()
	const n = 200
	spec, q, ids := joinedRoom(t, s, n, 1)
	if _, err := s.Advance(ctx, spec.Code, room.Transition{To: game.PhaseQuestion, Limit: q.TimeLimit}); err != nil {
		t.Fatal(err)
	}
	// The first call loads the script (NOSCRIPT, then EVAL): leave it out.
	sub := func(id string) room.Submission {
		a := game.Answer{Choices: []int{1}}
		return room.Submission{PlayerID: id, Answer: a, Grade: q.Grade(a), Kind: q.Kind, Points: q.Points, Limit: q.TimeLimit,
			PrevScored: -1, Scoring: spec.Settings.Scoring, Grace: time.Second}
	}
	if _, err := s.Submit(ctx, spec.Code, sub(ids[0])); err != nil {
		t.Fatal(err)
	}
	srv.ResetCommandStats(t)
	for _, id := range ids[1:] {
		if _, err := s.Submit(ctx, spec.Code, sub(id)); err != nil {
			t.Fatal(err)
		}
	}
	calls := srv.CommandCalls(t)
	answers := n - 1
	total := 0
	for _, c := range calls {
		total += c
	}
	if calls["evalsha"] != answers || calls["eval"] != 0 {
		t.Errorf("%d answers made %d EVALSHA and %d EVAL calls; want one EVALSHA each", answers, calls["evalsha"], calls["eval"])
	}
	t.Logf("%d accepted answers: %d round trips (EVALSHA), %d commands in all, %.1f per answer inside the script: %v",
		answers, calls["evalsha"], total, float64(total-calls["evalsha"])/float64(answers), calls)
}

// TestCheckLoadsScripts checks that the start-up check loads the scripts:
// the first calls after it run them by hash (EVALSHA), without sending
// their source (EVAL).
func TestCheckLoadsScripts(t *testing.T) {
	srv := redistest.StartProcess(t)
	s := open(t, srv.URL(), 0)
	ctx := t.Context()
	if _, err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	srv.ResetCommandStats(t)
	spec := &room.Spec{Code: room.NewCode(), Questions: []game.Question{{Kind: game.TrueFalse, Text: "?", Options: []string{"True", "False"}, Correct: []int{0}, TimeLimit: time.Second, Points: 1000}},
		Settings: game.Settings{}.WithDefaults(1000), HostTokenHash: "h"}
	if err := s.CreateRoom(ctx, spec, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Join(ctx, spec.Code, room.Join{Name: "A", NameKey: "a", TokenHash: "t"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.State(ctx, spec.Code); err != nil {
		t.Fatal(err)
	}
	if calls := srv.CommandCalls(t); calls["eval"] != 0 || calls["evalsha"] != 3 {
		t.Errorf("three first calls after Check: %d EVALSHA, %d EVAL; want 3 and none", calls["evalsha"], calls["eval"])
	}
}

// TestCommandsPerCall counts, with INFO commandstats, the Redis commands
// (the call and those its script runs) of the calls a player or a room
// makes besides answering, each in a usual situation, so that a change
// that costs one more shows: BENCHMARKS.md has what each costs over a game.
func TestCommandsPerCall(t *testing.T) {
	srv := redistest.StartProcess(t) // its own server: nothing else counts
	s := open(t, srv.URL(), 0)
	ctx := t.Context()
	if _, err := s.Check(ctx); err != nil { // loads the scripts
		t.Fatal(err)
	}
	q := game.Question{Kind: game.SingleChoice, Text: "?", Options: []string{"a", "b"}, Correct: []int{1}, TimeLimit: 20 * time.Second, Points: 1000}
	spec := &room.Spec{Code: room.NewCode(), Questions: []game.Question{q, q}, Settings: game.Settings{}.WithDefaults(1000), HostTokenHash: "h"}
	if err := s.CreateRoom(ctx, spec, 10); err != nil {
		t.Fatal(err)
	}
	n := 0
	join := func() error {
		n++
		_, err := s.Join(ctx, spec.Code, room.Join{Name: "P" + strconv.Itoa(n), NameKey: "p" + strconv.Itoa(n), TokenHash: strconv.Itoa(n)})
		return err
	}
	connect := func(id string, delta int) func() error {
		return func() error {
			_, err := s.Connect(ctx, spec.Code, room.Connection{PlayerID: id, Instance: "i", Delta: delta, TTL: time.Minute, RequireActive: delta > 0})
			return err
		}
	}
	// watch counts a stream as Watch does: with the state its snapshot shows.
	watch := func(id string) func() error {
		return func() error {
			_, err := s.Connect(ctx, spec.Code, room.Connection{PlayerID: id, Instance: "i", Delta: 1, TTL: time.Minute, RequireActive: true, State: true})
			return err
		}
	}
	version := int64(0)
	advance := func(tr room.Transition) func() error {
		return func() error {
			tr.Version = version
			st, err := s.Advance(ctx, spec.Code, tr)
			if err == nil {
				version = st.Version
			}
			return err
		}
	}
	for _, c := range []struct {
		what string
		call func() error
		want int
	}{
		{"Keep of a new room", func() error { return s.Keep(ctx, spec.Code, time.Hour) }, 7},
		{"the instance's presence lease, renewed alone", func() error {
			return s.Presence(ctx, []room.PresenceUpdate{{Code: spec.Code, Instance: "i", TTL: time.Minute}})[0].Err
		}, 4}, // one script for every room: no command in the room
		{"the first Join", join, 9}, // and its ping
		{"a Join", join, 8},
		{"Connect of a player in the lobby", connect(room.PlayerID(1), 1), 6},
		{"Connect of a player in the lobby, with the state", watch(room.PlayerID(2)), 7}, // and the clock
		{"Connect of the host", connect(room.HostMember, 1), 5},
		{"State", func() error { _, err := s.State(ctx, spec.Code); return err }, 3},
		{"opening a question", advance(room.Transition{To: game.PhaseQuestion, Limit: q.TimeLimit}), 9}, // two events
		{"another Join", join, 8},
		{"Connect of a player who has not answered the open question", connect(room.PlayerID(3), 1), 8},
		{"a stream of it closing", connect(room.PlayerID(3), -1), 10}, // counts of 0 go
		{"Scoreboard", func() error { _, err := s.Scoreboard(ctx, spec.Code, 0); return err }, 4},
	} {
		srv.ResetCommandStats(t)
		if err := c.call(); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		calls := srv.CommandCalls(t)
		delete(calls, "hello") // the counting connection's
		total := 0
		for _, k := range calls {
			total += k
		}
		if total != c.want {
			t.Errorf("%s: %d commands, want %d: %v", c.what, total, c.want, calls)
		}
	}
}

// TestPresenceBatch sets the counts of one instance in 1,100 rooms with
// one Presence call, three pipelines of presence scripts: on a fresh
// Redis, which lacks the script (NOSCRIPT: loaded, then sent again), and
// again after SCRIPT FLUSH. A renewal alone of all of them is one script
// (alive) for the instance, and no command in any room.
func TestPresenceBatch(t *testing.T) {
	srv := redistest.StartProcess(t) // its own server: nothing else counts
	s := open(t, srv.URL(), 0)
	ctx := t.Context()
	const n = 1100
	ups := make([]room.PresenceUpdate, n)
	for i := range ups {
		spec := &room.Spec{Code: room.NewCode(), Settings: game.Settings{}.WithDefaults(10), HostTokenHash: "h"}
		if err := s.CreateRoom(ctx, spec, n); err != nil {
			t.Fatal(err)
		}
		ups[i] = room.PresenceUpdate{Code: spec.Code, Instance: "i1", TTL: time.Minute, Counts: map[string]int{}}
	}
	renew := func(what string, ups []room.PresenceUpdate, lapsed bool) {
		t.Helper()
		for i, res := range s.Presence(ctx, ups) {
			if res.Err != nil || res.Lapsed != lapsed || res.AllAnswered {
				t.Fatalf("%s: room %d of %d: %+v, want lapsed %v", what, i+1, n, res, lapsed)
			}
		}
	}
	renew("the first counts, on a Redis without the script", ups, true)
	alone := make([]room.PresenceUpdate, n)
	for i, u := range ups {
		u.Counts = nil
		alone[i] = u
	}
	srv.ResetCommandStats(t)
	renew("a renewal alone", alone, false)
	calls := srv.CommandCalls(t)
	delete(calls, "hello") // a connection the renewal opened
	want := map[string]int{"evalsha": 1, "time": 1, "hgetall": 1, "hset": 1}
	if !maps.Equal(calls, want) {
		t.Errorf("renewals alone of %d rooms ran %v; want %v", n, calls, want)
	}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer rdb.Close()
	if err := rdb.ScriptFlush(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	renew("counts after SCRIPT FLUSH", ups, false)
}
