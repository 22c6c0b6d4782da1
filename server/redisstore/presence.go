package redisstore

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/quizroom/quizroom/server/room"
)

// Presence leases cost Redis per instance, not per room. An instance's
// presence lease is one entry of a hash outside every room ({rooms}:alive:
// instance → when it lapses and its epoch), renewed by one script (alive)
// every time the engine renews its presence, whatever its number of rooms.
// A room holds, per instance with streams there, the epoch they were
// counted under (in its leases hash, plus MARKED, so that an older version
// reads it as a lease far from lapsing). When an instance's lease lapses,
// the instances still current find it dead at their next renewal, and each
// drops its streams, once, in every room it renews or judges: a script per
// room then, and only then. An instance that finds its own lease lapsed
// takes a new epoch and sends its counts again (Lapsed), so that a room
// judged on the old epoch keeps the counts sent under the new one.

// presenceBatch is how many rooms' presence updates go in one pipeline:
// ten thousand rooms are judged in twenty round trips, and one pipeline
// keeps Redis busy for a few milliseconds at most, so other clients are
// served between them. With counts to set, an update is as big as its
// room's roster.
const presenceBatch = 500

// forgetDead is how long the lease of an instance that lapsed is kept,
// listed as dead, for rooms not judged yet (a room in the lobby is judged
// once its game starts): longer than a room stays idle by default.
const forgetDead = 24 * time.Hour

// marked is the lease a room holds for an instance's epoch (see MARKED in
// prelude.lua).
func marked(epoch int64) int64 { return epoch + 1_000_000_000_000_000 }

// presence is what a Store knows of the presence leases.
type presence struct {
	mu        sync.Mutex
	instances map[string]*instanceLease // instance → its lease, as renewed here
	dead      map[string]int64          // lapsed instance → its lease (marked epoch), from the last renewal
	version   int                       // changes with dead
	judged    map[string]int            // room → the version of dead it was judged against
}

// instanceLease is one instance's presence lease as renewed here.
type instanceLease struct {
	at      time.Time     // when it was renewed (local clock)
	ttl     time.Duration // for how long
	lease   int64         // its epoch, marked
	current bool          // it was current: it may judge the others
	lapsed  bool          // a renewal found it lapsed, and no Presence said so yet
	renewal *renewal      // in flight, or nil
}

func newPresence() *presence {
	return &presence{instances: map[string]*instanceLease{}, dead: map[string]int64{}, judged: map[string]int{}}
}

// aliveKey is the hash of the instances' presence leases, in the slot of
// the owners' keys.
func (s *Store) aliveKey() string { return s.prefix + "{rooms}:alive" }

