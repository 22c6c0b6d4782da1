package redisstore_test

import (
	"context"
	"errors"
	"fmt"
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

// connections counts the clients of Redis but admin's own connection, and
// of them the subscribers.
func connections(t *testing.T, admin *redis.Client) (all, subscribers int) {
	t.Helper()
	list, err := admin.ClientList(t.Context()).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(list), "\n") {
		all++
		if !strings.Contains(line, " sub=0 ") || !strings.Contains(line, " ssub=0 ") {
			subscribers++
		}
	}
	return all - 1, subscribers
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
	s := open(t, srv.URL()+"?pool_size=4&max_active_conns=4", 0)
	codes := newRooms(t, s, rooms)
	check := func(when string) {
		t.Helper()
		// go-redis may dial a connection or two beyond its pool while
		// calls queue for it: the bound is fixed, not rooms.
		if all, subs := connections(t, admin); all > 2*pool+1 || subs != 1 {
			t.Errorf("%s: %d connections to Redis, %d of them subscribers; want at most %d, one subscriber", when, all, subs, 2*pool+1)
		}
	}
	results := startWaits(s, codes, 0)
	subscribed(t, admin, rooms)
	check(fmt.Sprintf("waiting on %d rooms", rooms))
	lockAll(t, s, codes)
	checkWaits(t, results, codes, 1)
	check(fmt.Sprintf("after the events of %d rooms", rooms))
}

// TestWaitAcrossReconnect cuts the subscriber's connection under waiting
// rooms: they fail with ErrUnavailable (their watchers reconnect). Events
// appended while it is away are not lost: waiting again finds them, once
// the subscriber is back or at once.
func TestWaitAcrossReconnect(t *testing.T) {
	srv := redistest.StartProcess(t)
	admin := redis.NewClient(&redis.Options{Addr: srv.Addr})
	defer admin.Close()
	s := open(t, srv.URL(), 0)
	codes := newRooms(t, s, 5)
	results := startWaits(s, codes, 0)
	subscribed(t, admin, len(codes))
	if err := admin.ClientKillByFilter(t.Context(), "TYPE", "pubsub").Err(); err != nil {
		t.Fatal(err)
	}
	for range codes {
		if r := <-results; !errors.Is(r.err, room.ErrUnavailable) {
			t.Errorf("Wait on room %s when the subscriber's connection was cut: %v, %v; want ErrUnavailable", r.code, r.evs, r.err)
		}
	}
	lockAll(t, s, codes)
	checkWaits(t, startWaits(s, codes, 0), codes, 1)
}

// TestWaitTakesEventsFromMessages checks that the messages announcing
// events carry them: a Wait whose room's messages brought every event
// after its seq returns them without reading the log (no XRANGE), and one
// that missed some (more than the channel keeps) reads the log and gets
// them all, in order.
func TestWaitTakesEventsFromMessages(t *testing.T) {
	srv := redistest.StartProcess(t) // its own server: nothing else counts
	s := open(t, srv.URL(), 0)
	ctx := t.Context()
	code := newRooms(t, s, 1)[0]
	// The first Wait subscribes and reads the log whole; the channel stays
	// subscribed after it.
	if _, err := s.Wait(ctx, code, 0, 10, 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	seq, locked := uint64(0), false
	toggle := func(n int) {
		t.Helper()
		for range n {
			locked = !locked
			if _, err := s.Lock(ctx, code, locked); err != nil {
				t.Fatal(err)
			}
			seq++
		}
	}
	wait := func(what string, after uint64, n int) {
		t.Helper()
		var got []room.Event
		for len(got) < n {
			evs, err := s.Wait(ctx, code, after, 1000, 5*time.Second)
			if err != nil || len(evs) == 0 {
				t.Fatalf("%s: Wait after %d: %v, %v; want events", what, after, evs, err)
			}
			got = append(got, evs...)
			after = evs[len(evs)-1].Seq
		}
		for i, ev := range got {
			if ev.Type != room.EventLocked || ev.Seq != seq-uint64(n)+uint64(i)+1 {
				t.Fatalf("%s: event %d: %+v, want lock event %d", what, i, ev, seq-uint64(n)+uint64(i)+1)
			}
		}
	}
	srv.ResetCommandStats(t)
	toggle(3)
	wait("three events announced", 0, 3)
	if calls := srv.CommandCalls(t); calls["xrange"] != 0 {
		t.Errorf("a Wait whose messages carried every event read the log: %v", calls)
	}
	before := seq
	toggle(100)
	srv.ResetCommandStats(t)
	wait("more events than the channel keeps", before, 100)
	if calls := srv.CommandCalls(t); calls["xrange"] == 0 {
		t.Errorf("a Wait that missed events did not read the log: %v", calls)
	}
}
