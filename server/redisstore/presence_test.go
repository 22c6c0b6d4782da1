package redisstore_test

import (
	"testing"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// TestJudgeKeepsALaterEpoch has instance B's store find instance A's
// presence lease lapsed, then A come back (a new epoch) and count its
// streams again, and only then B judge a room against what it found: A's
// streams, counted under the later epoch, keep counting. Then A lapses
// for good, and B drops them.
func TestJudgeKeepsALaterEpoch(t *testing.T) {
	url := redistest.Start(t).URL()
	a := open(t, url, 0)
	b := sharing(t, url, a)
	ctx := t.Context()
	codes := newRooms(t, a, 2)
	code, other := codes[0], codes[1]
	join := func(name string) string {
		t.Helper()
		p, err := a.Join(ctx, code, room.Join{Name: name, NameKey: name, TokenHash: name})
		if err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	ann, bob := join("ann"), join("bob")
	connect := func(s *redisstore.Store, instance, id string, ttl time.Duration) {
		t.Helper()
		if _, err := s.Connect(ctx, code, room.Connection{PlayerID: id, Instance: instance, Delta: 1, TTL: ttl}); err != nil {
			t.Fatal(err)
		}
	}
	presence := func(s *redisstore.Store, u room.PresenceUpdate) room.PresenceResult {
		t.Helper()
		res := s.Presence(ctx, []room.PresenceUpdate{u})[0]
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		return res
	}
	waiting := func(what string, want int) {
		t.Helper()
		st, err := a.State(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if st.Waiting != want {
			t.Errorf("%s: waiting %d, want %d", what, st.Waiting, want)
		}
	}
	const lapse = 300 * time.Millisecond
	connect(a, "A", ann, lapse)
	connect(b, "B", bob, time.Minute)
	if _, err := a.Advance(ctx, code, room.Transition{To: game.PhaseQuestion, Limit: time.Minute}); err != nil {
		t.Fatal(err)
	}
	waiting("opened", 2)
	time.Sleep(lapse * 3 / 2)
	// B finds A lapsed, judging another room only.
	presence(b, room.PresenceUpdate{Code: other, Instance: "B", TTL: time.Minute})
	// A comes back under a new epoch and counts its streams again.
	if res := presence(a, room.PresenceUpdate{Code: code, Instance: "A", TTL: lapse}); !res.Lapsed {
		t.Fatalf("A after its lease lapsed: %+v, want Lapsed", res)
	}
	presence(a, room.PresenceUpdate{Code: code, Instance: "A", TTL: lapse, Counts: map[string]int{ann: 1}})
	// B's next stream in the room judges it against A's old epoch.
	carl := join("carl")
	connect(b, "B", carl, time.Minute)
	waiting("B judged A's old epoch after A counted again", 3)
	// A lapses for good: B's next renewal finds it and drops its streams.
	time.Sleep(lapse * 3 / 2)
	presence(b, room.PresenceUpdate{Code: code, Instance: "B", TTL: time.Minute})
	waiting("A lapsed for good", 2)
}

// sharing opens another Store on the same keys as s: another instance's.
func sharing(t *testing.T, url string, s *redisstore.Store) *redisstore.Store {
	t.Helper()
	o, err := redisstore.New(redisstore.Config{URL: url, Prefix: redisstore.KeyPrefix(s)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = o.Close() })
	return o
}
