package room

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// recent keeps what was read or rendered for a key for ttl, so that other
// requests for the same key in that time share it, and callers that miss
// the same key at the same time share one read of it. A kept value is
// shared: no caller may change it. The zero value is ready for a ttl of
// zero; set ttl before use.
type recent[K interface {
	comparable
	fmt.Stringer
}, V any] struct {
	ttl      time.Duration
	mu       sync.Mutex // guards m
	m        map[K]recentEntry[V]
	inflight singleflight.Group // by K.String
}

type recentEntry[V any] struct {
	v  V
	at time.Time
}

// get returns the value named key, making it with read unless one made less
// than ttl ago is kept or a read of it is under way. A shared read that
// failed because its first caller gave up is made again for a caller that
// did not.
func (r *recent[K, V]) get(ctx context.Context, key K, read func(context.Context) (V, error)) (V, error) {
	now := time.Now()
	r.mu.Lock()
	if ent, ok := r.m[key]; ok && now.Sub(ent.at) < r.ttl {
		r.mu.Unlock()
		return ent.v, nil
	}
	r.mu.Unlock()
	v, err, shared := r.inflight.Do(key.String(), func() (any, error) {
		v, err := read(ctx)
		if err != nil {
			return nil, err
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		for k, ent := range r.m {
			if now.Sub(ent.at) >= r.ttl {
				delete(r.m, k)
			}
		}
		if r.m == nil {
			r.m = make(map[K]recentEntry[V])
		}
		r.m[key] = recentEntry[V]{v: v, at: now}
		return v, nil
	})
	if err != nil && shared && ctx.Err() == nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return read(ctx)
	}
	if err != nil {
		var zero V
		return zero, err
	}
	return v.(V), nil
}

// put keeps v for key for ttl, as a read of it would have.
func (r *recent[K, V]) put(key K, v V) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = make(map[K]recentEntry[V])
	}
	r.m[key] = recentEntry[V]{v: v, at: time.Now()}
}