// alive renews instance's presence lease for ttl, unless force is false
// and this Store renewed it for as long less than half of ttl ago, so that
// it has half of it left at least (Connect: the engine renews it every
// quarter of its TTL anyway). One renewal is in flight per instance: the
// other calls wait for it. It returns the lease as renewed.
func (s *Store) alive(ctx context.Context, instance string, ttl time.Duration, force bool) (instanceLease, error) {
	p := s.pres
	for {
		p.mu.Lock()
		l := p.instances[instance]
		if l == nil {
			l = &instanceLease{}
			p.instances[instance] = l
		}
		if r := l.renewal; r != nil {
			p.mu.Unlock()
			select {
			case <-r.done:
				if r.err != nil {
					return instanceLease{}, r.err
				}
				if force {
					continue
				}
				p.mu.Lock()
				defer p.mu.Unlock()
				return *l, nil
			case <-ctx.Done():
				return instanceLease{}, fail(ctx.Err())
			}
		}
		if !force && l.ttl == ttl && time.Since(l.at) < ttl/2 {
			defer p.mu.Unlock()
			return *l, nil
		}
		r := &renewal{done: make(chan struct{})}
		l.renewal = r
		p.mu.Unlock()
		start := time.Now()
		rep, err := s.runOn(ctx, s.beats, scriptAlive, []string{s.aliveKey()}, instance, max(ms(ttl), 1), ms(forgetDead))
		var dead []string
		if err == nil {
			dead = rep.strings(3)
			err = rep.err
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		l.renewal = nil
		r.err = err
		close(r.done)
		if err != nil {
			return instanceLease{}, err
		}
		// A lease that never was lapsed too for Presence (the engine then
		// sends its counts), but a Connect that makes it has nothing to
		// send again.
		lapsed := rep.int(1)
		l.at, l.ttl, l.lease, l.current = start, ttl, marked(rep.int(2)), lapsed == 0
		l.lapsed = l.lapsed || lapsed == 1 || force && lapsed == 2
		if lapsed == 0 {
			p.found(dead)
		}
		return *l, nil
	}
}

// found records the dead instances a renewal listed (pairs of instance and
// epoch); a change makes every room be judged again. p.mu is held.
func (p *presence) found(pairs []string) {
	dead := make(map[string]int64, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		e, _ := strconv.ParseInt(pairs[i+1], 10, 64)
		dead[pairs[i]] = marked(e)
	}
	same := len(dead) == len(p.dead)
	for id, e := range dead {
		if p.dead[id] != e {
			same = false
		}
	}
	if same {
		return
	}
	p.dead, p.version = dead, p.version+1
	clear(p.judged)
}

// toJudge returns the dead instances to judge room code against, as
// script arguments (pairs), and the version they are of; none when the
// room was judged against them already, or l may not judge.
func (p *presence) toJudge(code string, l instanceLease) ([]any, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !l.current || len(p.dead) == 0 || p.judged[code] == p.version {
		return nil, 0
	}
	args := make([]any, 0, 2*len(p.dead))
	for _, id := range slices.Sorted(maps.Keys(p.dead)) {
		args = append(args, id, p.dead[id])
	}
	return args, p.version
}

// judgedAt records that room code was judged against version of the dead.
func (p *presence) judgedAt(code string, version int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if version == p.version {
		p.judged[code] = version
	}
}

// reported clears instance's lapse, which a Presence reported.
func (p *presence) reported(instance string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if l := p.instances[instance]; l != nil {
		l.lapsed = false
	}
}

// Presence renews each instance's presence lease once (alive), and runs
// the presence script only in the rooms that need it: to set counts, and
// to drop the streams of instances found dead (each room once per dead
// instance), pipelined, one round trip per presenceBatch rooms (per
// master, on a Cluster). A renewal alone costs no command in its room, so
// it cannot tell a room that is gone; an update with counts can. When the
// instance's lease had lapsed (or never was), every update of it says
// Lapsed, and its renewals alone run nothing more: the engine sends its
// counts next. The script sets counts, so a batch the Cluster client sends
// again after losing its replies does no harm.
func (s *Store) Presence(ctx context.Context, ups []room.PresenceUpdate) []room.PresenceResult {
	out := make([]room.PresenceResult, len(ups))
	ttls := map[string]time.Duration{}
	for _, u := range ups {
		ttls[u.Instance] = max(ttls[u.Instance], u.TTL)
	}
	leases := make(map[string]instanceLease, len(ttls))
	for instance, ttl := range ttls {
		l, err := s.alive(ctx, instance, ttl, true)
		if err != nil {
			for i, u := range ups {
				if u.Instance == instance {
					out[i].Err = err
				}
			}
			continue
		}
		leases[instance] = l
		s.pres.reported(instance)
	}
	var sends []presenceSend
	for i, u := range ups {
		l, ok := leases[u.Instance]
		if !ok {
			continue
		}
		out[i].Lapsed = l.lapsed
		dead, version := s.pres.toJudge(u.Code, l)
		if u.Counts == nil && dead == nil {
			continue // renewed with the instance's lease
		}
		sends = append(sends, presenceSend{i: i, u: u, lease: l, dead: dead, version: version})
	}
	for i := 0; i < len(sends); i += presenceBatch {
		j := min(i+presenceBatch, len(sends))
		if err := s.presence(ctx, sends[i:j], out); err != nil {
			// Redis is out of reach: the rest would only wait as long to fail.
			for _, x := range sends[j:] {
				out[x.i] = room.PresenceResult{Err: err}
			}
			break
		}
	}
	return out
}

// presenceSend is one room's presence script: update i of a Presence
// call, with its instance's lease and the dead instances to judge the room
// against (version of them).
type presenceSend struct {
	i       int
	u       room.PresenceUpdate
	lease   instanceLease
	dead    []any
	version int
}

// presence runs one pipeline of presence scripts, each result into out.
// It returns an error when none of them reached Redis.
func (s *Store) presence(ctx context.Context, sends []presenceSend, out []room.PresenceResult) error {
	script := s.script(scriptPresence)
	cmds := s.presencePipeline(ctx, script, sends)
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
			again := make([]presenceSend, len(missing))
			for k, i := range missing {
				again[k] = sends[i]
			}
			for k, cmd := range s.presencePipeline(ctx, script, again) {
				cmds[missing[k]] = cmd
			}
		}
	}
	reached := false
	var first error
	for i, cmd := range cmds {
		x := sends[i]
		res := presenceResult(x.u.Code, cmd)
		res.Lapsed = out[x.i].Lapsed
		if res.Err != nil {
			res = room.PresenceResult{Err: res.Err}
			if first == nil {
				first = res.Err
			}
		} else if x.dead != nil {
			s.pres.judgedAt(x.u.Code, x.version)
		}
		out[x.i] = res
		var reply redis.Error
		if err := cmd.Err(); err == nil || errors.As(err, &reply) {
			reached = true
		}
	}
	if !reached {
		return first
	}
	return nil
}

// presencePipeline sends one presence script per room in one pipeline and
// returns their commands, each with its reply or error.
func (s *Store) presencePipeline(ctx context.Context, script *redis.Script, sends []presenceSend) []*redis.Cmd {
	cmds := make([]*redis.Cmd, len(sends))
	_, _ = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, x := range sends {
			u := x.u
			args := []any{u.Instance, x.lease.lease, max(ms(u.TTL), 1), flag(u.Counts != nil), s.logSize, flag(x.lease.current), len(x.dead) / 2}
			args = append(args, x.dead...)
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
	res := room.PresenceResult{AllAnswered: r.int(1) == 1}
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
