package conn

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	quizv1 "github.com/quizroom/quizroom/proto/quiz/v1"
)

// Update is what Follow reports: an event as it arrives, or a change of
// the stream's connection.
type Update struct {
	// Event is the event received; nil for a connection update.
	Event *quizv1.Event
	// Personal is the watching player's own part of Event, when it has one.
	Personal *quizv1.Personal
	// Received is when the event arrived, by the local clock.
	Received time.Time
	// Reconnecting is true on a connection update sent before Follow
	// waits and watches again.
	Reconnecting bool
	// Attempt counts the reconnections in a row without an event, from 1.
	Attempt int
	// Wait is how long Follow waits before it watches again.
	Wait time.Duration
	// Err is why the stream dropped.
	Err error
}

// FollowConfig tunes Follow. Zero fields get the documented defaults.
type FollowConfig struct {
	// Code is the room's code.
	Code string
	// AfterSeq is the last seq already seen; 0 starts with a snapshot.
	AfterSeq uint64
	// Epoch is the room's epoch that AfterSeq belongs to (RoomInfo.epoch);
	// 0 when unknown. Follow learns it from every snapshot and sends it
	// when it resumes, so that a server that lost the room's history says
	// so (DataLoss) instead of replaying another one.
	Epoch uint64
	// MaxAttempts is how many reconnections in a row may fail before
	// Follow gives up; an event received resets the count. Default 20.
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the wait before a reconnection,
	// which doubles with each attempt and has jitter; defaults 250 ms and
	// 5 s.
	MinBackoff, MaxBackoff time.Duration
	// Now is the local clock; default time.Now.
	Now func() time.Time
	// Opened, when set, is a Watch call of the room that Open opened:
	// Follow goes on with it, its snapshot first, instead of opening
	// another, and closes it. AfterSeq and Epoch then play no part until
	// a reconnection, which Follow positions itself.
	Opened *Watch
}

func (cfg FollowConfig) withDefaults() FollowConfig {
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 20
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 250 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(5*time.Second, cfg.MinBackoff)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg
}

// errGap is why Follow drops a stream that skipped a seq.
var errGap = errors.New("events were skipped")

