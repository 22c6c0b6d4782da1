package redisstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// check runs Store.Check against url.
func check(t *testing.T, url string) ([]string, error) {
	t.Helper()
	s, err := redisstore.New(redisstore.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Check(ctx)
}

// TestCheck is a table of Redis configurations and what the start-up
// check says of each: nothing for a safe one, a warning for each setting
// that lets Redis lose rooms, an error that says what to fix for one the
// server cannot use.
func TestCheck(t *testing.T) {
	primary := redistest.StartProcess(t, "--appendonly", "yes")
	for _, tc := range []struct {
		name     string
		args     []string
		path     string // after the address in the URL
		userinfo string
		warnings []string // substrings, one per warning
		err      string
	}{
		{name: "safe", args: []string{"--appendonly", "yes"}},
		{name: "no AOF", warnings: []string{"appendonly is \"no\""}},
		{name: "evicting", args: []string{"--appendonly", "yes", "--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"}, warnings: []string{"maxmemory-policy is \"allkeys-lru\""}},
		{name: "CONFIG disabled", args: []string{"--rename-command", "CONFIG", ""}, warnings: []string{"CONFIG is disabled"}},
		{name: "no password", args: []string{"--requirepass", "secret"}, err: "it wants a password"},
		{name: "wrong password", args: []string{"--requirepass", "secret"}, userinfo: ":wrong@", err: "refused the user name or password"},
		{name: "password", args: []string{"--requirepass", "secret", "--appendonly", "yes"}, userinfo: ":secret@"},
		{name: "no such database", path: "/99", err: "no such database"},
		{name: "replica", args: []string{"--replicaof", "127.0.0.1", strings.TrimPrefix(primary.Addr, "127.0.0.1:")}, err: "read-only replica"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := redistest.StartProcess(t, tc.args...)
			warnings, err := check(t, "redis://"+tc.userinfo+srv.Addr+tc.path)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("Check: %v, want no error", err)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("Check: %v, want an error saying %q", err, tc.err)
			}
			if len(warnings) != len(tc.warnings) {
				t.Fatalf("Check warned %q, want %d warnings saying %q", warnings, len(tc.warnings), tc.warnings)
			}
			for i, w := range tc.warnings {
				if !strings.Contains(warnings[i], w) {
					t.Errorf("warning %q, want it to say %q", warnings[i], w)
				}
			}
		})
	}
}

// TestFullRedis fills a Redis that may not evict: the store reports
// ErrFull saying the store is full, not an internal error.
func TestFullRedis(t *testing.T) {
	srv := redistest.StartProcess(t, "--maxmemory", "4mb", "--maxmemory-policy", "noeviction")
	s := open(t, srv.URL(), 0)
	source := []byte(strings.Repeat("x", 1<<20))
	var err error
	for i := 0; err == nil && i < 20; i++ {
		err = s.SaveDeck(context.Background(), "deck"+string(rune('a'+i)), source, 100, time.Hour)
	}
	if !errors.Is(err, room.ErrFull) || !strings.Contains(err.Error(), "store is full") {
		t.Errorf("saving 20 MiB of decks into a 4 MiB Redis: %v; want ErrFull saying the store is full", err)
	}
}
