package api

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
)

// limiter keeps one token bucket per client key (an address, a player).
// Buckets idle for long enough to have refilled are dropped, so the map
// stays as small as the set of active clients.
type limiter struct {
	rate  rate.Limit
	burst int
	idle  time.Duration // how long a bucket takes to refill, at least a minute

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
	return newBurstLimiter(perSecond, max(int(2*perSecond), 1))
}

// newBurstLimiter allows perSecond events per key with bursts of burst;
// a rate of 0 or less allows everything.
func newBurstLimiter(perSecond float64, burst int) *limiter {
	if perSecond <= 0 {
		return &limiter{rate: rate.Inf}
	}
	refill := time.Duration(float64(burst) / perSecond * float64(time.Second))
	return &limiter{rate: rate.Limit(perSecond), burst: burst, idle: max(bucketIdle, refill), buckets: map[string]*bucket{}}
}

// allow reports whether key may act now, and counts it when it may.
func (l *limiter) allow(key string) bool { return l.take(key, 1) }

// ok reports whether key may act now, without counting it.
func (l *limiter) ok(key string) bool { return l.take(key, 0) }

// take counts n events of key, and reports whether key had room for
// max(n, 1) of them.
func (l *limiter) take(key string, n int) bool {
	if l.rate == rate.Inf {
		return true
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > l.idle {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > l.idle {
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
	if n == 0 {
		return b.lim.TokensAt(now) >= 1
	}
	return b.lim.AllowN(now, n)
}

// streams counts open streams per key, up to a limit.
type streams struct {
	limit int // 0 or less: no limit

	mu   sync.Mutex // guards open
	open map[string]int
}

// acquire counts a stream of key in, if key has fewer than the limit open.
func (s *streams) acquire(key string) bool {
	if s.limit <= 0 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[key] >= s.limit {
		return false
	}
	s.open[key]++
	return true
}

// release counts a stream of key out.
func (s *streams) release(key string) {
	if s.limit <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.open[key]--; s.open[key] <= 0 {
		delete(s.open, key)
	}
}

// clientKey is who a call comes from, for the limits that count by
// address: the peer's address, or, when the peer is a trusted proxy, the
// address x-forwarded-for names (the last one that is not a trusted proxy
// itself). Addresses count by network: an IPv4 address alone (/32), an
// IPv6 address by its /64, which one subscriber usually has whole.
func (s *Server) clientKey(ctx context.Context) string {
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return "unknown"
	}
	addr, err := netip.ParseAddrPort(p.Addr.String())
	if err != nil {
		host, _, err := net.SplitHostPort(p.Addr.String())
		if err != nil {
			return p.Addr.String()
		}
		return host
	}
	a := addr.Addr().Unmap()
	if s.trusted(a) {
		a = s.forwarded(ctx, a)
	}
	return network(a)
}

// trusted reports whether a is one of the configured proxies.
func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwarded is the client a trusted proxy at a forwards for: the last
// address of x-forwarded-for that is not a trusted proxy, or a when there
// is none.
func (s *Server) forwarded(ctx context.Context, a netip.Addr) netip.Addr {
	var hops []string
	for _, v := range metadata.ValueFromIncomingContext(ctx, "x-forwarded-for") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		h, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return a // a hop that is not an address: trust nothing before it
		}
		if h = h.Unmap(); !s.trusted(h) {
			return h
		}
	}
	return a
}

// network is the key of an address: itself for IPv4, its /64 for IPv6.
func network(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return a.String()
	}
	return p.String()
}
