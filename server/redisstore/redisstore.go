// Package redisstore is the Redis room store: rooms live in Redis (one
// server, Sentinel or Cluster), so several server instances share them and
// survive each other's restarts. Every state change is one Lua script that
// also appends the room's events to the room's stream; all of a room's keys
// share the hash tag {CODE}, so a room lives in one Cluster slot and its
// scripts stay atomic. Times come from the Redis clock. It passes package
// storetest like the memory store; README.md describes the key layout.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/quizroom/quizroom/server/room"
)

// Config configures a Store. Zero fields get the documented defaults.
type Config struct {
	// URL says where Redis is, in one of the URLForms; required.
	URL string
	// Prefix starts every key, so that several deployments (or tests) can
	// share a Redis; default "quiz:". It may not contain '{' or '}'.
	Prefix string
	// LogSize is how many events each room keeps, at least (streams are
	// trimmed with MAXLEN ~, which keeps whole nodes); default 1000.
	LogSize int
	// Tracer, when set, makes every Redis command an OpenTelemetry span (without its arguments, which hold answers and
	// token hashes).
	Tracer trace.TracerProvider
	// MaxBatch is how many concurrent answers to one room one submit
	// script records at most (see Store.Submit); default DefaultMaxBatch,
	// 1: one script per answer.
	MaxBatch int
}

// Defaults of Config.
const (
	DefaultPrefix  = "quiz:"
	DefaultLogSize = 1000
)

// Store keeps rooms in Redis. It is safe for concurrent use.
type Store struct {
	client redis.UniversalClient // every call but the heartbeats
	// beats renews the owners' heartbeats on a connection of its own
	// (per master): behind a burst of calls queued for the pool's
	// connections, a heartbeat would lapse, and with it every lease it
	// keeps.
	beats   redis.UniversalClient
	notes   *notifier // the subscriptions Wait waits on
	leases  *leases   // the owners' heartbeats and leases granted here
	pres    *presence // the instances' presence leases renewed here, and the dead ones
	submits *submits  // answers waiting for their room's next submit script
	sharded bool      // a Cluster: scripts SPUBLISH, Wait SSUBSCRIBEs
	prefix  string
	logSize int
}

// New returns a Store for cfg. It does not connect: call Ping to check that
// Redis answers.
func New(cfg Config) (*Store, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if strings.ContainsAny(cfg.Prefix, "{}") {
		return nil, fmt.Errorf("redis key prefix %q: no braces allowed, they would change the Cluster hash tag", cfg.Prefix)
	}
	if cfg.LogSize <= 0 {
		cfg.LogSize = DefaultLogSize
	}
	newClient, err := parseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	s := &Store{client: newClient(0), beats: newClient(1), prefix: cfg.Prefix, logSize: cfg.LogSize, submits: newSubmits(cfg.MaxBatch)}
	_, s.sharded = s.client.(*redis.ClusterClient)
	s.notes, s.leases, s.pres = newNotifier(s), newLeases(), newPresence()
	if cfg.Tracer != nil {
		for _, c := range []redis.UniversalClient{s.client, s.beats} {
			if err := redisotel.InstrumentTracing(c, redisotel.WithTracerProvider(cfg.Tracer), redisotel.WithDBStatement(false)); err != nil {
				_ = s.Close()
				return nil, fmt.Errorf("tracing redis: %w", err)
			}
		}
	}
	return s, nil
}

// Ping checks that Redis answers (every master, for a Cluster).
func (s *Store) Ping(ctx context.Context) error {
	if c, ok := s.client.(*redis.ClusterClient); ok {
		err := c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error { return m.Ping(ctx).Err() })
		return fail(err)
	}
	return fail(s.client.Ping(ctx).Err())
}

// Close closes the store's connections.
func (s *Store) Close() error {
	return errors.Join(s.notes.close(), s.client.Close(), s.beats.Close())
}

// The keys of a room, all with the room's hash tag.
const (
	keySpec     = "spec"     // string: the Spec as JSON
	keyState    = "state"    // hash: the State's fields, and the room's constants
	keyLog      = "log"      // stream: the events, entry <seq>-0 each
	keyPlayers  = "players"  // hash: player id → record (JSON)
	keyNames    = "names"    // hash: name key → player id, kicked names included
	keyTokens   = "tokens"   // hash: token hash → player id
	keyRank     = "rank"     // sorted set: active players in rank order
	keyPresence = "presence" // hash: player id → open streams on every live instance
	keyStreams  = "streams"  // hash: instance/player id → open streams on that instance
	keyLeases   = "leases"   // hash: instance → the epoch of its presence lease its streams count under, plus MARKED
	keyJoined   = "joined"   // list: joins since the last roster event, of rooms older versions made
	keyLeft     = "left"     // list: departures since the last roster event
	keyLease    = "lease"    // string: the timer lease's owner, with a TTL
	keyAnswers  = "answers:" // hash per question: player id → answer (JSON)
)

