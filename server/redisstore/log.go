package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/quizroom/quizroom/server/game"
	"github.com/quizroom/quizroom/server/room"
)

// Events returns up to max events with seq > after: one script reads the
// room's seq and the stream range together, so a missing room, no news and
// a trimmed log are told apart.
func (s *Store) Events(ctx context.Context, code string, after uint64, max int) ([]room.Event, error) {
	r, err := s.run(ctx, scriptEvents, s.keys(code, keyState, keyLog), after+1, max)
	if err != nil {
		return nil, err
	}
	if r.status == "notfound" {
		return nil, notFound(code)
	}
	seq := uint64(r.int(1))
	entries := r.list(2)
	switch {
	case r.err != nil:
		return nil, r.err
	case after > seq:
		return nil, room.Errorf(room.ErrLost, "room %s has no event %d: its last is %d, so events were lost", code, after, seq)
	case after == seq:
		return nil, nil
	}
	evs := make([]room.Event, 0, len(entries))
	for i := range entries {
		e, ok := entries[i].([]any)
		if !ok || len(e) != 2 {
			return nil, fmt.Errorf("redis: room %s: bad log entry %v", code, entries[i])
		}
		id, _ := e[0].(string)
		fields, _ := e[1].([]any)
		var raw string
		if len(fields) == 2 {
			raw, _ = fields[1].(string)
		}
		ev, err := decodeEvent(id, raw)
		if err != nil {
			return nil, fmt.Errorf("redis: room %s: %w", code, err)
		}
		evs = append(evs, ev)
	}
	return evs, trimmed(after, evs)
}

