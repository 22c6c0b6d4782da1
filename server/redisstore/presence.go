package redisstore

import (
	"context"
	"errors"

	"github.com/redis/go-redis/v9"

	"github.com/quizroom/quizroom/server/room"
)

// presenceBatch is how many rooms' presence updates go in one pipeline:
// ten thousand rooms are renewed in twenty round trips, and one pipeline
// keeps Redis busy for a few milliseconds at most (a renewal with every
// lease current runs four commands), so other clients are served between
// them. With counts to set, an update is as big as its room's roster.
const presenceBatch = 500

// Presence applies presence updates, each by the presence script,
// pipelined: one round trip per presenceBatch rooms (per master, on a
// Cluster). The script sets a lease and counts, so a batch the Cluster
// client sends again after losing its replies does no harm.
func (s *Store) Presence(ctx context.Context, ups []room.PresenceUpdate) []room.PresenceResult {
	out := make([]room.PresenceResult, len(ups))
	for i := 0; i < len(ups); i += presenceBatch {
		j := min(i+presenceBatch, len(ups))
		if err := s.presence(ctx, ups[i:j], out[i:j]); err != nil {
			// Redis is out of reach: the rest would only wait as long to fail.
			for k := j; k < len(ups); k++ {
				out[k].Err = err
			}
			break
		}
	}
	return out
}

// presence applies one pipeline of updates into out. It returns an error
// when none of them reached Redis.
func (s *Store) presence(ctx context.Context, ups []room.PresenceUpdate, out []room.PresenceResult) error {
	script := s.script(scriptPresence)
	cmds := s.presencePipeline(ctx, script, ups)
	// A Redis that restarted or flushed its scripts runs none of them
	// (NOSCRIPT): load it once, and send those again.
	var missing []int
	for i, cmd := range cmds {
		if redis.HasErrorPrefix(cmd.Err(), "NOSCRIPT") {
			missing = append(missing, i)
		}
	}
	if len(missing) > 0 {
		if err := script.Load(ctx, s.client).Err(); err == nil {
			again := make([]room.PresenceUpdate, len(missing))
			for k, i := range missing {
				again[k] = ups[i]
			}
			for k, cmd := range s.presencePipeline(ctx, script, again) {
				cmds[missing[k]] = cmd
			}
		}
	}
	reached := false
	for i, cmd := range cmds {
		out[i] = presenceResult(ups[i].Code, cmd)
		var reply redis.Error
		if err := cmd.Err(); err == nil || errors.As(err, &reply) {
			reached = true
		}
	}
	if !reached {
		return out[0].Err
	}
	return nil
}

// presencePipeline sends one presence script per update in one pipeline
// and returns their commands, each with its reply or error.
func (s *Store) presencePipeline(ctx context.Context, script *redis.Script, ups []room.PresenceUpdate) []*redis.Cmd {
	cmds := make([]*redis.Cmd, len(ups))
	_, _ = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, u := range ups {
			args := []any{u.Instance, max(ms(u.TTL), 1), flag(u.Counts != nil), s.logSize}
			for id, n := range u.Counts {
				args = append(args, id, n)
			}
			cmds[i] = script.EvalSha(ctx, p, s.presenceKeys(u.Code), args...)
		}
		return nil
	})
	return cmds
}

// presenceResult reads the presence script's reply for room code.
func presenceResult(code string, cmd *redis.Cmd) room.PresenceResult {
	v, err := cmd.Slice()
	if err != nil {
		return room.PresenceResult{Err: fail(err)}
	}
	r := newReply(v)
	if r.status == "notfound" {
		return room.PresenceResult{Err: notFound(code)}
	}
	res := room.PresenceResult{Lapsed: r.int(1) == 1, AllAnswered: r.int(2) == 1}
	if r.err != nil {
		return room.PresenceResult{Err: r.err}
	}
	return res
}

// presenceKeys are the keys the presence scripts use: the log too, for
// the host's presence (EventHost), and last the prefix of the answer
// hashes.
func (s *Store) presenceKeys(code string) []string {
	return s.keys(code, keyState, keyPlayers, keyPresence, keyStreams, keyLeases, keyLog, keyAnswers)
}