// roomKeys lists every key of a room but the answers.
var roomKeys = []string{keySpec, keyState, keyLog, keyPlayers, keyNames, keyTokens, keyRank, keyPresence, keyStreams, keyLeases, keyJoined, keyLeft, keyLease}

// key is a room's key called name.
func (s *Store) key(code, name string) string { return s.prefix + "{" + code + "}:" + name }

// answersKey is the key of the answers to question q.
func (s *Store) answersKey(code string, q int) string {
	return s.key(code, keyAnswers+strconv.Itoa(q))
}

// keys is a room's keys called names.
func (s *Store) keys(code string, names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = s.key(code, n)
	}
	return out
}

// allKeys is every key of a room of n questions.
func (s *Store) allKeys(code string, n int) []string {
	out := s.keys(code, roomKeys...)
	for q := range n {
		out = append(out, s.answersKey(code, q))
	}
	return out
}

// liveKey is the set of live room codes, outside every room's slot.
func (s *Store) liveKey() string { return s.prefix + "{rooms}:live" }

// deckIDsKey is the sorted set of uploaded deck ids, scored by when each
// expires (ms); deckKey a deck's source, which expires then too. Decks
// share one hash tag so that saving one is one script.
func (s *Store) deckIDsKey() string       { return s.prefix + "{decks}:expiry" }
func (s *Store) deckKey(id string) string { return s.prefix + "{decks}:source:" + id }

// run runs a script and returns its reply and status (the reply's first
// element).
func (s *Store) run(ctx context.Context, script *redis.Script, keys []string, args ...any) (*reply, error) {
	return s.runOn(ctx, s.client, script, keys, args...)
}

// runOn runs a script as run does, on client c.
func (s *Store) runOn(ctx context.Context, c redis.UniversalClient, script *redis.Script, keys []string, args ...any) (*reply, error) {
	v, err := s.script(script).Run(ctx, c, keys, args...).Slice()
	if err != nil {
		return nil, fail(err)
	}
	r := newReply(v)
	return r, r.err
}

// script is the variant of script this store runs: the Cluster's, which
// announces events with SPUBLISH, on a Cluster.
func (s *Store) script(script *redis.Script) *redis.Script {
	if s.sharded {
		return shardedScripts[script]
	}
	return script
}

// unavailableReplies start the Redis error replies that mean "not now":
// loading a dataset, a Cluster down or resharding, a failover under way, a
// script running too long.
var unavailableReplies = []string{"LOADING", "CLUSTERDOWN", "TRYAGAIN", "MASTERDOWN", "READONLY", "NOREPLICAS", "BUSY"}

// fail maps a go-redis error: connection failures and "not now" replies
// are room.ErrUnavailable with a message that says why; a full Redis (OOM)
// is room.ErrFull; a cancelled call stays context.Canceled; other error
// replies (a bug) are internal.
func fail(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	var reply redis.Error
	if errors.As(err, &reply) {
		msg := reply.Error()
		switch {
		case strings.HasPrefix(msg, "OOM"), strings.Contains(msg, "OOM command not allowed"):
			return room.Errorf(room.ErrFull, "the server's store is full (Redis reached its maxmemory): nothing more can be stored now, try again later")
		case strings.HasPrefix(msg, "NOAUTH"), strings.HasPrefix(msg, "WRONGPASS"):
			return room.Errorf(room.ErrUnavailable, "redis unavailable: it refused the server's credentials")
		}
		for _, p := range unavailableReplies {
			if strings.HasPrefix(msg, p) {
				return room.Errorf(room.ErrUnavailable, "redis unavailable: %s", msg)
			}
		}
		return fmt.Errorf("redis: %w", err)
	}
	return room.Errorf(room.ErrUnavailable, "redis unavailable: %s", reason(err))
}

// reason says briefly why Redis could not be reached, without addresses.
// The cause itself is not kept in the chain: a closed connection (io.EOF)
// must not read as the end of a stream.
func reason(err error) string {
	var op *net.OpError
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "no answer in time"
	case errors.As(err, &op):
		return op.Op + ": " + op.Err.Error()
	case errors.Is(err, redis.ErrClosed):
		return "the store is closed"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection was closed"
	}
	return err.Error()
}

// ms is a duration in whole milliseconds, for scripts.
func ms(d time.Duration) int64 { return d.Milliseconds() }

// msTime is a time in milliseconds of the Unix epoch; 0 is no time.
func msTime(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

// flag is a bool for a script.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// msDuration is a duration of v milliseconds.
func msDuration(v int64) time.Duration { return time.Duration(v) * time.Millisecond }
