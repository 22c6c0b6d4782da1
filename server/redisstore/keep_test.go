package redisstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// TestKeepEveryKey checks that Keep leaves no key of a room without an
// expiry (but the lease, which has a life of its own), whatever the room
// made so far: Keep names only the keys that may exist.
func TestKeepEveryKey(t *testing.T) {
	srv := redistest.Start(t)
	s, err := redisstore.New(redisstore.Config{URL: srv.URL(), Prefix: "keep:"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	ctx := t.Context()
	q := game.Question{Kind: game.SingleChoice, Text: "?", Options: []string{"a", "b"}, Correct: []int{1}, TimeLimit: 20 * time.Second, Points: 1000}
	spec := &room.Spec{Code: room.NewCode(), Questions: []game.Question{q, q}, Settings: game.Settings{}.WithDefaults(1000), HostTokenHash: "h"}
	prefix := "keep:{" + spec.Code + "}:"
	kept := func(what string) {
		t.Helper()
		if err := s.Keep(ctx, spec.Code, time.Hour); err != nil {
			t.Fatalf("%s: Keep: %v", what, err)
		}
		keys, err := rdb.Keys(ctx, prefix+"*").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			if strings.HasSuffix(k, ":lease") {
				continue
			}
			if ttl, err := rdb.PTTL(ctx, k).Result(); err != nil || ttl <= 0 {
				t.Errorf("%s: key %s has no expiry after Keep (PTTL %v, %v)", what, k, ttl, err)
			}
		}
	}
	if err := s.CreateRoom(ctx, spec, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Connect(ctx, spec.Code, room.Connection{PlayerID: room.HostMember, Instance: "i", Delta: 1, TTL: time.Minute}); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Lease(ctx, spec.Code, "owner", time.Minute); !ok || err != nil {
		t.Fatalf("Lease: %v, %v", ok, err)
	}
	kept("a new room its host watches")
	var ids []string
	for _, name := range []string{"a", "b", "c"} {
		p, err := s.Join(ctx, spec.Code, room.Join{Name: name, NameKey: name, TokenHash: name})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	kept("players joined")
	if _, err := s.FlushRoster(ctx, spec.Code, room.RosterLimit); err != nil {
		t.Fatal(err)
	}
	if err := s.Leave(ctx, spec.Code, ids[2]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Advance(ctx, spec.Code, room.Transition{To: game.PhaseQuestion, Limit: q.TimeLimit}); err != nil {
		t.Fatal(err)
	}
	a := game.Answer{Choices: []int{1}}
	if _, err := s.Submit(ctx, spec.Code, room.Submission{PlayerID: ids[0], Answer: a, Grade: q.Grade(a), Kind: q.Kind, Points: q.Points, Limit: q.TimeLimit,
		PrevScored: -1, Scoring: spec.Settings.Scoring, Grace: time.Second}); err != nil {
		t.Fatal(err)
	}
	kept("a question answered, a player left")
	// A room an older version made keeps its joins in a list.
	if err := rdb.HDel(ctx, prefix+"state", "rj").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.RPush(ctx, prefix+"joined", `{"id":"`+ids[1]+`","n":"b"}`).Err(); err != nil {
		t.Fatal(err)
	}
	kept("a room an older version made")
}
