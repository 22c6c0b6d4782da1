package redisstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// TestPoolDefaults checks the pool of ordinary calls: DefaultPoolSize
// connections, and a wait for one of at most DefaultPoolTimeout, unless
// the URL says otherwise, whatever the kind of Redis.
func TestPoolDefaults(t *testing.T) {
	type pool struct {
		size    int
		timeout time.Duration
	}
	for url, want := range map[string]pool{
		"redis://localhost:6379":                                           {DefaultPoolSize, DefaultPoolTimeout},
		"redis://localhost:6379?pool_size=7&pool_timeout=2s":               {7, 2 * time.Second},
		"redis://a:1,b:2?cluster=true":                                     {DefaultPoolSize, DefaultPoolTimeout},
		"redis://a:1,b:2?cluster=true&pool_size=8&pool_timeout=3s":         {8, 3 * time.Second},
		"redis://s1:26379,s2:26379?master_name=quiz":                       {DefaultPoolSize, DefaultPoolTimeout},
		"redis://s1:26379?master_name=quiz&pool_size=9&pool_timeout=500ms": {9, 500 * time.Millisecond},
	} {
		newClient, err := parseURL(url)
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		c := newClient(0)
		var got pool
		switch c := c.(type) {
		case *redis.Client: // one server, or the master Sentinel names
			got = pool{c.Options().PoolSize, c.Options().PoolTimeout}
		case *redis.ClusterClient:
			got = pool{c.Options().PoolSize, c.Options().PoolTimeout}
		default:
			t.Fatalf("%s: a %T", url, c)
		}
		if got != want {
			t.Errorf("%s: pool %+v, want %+v", url, got, want)
		}
		_ = c.Close()
	}
}

// TestPoolWaitEndsWithTheCaller has a call wait for the only pooled
// connection, which a BLPOP holds: it fails when its context ends, as
// Unavailable, saying so.
func TestPoolWaitEndsWithTheCaller(t *testing.T) {
	srv := redistest.StartProcess(t)
	s, err := New(Config{URL: srv.URL() + "?pool_size=1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	held := make(chan struct{})
	go func() {
		defer close(held)
		_ = s.client.BLPop(t.Context(), 2*time.Second, s.prefix+"nothing").Err()
	}()
	time.Sleep(200 * time.Millisecond)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err = s.State(ctx, "ABCDEF")
	if !errors.Is(err, room.ErrUnavailable) || !strings.Contains(err.Error(), "no answer in time") {
		t.Errorf("State while the pool is taken, past its caller's deadline: %v; want ErrUnavailable, no answer in time", err)
	}
	<-held
}
