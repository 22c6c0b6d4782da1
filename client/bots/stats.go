package bots

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// Summary describes a set of measured durations.
type Summary struct {
	N                  int
	P50, P90, P99, Max time.Duration
}

// String is "n=… p50=… p90=… p99=… max=…".
func (s Summary) String() string {
	if s.N == 0 {
		return "n=0"
	}
	r := func(d time.Duration) time.Duration {
		if d < 10*time.Millisecond {
			return d.Round(10 * time.Microsecond)
		}
		return d.Round(time.Millisecond)
	}
	return fmt.Sprintf("n=%d p50=%s p90=%s p99=%s max=%s", s.N, r(s.P50), r(s.P90), r(s.P99), r(s.Max))
}

// Summarize sorts ds and summarizes it (nearest-rank percentiles).
func Summarize(ds []time.Duration) Summary {
	if len(ds) == 0 {
		return Summary{}
	}
	slices.Sort(ds)
	at := func(p float64) time.Duration {
		i := int(p*float64(len(ds))+0.999999) - 1
		return ds[min(max(i, 0), len(ds)-1)]
	}
	return Summary{N: len(ds), P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: ds[len(ds)-1]}
}

// samples collects durations by name from many goroutines.
type samples struct {
	mu sync.Mutex // guards by
	by map[string][]time.Duration
}

func (s *samples) add(name string, d time.Duration) {
	s.mu.Lock()
	if s.by == nil {
		s.by = map[string][]time.Duration{}
	}
	s.by[name] = append(s.by[name], d)
	s.mu.Unlock()
}

// summaries summarizes every name.
func (s *samples) summaries() map[string]Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Summary, len(s.by))
	for name, ds := range s.by {
		out[name] = Summarize(slices.Clone(ds))
	}
	return out
}

// raw copies every sample by name.
func (s *samples) raw() map[string][]time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]time.Duration, len(s.by))
	for name, ds := range s.by {
		out[name] = slices.Clone(ds)
	}
	return out
}