// Follow watches a room and calls handle with each event in seq order, once
// each: events already seen are dropped, a snapshot is always passed on (it
// replaces what the caller knew). When the stream drops with a status worth
// retrying (Unavailable, ResourceExhausted — too slow, or too many streams —,
// Aborted, Internal, Unknown) or skips a seq, Follow reports it, backs off
// and watches again after the last seq seen, with the room's epoch. It
// returns nil when handle returns false or the server ends the stream
// (after RoomClosed, or PlayerKicked for the caller); ctx's error when ctx
// ends; otherwise the error that stopped it, explained for people: DataLoss
// when the server lost the room's history, never retried; NotFound, once
// the room was seen, explained by Gone (a restart of a memory server, or a
// room that ended or expired).
func (c *Client) Follow(ctx context.Context, cfg FollowConfig, handle func(Update) bool) error {
	cfg = cfg.withDefaults()
	pos := position{seq: cfg.AfterSeq, epoch: cfg.Epoch}
	opened := cfg.Opened
	if opened != nil {
		// Opened under another context: it ends with Follow's too.
		defer context.AfterFunc(ctx, opened.Close)()
		defer opened.Close()
	}
	attempt := 0
	for {
		got, err := c.watchOnce(ctx, cfg, &pos, opened, handle)
		opened = nil
		if err == nil || ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, errStop) {
			return nil
		}
		if got {
			attempt = 0
		}
		if !retryable(err) {
			return Gone(c.notThere(ctx, cfg.Code, err), "watching room "+cfg.Code, c.addr, cfg.Code, pos.seen)
		}
		attempt++
		if attempt > cfg.MaxAttempts {
			return fmt.Errorf("gave up after %d reconnections: %w", cfg.MaxAttempts, Explain(err, "watching room "+cfg.Code, c.addr))
		}
		wait := backoff(cfg, attempt)
		if !handle(Update{Reconnecting: true, Attempt: attempt, Wait: wait, Err: Explain(err, "the event stream dropped", c.addr)}) {
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// notThere checks a room whose history the server says it lost
// (DataLoss, as a server answers a client that resumes a room it does not
// have): when the room is not there at all, the server's NotFound says why
// (a restart of a server that keeps rooms in memory), and is returned
// instead. Other errors are returned as they are.
func (c *Client) notThere(ctx context.Context, code string, err error) error {
	if status.Code(err) != codes.DataLoss {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if _, gerr := c.API.GetRoom(ctx, &quizv1.GetRoomRequest{RoomCode: code}); status.Code(gerr) == codes.NotFound {
		return gerr
	}
	return err
}

// errStop is how watchOnce says handle asked to stop.
var errStop = errors.New("stopped by the handler")

// position is where a follower is in a room's history.
type position struct {
	seq   uint64    // the last seq seen
	epoch uint64    // the epoch seq belongs to; 0: unknown
	seen  time.Time // the server time of the last event seen; zero before any
}

// Watch is a Watch call of a room whose first response, the room's
// snapshot as the caller's token sees it, was read by Open. Checking that
// a saved token still opens a room and following it take one stream: pass
// it to Follow (FollowConfig.Opened).
type Watch struct {
	stream  grpc.ServerStreamingClient[quizv1.WatchResponse]
	cancel  context.CancelFunc
	first   *quizv1.WatchResponse // the snapshot's response; nil for a call Follow opened
	pending bool                  // first is still to be handled
}

// Open watches room code from its start and reads the first response
// within the client's call timeout. ctx bounds the stream; Close it when
// it goes to no Follow.
func (c *Client) Open(ctx context.Context, code string) (*Watch, error) {
	w, err := c.watch(ctx, code, position{})
	if err != nil {
		return nil, err
	}
	timer := time.AfterFunc(c.timeout, w.cancel)
	resp, err := w.stream.Recv()
	switch {
	case !timer.Stop():
		err = status.Errorf(codes.DeadlineExceeded, "no snapshot of room %s within %s", code, c.timeout)
	case err == nil && resp.GetEvent().GetSnapshot() == nil:
		err = errors.New("the server's first event is not a snapshot")
	}
	if err != nil {
		w.Close()
		return nil, err
	}
	w.first, w.pending = resp, true
	return w, nil
}

// Snapshot is the room as the server showed it first.
func (w *Watch) Snapshot() *quizv1.RoomSnapshot { return w.first.GetEvent().GetSnapshot() }

// Personal is the caller's own part of the snapshot (a player's standing).
func (w *Watch) Personal() *quizv1.Personal { return w.first.GetPersonal() }

// Close ends the call; it may be called more than once.
func (w *Watch) Close() { w.cancel() }

// recv is the next response: the one Open read, then the stream's.
func (w *Watch) recv() (*quizv1.WatchResponse, error) {
	if w.pending {
		w.pending = false
		return w.first, nil
	}
	return w.stream.Recv()
}

// watch calls Watch for room code after pos.
func (c *Client) watch(ctx context.Context, code string, pos position) (*Watch, error) {
	ctx, cancel := context.WithCancel(c.authorize(ctx))
	stream, err := c.API.Watch(ctx, &quizv1.WatchRequest{RoomCode: code, AfterSeq: pos.seq, Epoch: pos.epoch})
	if err != nil {
		cancel()
		return nil, err
	}
	return &Watch{stream: stream, cancel: cancel}, nil
}

// watchOnce follows one Watch call: w, or a new one after pos when w is
// nil. It reports whether any event arrived, and returns nil when the
// server ended the stream with OK.
func (c *Client) watchOnce(ctx context.Context, cfg FollowConfig, pos *position, w *Watch, handle func(Update) bool) (bool, error) {
	if w == nil {
		var err error
		if w, err = c.watch(ctx, cfg.Code, *pos); err != nil {
			return false, err
		}
	}
	defer w.Close()
	got := false
	for {
		resp, err := w.recv()
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		ev := resp.GetEvent()
		now := cfg.Now()
		switch {
		case ev == nil:
			continue
		case ev.GetSnapshot() != nil:
			pos.epoch = ev.GetSnapshot().GetRoom().GetEpoch()
		case ev.GetSeq() <= pos.seq:
			continue // seen before the stream dropped
		case pos.seq > 0 && ev.GetSeq() != pos.seq+1:
			return got, fmt.Errorf("%w: got seq %d after %d", errGap, ev.GetSeq(), pos.seq)
		}
		got = true
		pos.seq = ev.GetSeq()
		pos.seen = now
		if st := ev.GetServerTime(); st != nil {
			pos.seen = st.AsTime()
		}
		if !handle(Update{Event: ev, Personal: resp.GetPersonal(), Received: now}) {
			return got, errStop
		}
	}
}

// retryable reports whether watching again may help.
func retryable(err error) bool {
	if errors.Is(err, errGap) {
		return true
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.ResourceExhausted, codes.Aborted, codes.Internal, codes.Unknown:
		return true
	}
	return false
}

// backoff is the wait before reconnection attempt n (from 1): exponential
// from MinBackoff, capped at MaxBackoff, with ±25% jitter so that many
// clients dropped at once do not come back at once.
func backoff(cfg FollowConfig, n int) time.Duration {
	d := cfg.MinBackoff
	for i := 1; i < n && d < cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, cfg.MaxBackoff)
	return d*3/4 + rand.N(d/2+1)
}
