// Package stats summarises benchmark samples: count, percentiles, maximum.
package stats

import (
	"fmt"
	"slices"
	"time"
)

// Summary is a distribution of durations.
type Summary struct {
	N             int
	P50, P99, Max time.Duration
}

// Summarize sorts ds in place and summarises it.
func Summarize(ds []time.Duration) Summary {
	if len(ds) == 0 {
		return Summary{}
	}
	slices.Sort(ds)
	at := func(p float64) time.Duration { return ds[min(int(p*float64(len(ds))), len(ds)-1)] }
	return Summary{N: len(ds), P50: at(0.50), P99: at(0.99), Max: ds[len(ds)-1]}
}

// String prints p50, p99 and max in milliseconds.
func (s Summary) String() string {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return fmt.Sprintf("p50 %.1f ms, p99 %.1f ms, max %.1f ms (n=%d)", ms(s.P50), ms(s.P99), ms(s.Max), s.N)
}
