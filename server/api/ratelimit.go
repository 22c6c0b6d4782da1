package api

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter keeps one token bucket per client key (a peer address, a token).
// Buckets idle for a minute are dropped, so the map stays as small as the
// set of active clients.
type limiter struct {
	rate  rate.Limit
	burst int

	mu      sync.Mutex // guards buckets and swept
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

const bucketIdle = time.Minute

// newLimiter allows perSecond events per key with bursts of twice that; a
// rate of 0 or less allows everything.
func newLimiter(perSecond float64) *limiter {
	if perSecond <= 0 {
		return &limiter{rate: rate.Inf}
	}
	return &limiter{rate: rate.Limit(perSecond), burst: max(int(2*perSecond), 1), buckets: map[string]*bucket{}}
}

// allow reports whether key may act now.
func (l *limiter) allow(key string) bool {
	if l.rate == rate.Inf {
		return true
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > bucketIdle {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > bucketIdle {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}
