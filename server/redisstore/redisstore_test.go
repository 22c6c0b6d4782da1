package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
	"github.com/quizroom/quizroom/server/storetest"
)

var _ room.Store = (*redisstore.Store)(nil)

// newStores makes stores on the Redis at url, each with a key prefix of its
// own so that tests sharing a server do not see each other.
func newStores(url string) storetest.NewStore {
	return func(t *testing.T, opt storetest.Options) room.Store {
		return open(t, url, opt.LogSize)
	}
}

// open opens a store with a fresh prefix and closes it when t ends.
func open(t testing.TB, url string, logSize int) *redisstore.Store {
	t.Helper()
	return openWith(t, redisstore.Config{URL: url, LogSize: logSize})
}

// openWith opens a store configured by cfg, with a fresh prefix, and
// closes it when t ends.
func openWith(t testing.TB, cfg redisstore.Config) *redisstore.Store {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	cfg.Prefix = "t" + hex.EncodeToString(b) + ":"
	s, err := redisstore.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, newStores(redistest.Start(t).URL()))
}

func TestStoreCluster(t *testing.T) {
	storetest.Run(t, newStores(redistest.StartCluster(t).URL()))
}

func TestUnavailable(t *testing.T) {
	srv := redistest.StartProcess(t)
	s := open(t, srv.URL(), 0)
	srv.Kill()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for name, err := range map[string]error{
		"Ping":  s.Ping(ctx),
		"State": second(s.State(ctx, "ABCDEF")),
		"Wait":  second(s.Wait(ctx, "ABCDEF", 0, 10, time.Second)),
		"Rooms": second(s.Rooms(ctx)),
	} {
		if !errors.Is(err, room.ErrUnavailable) || !strings.HasPrefix(err.Error(), "redis unavailable: ") {
			t.Errorf("%s with Redis down: %v; want ErrUnavailable saying \"redis unavailable: …\"", name, err)
		}
	}
	srv.Restart()
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping after Redis restarted: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestNewBadURL(t *testing.T) {
	for _, url := range []string{
		"",
		"http://localhost:6379",
		"redis://h1:6379,h2:6379",
		"redis://h1:6379,,h2:6379?cluster=true",
		"redis://h1:6379?cluster=maybe",
		"redis://h1:6379,h2:6379?cluster=true&master_name=m",
		"redis://localhost:6379?no_such_option=1",
	} {
		if _, err := redisstore.New(redisstore.Config{URL: url}); err == nil {
			t.Errorf("New with URL %q: no error", url)
		}
	}
	if _, err := redisstore.New(redisstore.Config{URL: "redis://:secret@localhost:6379?bad=1"}); err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("New with a bad URL holding a password: %v; want an error that hides the password", err)
	}
	if _, err := redisstore.New(redisstore.Config{URL: "redis://localhost:6379", Prefix: "a{b}"}); err == nil {
		t.Error("New with a prefix holding a hash tag: no error")
	}
	for _, url := range []string{
		"redis://localhost:6379/2",
		"rediss://user:pw@localhost:6380?dial_timeout=2s",
		"redis://h1:7000,h2:7001,h3:7002?cluster=true",
		"redis://s1:26379,s2:26379/1?master_name=quiz",
	} {
		s, err := redisstore.New(redisstore.Config{URL: url})
		if err != nil {
			t.Errorf("New with URL %q: %v", url, err)
			continue
		}
		_ = s.Close()
	}
}