// Wait returns the room's events with seq > after once there are some, or
// what there is once wait passed. It waits for the room's channel to
// announce a seq past after (see notify.go) and then reads the new events
// with one XRANGE; it reads the whole way (the events script) when nobody
// here read since the channel's subscription was confirmed (the first
// time, after a reconnect) and when wait passes. When the subscriber's
// connection fails, so does Wait (ErrUnavailable).
func (s *Store) Wait(ctx context.Context, code string, after uint64, max int, wait time.Duration) ([]room.Event, error) {
	rc, err := s.notes.join(ctx, s.key(code, keyLog))
	if err != nil {
		return nil, fail(err)
	}
	defer s.notes.leave(rc)
	timer := time.NewTimer(wait)
	defer timer.Stop()
	fails, _ := s.notes.failure(rc)
	readTo := after // what this Wait read up to
	for {
		known, confirm, ok, wake := s.notes.state(rc)
		var evs []room.Event
		var err error
		switch {
		case !ok:
		case confirm > 0:
			if evs, err = s.Events(ctx, code, after, max); err == nil {
				s.notes.read(rc, confirm, seen(after, evs, max), through(after, evs))
			}
		case known > readTo:
			if evs, err = s.newEvents(ctx, code, rc, after, max); err == nil {
				readTo = known
				s.notes.read(rc, 0, seen(after, evs, max), through(after, evs))
			}
		}
		if err != nil || len(evs) > 0 {
			return evs, err
		}
		select {
		case <-wake:
			if f, err := s.notes.failure(rc); f != fails {
				return nil, fail(err)
			}
		case <-timer.C:
			return s.Events(ctx, code, after, max)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// seen is the seq a read of up to max events after after shows the log has
// reached: the last event's, one more when the read was cut at max.
func seen(after uint64, evs []room.Event, max int) uint64 {
	if len(evs) == 0 {
		return after
	}
	last := evs[len(evs)-1].Seq
	if len(evs) >= max {
		last++
	}
	return last
}

// through is the seq of the last of evs, read after after.
func through(after uint64, evs []room.Event) uint64 {
	if len(evs) == 0 {
		return after
	}
	return evs[len(evs)-1].Seq
}

// newEvents returns the events after after, which messages announced: as
// the messages carried them when they hold every one, else read with one
// XRANGE; when that finds none, with the events script, which tells a
// missing room and lost history apart.
func (s *Store) newEvents(ctx context.Context, code string, rc *roomChannel, after uint64, max int) ([]room.Event, error) {
	if ps, ok := s.notes.announced(rc, after, max); ok {
		evs := make([]room.Event, 0, len(ps))
		for _, p := range ps {
			ev, err := decodeEvent(strconv.FormatUint(p.seq, 10)+"-0", p.raw)
			if err != nil {
				return nil, fmt.Errorf("redis: room %s: %w", code, err)
			}
			evs = append(evs, ev)
		}
		return evs, nil
	}
	msgs, err := s.client.XRangeN(ctx, s.key(code, keyLog), strconv.FormatUint(after+1, 10)+"-0", "+", int64(max)).Result()
	if err != nil {
		return nil, fail(err)
	}
	if len(msgs) == 0 {
		return s.Events(ctx, code, after, max)
	}
	evs := make([]room.Event, 0, len(msgs))
	for _, m := range msgs {
		raw, _ := m.Values["e"].(string)
		ev, err := decodeEvent(m.ID, raw)
		if err != nil {
			return nil, fmt.Errorf("redis: room %s: %w", code, err)
		}
		evs = append(evs, ev)
	}
	return evs, trimmed(after, evs)
}

// trimmed is ErrTrimmed unless evs start right after after.
func trimmed(after uint64, evs []room.Event) error {
	if len(evs) == 0 {
		return room.Errorf(room.ErrTrimmed, "events after %d are no longer kept", after)
	}
	if evs[0].Seq != after+1 {
		return room.Errorf(room.ErrTrimmed, "events after %d are no longer kept; the oldest kept is %d", after, evs[0].Seq)
	}
	return nil
}

// wireEvent is an event as the scripts write it (field e of a log entry).
// Times and big numbers are strings: Lua's cjson writes numbers with 14
// digits.
type wireEvent struct {
	Type      int          `json:"t"`
	Time      int64        `json:"ts,string"`
	Q         int          `json:"q"`
	OpensAt   int64        `json:"op,string"`
	Deadline  int64        `json:"dl,string"`
	Counts    []int        `json:"c"`
	Answered  int          `json:"an"`
	Correct   int          `json:"co"`
	Players   int          `json:"pl"`
	Phase     int          `json:"ph"`
	Remaining int64        `json:"rm"`
	Locked    bool         `json:"lk"`
	Joined    []wirePlayer `json:"j"`
	Left      []wirePlayer `json:"l"`
	JOmitted  int          `json:"jo"`
	LOmitted  int          `json:"lo"`
	Player    *wirePlayer  `json:"p"`
	Reason    string       `json:"r"`
	Lost      bool         `json:"lost"`
	Played    int          `json:"pd"`
	Away      bool         `json:"aw"`
	Auto      bool         `json:"au"`
}

type wirePlayer struct {
	ID   string `json:"id"`
	Name string `json:"n"`
}

func (p wirePlayer) player() room.Player { return room.Player{ID: p.ID, Name: p.Name} }

func playerList(ps []wirePlayer) []room.Player {
	if len(ps) == 0 {
		return nil
	}
	out := make([]room.Player, len(ps))
	for i, p := range ps {
		out[i] = p.player()
	}
	return out
}

// decodeEvent decodes log entry id ("<seq>-0") with event raw.
func decodeEvent(id, raw string) (room.Event, error) {
	seqText, _, _ := strings.Cut(id, "-")
	seq, err := strconv.ParseUint(seqText, 10, 64)
	if err != nil {
		return room.Event{}, fmt.Errorf("bad log entry id %q", id)
	}
	var w wireEvent
	if err := json.Unmarshal([]byte(raw), &w); err != nil {
		return room.Event{}, fmt.Errorf("log entry %s: %w", id, err)
	}
	ev := room.Event{
		Seq: seq, Time: msTime(w.Time), Type: room.EventType(w.Type), Q: w.Q,
		OpensAt: msTime(w.OpensAt), Deadline: msTime(w.Deadline), Counts: w.Counts,
		Answered: w.Answered, Correct: w.Correct, Players: w.Players, Phase: game.Phase(w.Phase),
		Remaining: msDuration(w.Remaining), Locked: w.Locked, Joined: playerList(w.Joined), Left: playerList(w.Left),
		JoinedOmitted: w.JOmitted, LeftOmitted: w.LOmitted, Reason: w.Reason, Lost: w.Lost, Played: w.Played,
		Away: w.Away, AutoPacing: w.Auto,
	}
	if w.Player != nil {
		p := w.Player.player()
		ev.Player = &p
	}
	return ev, nil
}
