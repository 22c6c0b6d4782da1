package redisstore

import (
	"context"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// TestHeartbeatBesideThePool renews an owner's heartbeat while every
// connection of the pool is taken (a BLPOP holds the only one): the
// heartbeat has a connection of its own, so the owner keeps its lease
// instead of waiting behind the calls queued for the pool.
func TestHeartbeatBesideThePool(t *testing.T) {
	srv := redistest.StartProcess(t)
	s, err := New(Config{URL: srv.URL() + "?pool_size=1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx := t.Context()
	spec := &room.Spec{Code: room.NewCode(), Settings: game.Settings{}.WithDefaults(10), HostTokenHash: "h"}
	if err := s.CreateRoom(ctx, spec, 10); err != nil {
		t.Fatal(err)
	}
	const ttl = 600 * time.Millisecond
	if ok, err := s.Lease(ctx, spec.Code, "a", ttl); !ok || err != nil {
		t.Fatalf("Lease of a new room: %v, %v", ok, err)
	}
	held := make(chan struct{})
	go func() {
		defer close(held)
		_ = s.client.BLPop(ctx, 3*time.Second, s.prefix+"nothing").Err()
	}()
	time.Sleep(ttl / 2) // the heartbeat is due, and the BLPOP holds the pool
	lctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if ok, err := s.Lease(lctx, spec.Code, "a", ttl); !ok || err != nil {
		t.Errorf("Lease while the pool is taken: %v, %v; want it renewed", ok, err)
	}
	<-held
}
