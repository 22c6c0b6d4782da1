package main

import (
	"net"
	"strings"
	"testing"

	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/redistest"
)

func TestNewStore(t *testing.T) {
	s, closeStore, err := newStore(&config{logSize: 100})
	if _, ok := s.(*memstore.Store); err != nil || !ok {
		t.Errorf("newStore without -redis: %T, %v; want the memory store", s, err)
	} else if err := closeStore(); err != nil {
		t.Errorf("closing the memory store: %v", err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	_ = l.Close()
	for url, want := range map[string]string{
		"http://" + closed:  "-redis: redis URL",
		"redis://" + closed: "-redis: Redis did not answer",
	} {
		if _, _, err := newStore(&config{redisURL: url, redisPrefix: "quiz:", logSize: 100}); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("newStore with -redis %s: %v; want an error starting %q", url, err, want)
		}
	}

	s, closeStore, err = newStore(&config{redisURL: redistest.Start(t).URL(), redisPrefix: "newstore:", logSize: 100})
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
	if err := closeStore(); err != nil {
		t.Errorf("closing the Redis store: %v", err)
	}
}
