package redisstore_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/redistest"
)

// TestOrphans checks what the sweep reads: a new room until an owner takes
// it, not while its owner's heartbeat lasts, again once released; and, at
// a Store's first sweep, a live room no set lists (as one an older version
// created).
func TestOrphans(t *testing.T) {
	srv := redistest.StartProcess(t)
	openWith := func(prefix string) *redisstore.Store {
		s, err := redisstore.New(redisstore.Config{URL: srv.URL(), Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}
	s := openWith("o:")
	ctx := t.Context()
	orphans := func(s *redisstore.Store) []string {
		t.Helper()
		codes, err := s.Orphans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return codes
	}
	if got := orphans(s); len(got) != 0 {
		t.Errorf("Orphans with no rooms: %v", got)
	}
	code := newRooms(t, s, 1)[0]
	if got := orphans(s); !slices.Contains(got, code) {
		t.Errorf("Orphans after CreateRoom: %v, want %s", got, code)
	}
	if ok, err := s.Lease(ctx, code, "a", time.Minute); !ok || err != nil {
		t.Fatalf("Lease of a new room: %v, %v", ok, err)
	}
	if got := orphans(s); slices.Contains(got, code) {
		t.Errorf("Orphans while its owner's heartbeat lasts: %v, want no %s", got, code)
	}
	if err := s.Release(ctx, code, "a"); err != nil {
		t.Fatal(err)
	}
	if got := orphans(s); !slices.Contains(got, code) {
		t.Errorf("Orphans after Release: %v, want %s", got, code)
	}
	// A room only the live set lists: found by a Store's first sweep.
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer admin.Close()
	if err := admin.Del(ctx, "o:{rooms}:free").Err(); err != nil {
		t.Fatal(err)
	}
	if got := orphans(s); slices.Contains(got, code) {
		t.Errorf("Orphans, not a full sweep, of a room no set lists: %v, want no %s", got, code)
	}
	if got := orphans(openWith("o:")); !slices.Contains(got, code) {
		t.Errorf("a Store's first Orphans: %v, want the live room %s", got, code)
	}
}

// TestOneHeartbeatInFlight has the owners of 200 rooms take their leases
// at once, with no heartbeat yet: one call renews it, the others wait for
// it, so Redis sees one heartbeat, not one per room.
func TestOneHeartbeatInFlight(t *testing.T) {
	srv := redistest.StartProcess(t) // its own server: nothing else counts
	s := open(t, srv.URL(), 0)
	codes := newRooms(t, s, 200)
	srv.ResetCommandStats(t)
	var wg sync.WaitGroup
	for _, code := range codes {
		wg.Go(func() {
			if ok, err := s.Lease(t.Context(), code, "a", time.Minute); !ok || err != nil {
				t.Errorf("Lease of room %s: %v, %v; want it granted", code, ok, err)
			}
		})
	}
	wg.Wait()
	if got := srv.CommandCalls(t)["zadd"]; got != 1 {
		t.Errorf("200 rooms' owners took their leases with %d heartbeats (ZADD), want 1", got)
	}
}
