package room_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/quizroom/quizroom/server/redisstore"
	"github.com/quizroom/quizroom/server/redistest"
	"github.com/quizroom/quizroom/server/room"
)

// patientStore makes every Wait wait an hour: a hub that waited in vain
// reads the log (every room.WaitMax), which would blur a count of other
// round trips.
type patientStore struct{ room.Store }

func (s patientStore) Wait(ctx context.Context, code string, after uint64, max int, _ time.Duration) ([]room.Event, error) {
	return s.Store.Wait(ctx, code, after, max, time.Hour)
}

// TestRenewalsArePerInstance has instance b watch 200 rooms that instance
// a owns, and counts b's Redis round trips (a tracer's spans: one per
// command, one per pipeline) while b renews its presence lease, which
// covers every room it has streams in: one script, not one per room, so
// that an instance's renewals cost Redis per instance, not per room.
func TestRenewalsArePerInstance(t *testing.T) {
	const rooms = 200
	srv := redistest.StartProcess(t)
	plain, err := redisstore.New(redisstore.Config{URL: srv.URL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = plain.Close() })
	spans := tracetest.NewSpanRecorder()
	traced, err := redisstore.New(redisstore.Config{URL: srv.URL(), Tracer: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = traced.Close() })
	const ttl = 2 * time.Second // renewed every 500 ms
	cfg := room.Config{PresenceTTL: ttl, Sweep: 500 * time.Millisecond}

	a := startInstance(t, plain, "a", cfg)
	codes := make([]string, rooms)
	for i := range codes {
		codes[i] = newRoom(t, a.e)
	}
	// a owns every room before b starts, so b drives no room's timers.
	until(t, "a owns every room", func() bool { return a.e.Stats().Owned == rooms })
	b := startInstance(t, patientStore{traced}, "b", cfg)
	for _, code := range codes {
		p := joinAll(t, a.e, code, "Ann")
		watch(t, b.e, code, p[0])
	}

	// b's presence lease, as Redis has it: when it lapses, and its epoch.
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { _ = rdb.Close() })
	renewedAfter := func(t0 time.Time) bool {
		leases, err := rdb.HGetAll(context.Background(), redisstore.DefaultPrefix+"{rooms}:alive").Result()
		if err != nil {
			t.Fatal(err)
		}
		for instance, lease := range leases {
			until, _, _ := strings.Cut(lease, ":")
			ms, _ := strconv.ParseInt(until, 10, 64)
			if strings.HasPrefix(instance, "b.") && ms > t0.Add(ttl).UnixMilli() {
				return true
			}
		}
		return false
	}

	// The watches' aftermath (roster events, the hubs' first reads) has
	// passed after a second; the count starts before the clock is read,
	// so that it cannot miss a renewal that comes after the reading.
	time.Sleep(time.Second)
	from := len(spans.Ended())
	t0, err := plain.Now(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	until(t, "b renews its lease", func() bool { return renewedAfter(t0) })
	// Scripts, alone or pipelined: the round trips a renewal may take
	// (not, say, the dials of the pool's new connections).
	trips, byName := 0, map[string]int{}
	for _, s := range spans.Ended()[from:] {
		byName[s.Name()]++
		if s.Name() == "evalsha" || s.Name() == "redis.pipeline evalsha" {
			trips++
		}
	}
	t.Logf("b renewed its lease for %d rooms with %d round trips of scripts: %v", rooms, trips, byName)
	// The renewal, and the sweeps (Orphans) that ran meanwhile: a few.
	if trips >= 10 {
		t.Errorf("b renewed its lease for %d rooms with %d round trips of scripts, want a few, whatever the rooms: %v", rooms, trips, byName)
	}
}
