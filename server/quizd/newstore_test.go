package quizd

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/redistest"
)

func TestNewStore(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, _, closeStore, err := newStore(&config{logSize: 100}, log, nil)
	if _, ok := s.(*memstore.Store); err != nil || !ok {
		t.Errorf("newStore without -redis: %T, %v; want the memory store", s, err)
	} else if err := closeStore(context.Background()); err != nil {
		t.Errorf("closing the memory store: %v", err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	_ = l.Close()
	unsafe := redistest.StartProcess(t) // appendonly no
	for _, tc := range []struct {
		url    string
		strict bool
		want   string
	}{
		{url: "http://" + closed, want: "-redis: redis URL"},
		{url: "redis://" + closed, want: "-redis: Redis did not answer"},
		{url: unsafe.URL(), strict: true, want: "-redis: Redis may lose rooms, and -redis-strict is set: redis " + unsafe.Addr + ": appendonly is \"no\""},
	} {
		if _, _, _, err := newStore(&config{redisURL: tc.url, redisPrefix: "quiz:", logSize: 100, redisStrict: tc.strict}, log, nil); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("newStore with -redis %s (strict %v): %v; want an error starting %q", tc.url, tc.strict, err, tc.want)
		}
	}

	s, ping, closeStore, err := newStore(&config{redisURL: redistest.Start(t).URL(), redisPrefix: "newstore:", logSize: 100}, log, nil)
	if err != nil {
		t.Fatalf("newStore with a running Redis: %v", err)
	}
	rs, ok := s.(*redisstore.Store)
	if !ok {
		t.Fatalf("newStore with -redis: %T, want the Redis store", s)
	}
	if _, err := rs.Now(t.Context()); err != nil {
		t.Errorf("Now: %v", err)
	}
	if err := ping(t.Context()); err != nil {
		t.Errorf("ping: %v", err)
	}
	if err := closeStore(context.Background()); err != nil {
		t.Errorf("closing the Redis store: %v", err)
	}
}
