package redisstore_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// TestRosterOfOlderRooms flushes the roster of a room as older versions
// kept it, its joins in a list and no join number listed through in its
// state: the roster event lists those joins, and the next one only the
// joins after them.
func TestRosterOfOlderRooms(t *testing.T) {
	srv := redistest.Start(t)
	s, err := redisstore.New(redisstore.Config{URL: srv.URL(), Prefix: "older:"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	ctx := t.Context()
	q := game.Question{Kind: game.SingleChoice, Text: "?", Options: []string{"a", "b"}, Correct: []int{1}, TimeLimit: 20 * time.Second, Points: 1000}
	spec := &room.Spec{Code: room.NewCode(), Questions: []game.Question{q}, Settings: game.Settings{}.WithDefaults(1000), HostTokenHash: "h"}
	if err := s.CreateRoom(ctx, spec, 10); err != nil {
		t.Fatal(err)
	}
	join := func(name string) room.Player {
		t.Helper()
		p, err := s.Join(ctx, spec.Code, room.Join{Name: name, NameKey: name, TokenHash: name})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	flushed := func(what string, want []room.Player) {
		t.Helper()
		seq, err := s.FlushRoster(ctx, spec.Code, room.RosterLimit)
		if err != nil || seq == 0 {
			t.Fatalf("%s: FlushRoster: seq %d, %v", what, seq, err)
		}
		evs, err := s.Events(ctx, spec.Code, seq-1, 1)
		if err != nil || len(evs) != 1 {
			t.Fatalf("%s: Events: %v, %v", what, evs, err)
		}
		if got := evs[0].Joined; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: roster event lists joins %+v, want %+v", what, got, want)
		}
	}
	a, b := join("a"), join("b")
	prefix := "older:{" + spec.Code + "}:"
	if err := rdb.HDel(ctx, prefix+"state", "rj").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.RPush(ctx, prefix+"joined", `{"id":"`+a.ID+`","n":"a"}`, `{"id":"`+b.ID+`","n":"b"}`).Err(); err != nil {
		t.Fatal(err)
	}
	flushed("the joins an older version listed", []room.Player{a, b})
	flushed("a join after them", []room.Player{join("c")})
}
