package redisstore

import "time"

// Pending reports room code's answers waiting for its next submit script,
// and whether a script of the room is in flight or about to be.
func Pending(s *Store, code string) (waiting int, busy bool) {
	s.submits.mu.Lock()
	defer s.submits.mu.Unlock()
	q, busy := s.submits.queues[code]
	return len(q), busy
}

// ObserveBatches calls f with the size of each batch of answers as its
// script starts, and how long each of its answers waited for it.
func ObserveBatches(s *Store, f func(size int, waits []time.Duration)) {
	s.submits.observe = func(batch []*pending, start time.Time) {
		waits := make([]time.Duration, len(batch))
		for i, a := range batch {
			waits[i] = start.Sub(a.queued)
		}
		f(len(batch), waits)
	}
}

// KeyPrefix is the prefix of s's keys, for a second Store on the same
// keys (another instance).
func KeyPrefix(s *Store) string { return s.prefix }
