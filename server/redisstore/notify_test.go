package redisstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// newRooms creates n rooms of one question on s.
func newRooms(t *testing.T, s room.Store, n int) []string {
	t.Helper()
	q := game.Question{Kind: game.SingleChoice, Text: "?", Options: []string{"a", "b"}, Correct: []int{1}, TimeLimit: 20 * time.Second, Points: 1000}
	codes := make([]string, n)
	for i := range codes {
		spec := &room.Spec{Code: room.NewCode(), Questions: []game.Question{q}, Settings: game.Settings{}.WithDefaults(100), HostTokenHash: "h"}
		if err := s.CreateRoom(t.Context(), spec, n); err != nil {
			t.Fatal(err)
		}
		codes[i] = spec.Code
	}
	return codes
}

// connections counts the clients of Redis but admin's own connection.
func connections(t *testing.T, admin *redis.Client) int {
	t.Helper()
	list, err := admin.ClientList(t.Context()).Result()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(strings.TrimSpace(list), "\n") // one line each, admin's own not counted
}

// waitResult is what one Wait returned.
type waitResult struct {
	code string
	evs  []room.Event
	err  error
}

// startWaits waits on every room from seq after, in goroutines, and returns
// where the results arrive.
func startWaits(s room.Store, codes []string, after uint64) <-chan waitResult {
	out := make(chan waitResult, len(codes))
	for _, code := range codes {
		go func() {
			evs, err := s.Wait(context.Background(), code, after, 10, time.Minute)
			out <- waitResult{code, evs, err}
		}()
	}
	return out
}

// lockAll appends one event (a lock) to every room.
func lockAll(t *testing.T, s room.Store, codes []string) {
	t.Helper()
	for _, code := range codes {
		if _, err := s.Lock(t.Context(), code, true); err != nil {
			t.Fatal(err)
		}
	}
}

// checkWaits checks that every room's Wait returned its one event.
func checkWaits(t *testing.T, results <-chan waitResult, codes []string, seq uint64) {
	t.Helper()
	for range codes {
		r := <-results
		if r.err != nil || len(r.evs) != 1 || r.evs[0].Seq != seq || r.evs[0].Type != room.EventLocked {
			t.Fatalf("Wait on room %s: %v, %v; want its lock event, seq %d", r.code, r.evs, r.err, seq)
		}
	}
}

// subscribed waits until Redis counts n channels subscribed.
func subscribed(t *testing.T, admin *redis.Client, n int) {
	t.Helper()
	for {
		chans, err := admin.PubSubChannels(t.Context(), "*").Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(chans) >= n {
			return
		}
		select {
		case <-t.Context().Done():
			t.Fatalf("%d channels subscribed, want %d", len(chans), n)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestWaitConnections waits on 300 rooms at once: the store uses its pool
// of ordinary calls and one subscriber connection, however many rooms it
// waits on, and every room's event arrives.
func TestWaitConnections(t *testing.T) {
	const rooms, pool = 300, 4
	srv := redistest.StartProcess(t) // its own server: only this store connects
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer admin.Close()
	s := open(t, srv.URL()+"?pool_size=4", 0)
	codes := newRooms(t, s, rooms)
	results := startWaits(s, codes, 0)
	subscribed(t, admin, rooms)
	if n := connections(t, admin); n > pool+1 {
		t.Errorf("waiting on %d rooms: %d connections to Redis, want at most %d (the pool and one subscriber)", rooms, n, pool+1)
	}
	lockAll(t, s, codes)
	checkWaits(t, results, codes, 1)
	if n := connections(t, admin); n > pool+1 {
		t.Errorf("after the events of %d rooms: %d connections to Redis, want at most %d", rooms, n, pool+1)
	}
}

// TestWaitAcrossRestart restarts Redis under waiting rooms: once the
// subscriber is back, the waiters read again and get what was appended
// after the restart.
func TestWaitAcrossRestart(t *testing.T) {
	srv := redistest.StartProcess(t, "--appendonly", "yes")
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer admin.Close()
	s := open(t, srv.URL(), 0)
	codes := newRooms(t, s, 5)
	results := startWaits(s, codes, 0)
	subscribed(t, admin, len(codes))
	srv.Kill()
	srv.Restart()
	// Written before the subscriber is back (most likely): only the read
	// after its new confirmation finds it.
	for {
		_, err := s.Lock(t.Context(), codes[0], true)
		if err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	lockAll(t, s, codes[1:])
	checkWaits(t, results, codes, 1)
}
