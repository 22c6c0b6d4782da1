package redisstore

import (
	"cmp"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// URLForms documents the Redis URLs New accepts, for flag usage and errors.
const URLForms = `redis://[user:password@]host:port[/db] (one server; rediss:// for TLS), ` +
	`redis://host1:port1,host2:port2?cluster=true (a Redis Cluster, found from any of its nodes), ` +
	`redis://sentinel1:port1,sentinel2:port2[/db]?master_name=NAME (the master Sentinel monitors as NAME); ` +
	`go-redis URL options such as dial_timeout=2s or pool_size=50 may follow`

// clientFactory makes a client for one parsed URL; poolSize > 0 replaces
// the pool size (per master, on a Cluster).
type clientFactory func(poolSize int) redis.UniversalClient

// DefaultPoolTimeout is how long a call waits at most for one of the
// pool's connections when the URL sets no pool_timeout. A call whose
// context ends first fails then, as Unavailable ("no answer in time"): the
// caller's deadline decides, and this bounds only the calls without one.
// go-redis's default (its read timeout and a second, 4 s) failed joins that
// still had most of their clients' deadlines left, when a burst of them
// queued for the connections (BENCHMARKS.md, 10,000 rooms of 10); waiters
// are served in order, so waiting is fair, and a call that gave up would
// only queue again at the end.
const DefaultPoolTimeout = time.Minute

// DefaultPoolSize is how many connections the pool of ordinary calls
// holds (per master, on a Cluster) when the URL sets no pool_size: how many
// round trips may be in flight at once. Under load a round trip's time is
// mostly the wait for the Go scheduler to run the goroutine holding the
// connection, among the tens of thousands a busy instance has, not Redis's
// work: with go-redis's default, 10 per CPU (20 here), 10,000 rooms of 10
// starting at once did about a thousand round trips a second with Redis
// 80 % idle, and 42,717 answers timed out; with 200, 609 did (BENCHMARKS.md).
// The number is fixed: it does not grow with rooms.
const DefaultPoolSize = 200

// ConnBufferSize is the size of each pooled connection's read buffer and
// of its write buffer (go-redis's default: 32 KiB each). The pool holds up
// to DefaultPoolSize connections, and the scripts' requests and most
// replies are a few hundred bytes: 200 connections held 12.5 MiB of
// buffers, 1.3 KiB per player with 10,000 players on the instance. A
// bigger reply (a scoreboard) is read in more calls, not refused.
const ConnBufferSize = 4 << 10

// parseURL reads a Redis URL in one of the URLForms, with
// DefaultPoolSize and DefaultPoolTimeout where the URL sets neither. Every
// client it makes has ContextTimeoutEnabled, so a call's context bounds its Redis round
// trip and its wait for a pooled connection, and MaxRetries -1: state
// changes are not idempotent, and a retry after a lost reply could apply
// one twice, so failures go to the caller.
func parseURL(raw string) (clientFactory, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || (scheme != "redis" && scheme != "rediss") {
		return nil, fmt.Errorf("redis URL %q: want %s", redact(raw), URLForms)
	}
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	user := ""
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		user, authority = authority[:i+1], authority[i+1:]
	}
	hosts := strings.Split(authority, ",")
	path, rawQuery, _ := strings.Cut(tail, "?")
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("redis URL %q: bad query: %v", redact(raw), err)
	}
	cluster := query.Get("cluster") == "true"
	if query.Has("cluster") && query.Get("cluster") != "true" && query.Get("cluster") != "false" {
		return nil, fmt.Errorf("redis URL %q: cluster=%s: want true or false", redact(raw), query.Get("cluster"))
	}
	query.Del("cluster")
	sentinel := query.Get("master_name") != ""
	for _, h := range hosts {
		if h == "" {
			return nil, fmt.Errorf("redis URL %q: empty host address", redact(raw))
		}
	}
	if cluster && sentinel {
		return nil, fmt.Errorf("redis URL %q: cluster=true and master_name do not go together", redact(raw))
	}
	if !cluster && !sentinel && len(hosts) > 1 {
		return nil, fmt.Errorf("redis URL %q: several addresses need cluster=true or master_name=NAME", redact(raw))
	}
	for _, h := range hosts[1:] {
		query.Add("addr", h)
	}
	rebuilt := scheme + "://" + user + hosts[0] + path
	if q := query.Encode(); q != "" {
		rebuilt += "?" + q
	}
	switch {
	case cluster:
		opt, err := redis.ParseClusterURL(rebuilt)
		if err != nil {
			return nil, urlError(raw, err)
		}
		tune(&opt.ContextTimeoutEnabled, &opt.MaxRetries, &opt.PoolTimeout, &opt.ReadBufferSize, &opt.WriteBufferSize)
		return func(poolSize int) redis.UniversalClient {
			o := *opt
			o.PoolSize = cmp.Or(poolSize, o.PoolSize, DefaultPoolSize)
			return redis.NewClusterClient(&o)
		}, nil
	case sentinel:
		opt, err := redis.ParseFailoverURL(rebuilt)
		if err != nil {
			return nil, urlError(raw, err)
		}
		tune(&opt.ContextTimeoutEnabled, &opt.MaxRetries, &opt.PoolTimeout, &opt.ReadBufferSize, &opt.WriteBufferSize)
		return func(poolSize int) redis.UniversalClient {
			o := *opt
			o.PoolSize = cmp.Or(poolSize, o.PoolSize, DefaultPoolSize)
			return redis.NewFailoverClient(&o)
		}, nil
	}
	opt, err := redis.ParseURL(rebuilt)
	if err != nil {
		return nil, urlError(raw, err)
	}
	tune(&opt.ContextTimeoutEnabled, &opt.MaxRetries, &opt.PoolTimeout, &opt.ReadBufferSize, &opt.WriteBufferSize)
	return func(poolSize int) redis.UniversalClient {
		o := *opt
		o.PoolSize = cmp.Or(poolSize, o.PoolSize, DefaultPoolSize)
		return redis.NewClient(&o)
	}, nil
}

// tune sets what every client of the store has, whatever its kind (one
// server, Cluster, Sentinel: go-redis has an options type for each):
// context timeouts, no retries, DefaultPoolTimeout unless the URL set one,
// and ConnBufferSize buffers.
func tune(contextTimeout *bool, maxRetries *int, poolTimeout *time.Duration, readBuffer, writeBuffer *int) {
	*contextTimeout, *maxRetries = true, -1
	*poolTimeout = cmp.Or(*poolTimeout, DefaultPoolTimeout)
	*readBuffer, *writeBuffer = ConnBufferSize, ConnBufferSize
}

// urlError reports a URL go-redis refused.
func urlError(raw string, err error) error {
	return fmt.Errorf("redis URL %q: %v", redact(raw), err)
}

// redact hides a URL's password.
func redact(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return raw
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return raw
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
