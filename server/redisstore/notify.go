package redisstore

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/quizroom/quizroom/server/room"
	"github.com/redis/go-redis/v9"
)

// The notifier: every script that appends events to a room's log also
// publishes the new seq on a channel named like the log key (PUBLISH, or
// SPUBLISH on a Cluster, where the channel's hash tag keeps it on the
// room's shard). Each Store subscribes on one connection (one per master
// on a Cluster) to the channels of the rooms it waits on, whatever their
// number, and a waiting room reads its log (XRANGE) when its channel
// says there is news. Wakeups are never lost: a waiter reads the log
// after its channel's subscription is confirmed, and every confirmation,
// the first and those after a reconnect, wakes the channel's waiters to
// read again.

// keepSubscribed is how long a channel nobody waits on stays subscribed,
// so that a room's reader, which waits again right after each event, does
// not unsubscribe and subscribe for every event.
const keepSubscribed = 30 * time.Second

// notifier follows the channels of the rooms this Store waits on.
type notifier struct {
	s       *Store
	mu      sync.Mutex
	rooms   map[string]*roomChannel // channel → its waiters
	conns   map[string]*notifyConn  // node address ("" on one server) → its subscriber
	closed  bool
	done    chan struct{} // closed by close: ends the janitor
	janitor sync.Once
}

// roomChannel is one room's channel on this Store.
type roomChannel struct {
	conn      *notifyConn
	waiters   int
	confirms  int           // confirmations of the subscription so far (0: not in place yet)
	pending   bool          // being subscribed again: not in place
	fails     int           // failures of its subscriber so far
	err       error         // the last failure
	wake      chan struct{} // closed and replaced on every message, confirmation and failure
	known     uint64        // a seq the log has reached, from messages and reads
	pings     int           // pings (work pending, no event) so far
	said      pingKinds     // of those, the pings that said roster changes or answers pend, or neither
	readAt    int           // the confirmation after which the log was last read here
	idleSince time.Time     // when the last waiter left
	posted    []posted      // the events the messages carried since the last read, in order, at most maxPosted
}

// posted is an event as a message announced it: its seq and its JSON.
type posted struct {
	seq uint64
	raw string
}

// maxPosted is how many announced events a channel keeps for its next
// read: a reader further behind reads the log.
const maxPosted = 64

// notifyConn is one subscriber connection and the goroutine reading it.
type notifyConn struct {
	ps      *redis.PubSub
	sharded bool
}

func newNotifier(s *Store) *notifier {
	return &notifier{s: s, rooms: map[string]*roomChannel{}, conns: map[string]*notifyConn{}, done: make(chan struct{})}
}

// join registers a waiter on channel ch and subscribes to it if needed. It
// returns the channel's state; call leave when done.
func (n *notifier) join(ctx context.Context, ch string) (*roomChannel, error) {
	n.janitor.Do(func() { go n.sweep() })
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil, redis.ErrClosed
	}
	rc := n.rooms[ch]
	if rc == nil {
		conn, err := n.connFor(ctx, ch)
		if err != nil {
			return nil, err
		}
		rc = &roomChannel{conn: conn, wake: make(chan struct{})}
		n.rooms[ch] = rc
		if err := conn.subscribe(ctx, ch); err != nil {
			delete(n.rooms, ch)
			return nil, err
		}
	}
	rc.waiters++
	return rc, nil
}

// leave unregisters a waiter; the channel stays subscribed a while.
func (n *notifier) leave(rc *roomChannel) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if rc.waiters--; rc.waiters == 0 {
		rc.idleSince = time.Now()
	}
}

// state returns what a waiter needs before it reads the log: a seq the log
// is known to have reached, whether it must read the log whole (the
// subscription was confirmed and nobody here read since), and the channel
// that closes at the next message, confirmation or failure. ok is false
// while the subscription is not in place.
func (n *notifier) state(rc *roomChannel) (known uint64, confirm int, ok bool, wake <-chan struct{}) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if rc.pending || rc.confirms == 0 {
		return rc.known, 0, false, rc.wake
	}
	if rc.readAt != rc.confirms {
		confirm = rc.confirms
	}
	return rc.known, confirm, true, rc.wake
}

// read records a read of the log after confirmation confirm (0: none in
// particular) that found the log at seq at least and returned the events
// through through; the events announced up to that one are no longer kept.
func (n *notifier) read(rc *roomChannel, confirm int, seq, through uint64) {
	n.mu.Lock()
	defer n.mu.Unlock()
	rc.readAt = max(rc.readAt, confirm)
	rc.known = max(rc.known, seq)
	i := 0
	for i < len(rc.posted) && rc.posted[i].seq <= through {
		i++
	}
	rc.posted = append(rc.posted[:0], rc.posted[i:]...)
}

// announced returns the events after after, up to max of them, as the
// channel's messages carried them, when they hold every event from after+1
// to the last the channel announced (or max of them): then the log need
// not be read. ok is false when a message was missed or not kept.
func (n *notifier) announced(rc *roomChannel, after uint64, max int) (evs []posted, ok bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	next := after + 1
	for _, p := range rc.posted {
		if p.seq < next {
			continue
		}
		if p.seq != next || len(evs) == max {
			break
		}
		evs = append(evs, p)
		next++
	}
	if len(evs) == 0 || next <= rc.known && len(evs) < max {
		return nil, false
	}
	return evs, true
}

// connFor returns the subscriber for channel ch: the one connection on a
// single server or Sentinel, the connection to ch's master on a Cluster.
// n.mu is held.
func (n *notifier) connFor(ctx context.Context, ch string) (*notifyConn, error) {
	addr := ""
	var client redis.UniversalClient = n.s.client
	if cc, ok := n.s.client.(*redis.ClusterClient); ok {
		m, err := cc.MasterForKey(ctx, ch)
		if err != nil {
			return nil, err
		}
		addr, client = m.Options().Addr, m
	}
	if c := n.conns[addr]; c != nil {
		return c, nil
	}
	c := &notifyConn{sharded: n.s.sharded}
	if c.sharded {
		c.ps = client.SSubscribe(ctx)
	} else {
		c.ps = client.Subscribe(ctx)
	}
	n.conns[addr] = c
	go n.receive(addr, c)
	return c, nil
}

func (c *notifyConn) subscribe(ctx context.Context, ch string) error {
	if c.sharded {
		return c.ps.SSubscribe(ctx, ch)
	}
	return c.ps.Subscribe(ctx, ch)
}

func (c *notifyConn) unsubscribe(ctx context.Context, ch string) error {
	if c.sharded {
		return c.ps.SUnsubscribe(ctx, ch)
	}
	return c.ps.Unsubscribe(ctx, ch)
}

// pingEvery is how long a subscriber may hear nothing before it pings
// Redis; a ping unanswered as long again fails its waiters.
const pingEvery = 5 * time.Second

// receive handles one subscriber's messages until it closes. When its
// connection fails, the waiters of its channels fail too (ErrUnavailable:
// their watchers reconnect with after_seq), and
// go-redis reconnects it and subscribes it again to its channels: each
// confirmation then wakes the channel's waiters, which read the log again,
// so nothing published while it was away is missed.
func (n *notifier) receive(addr string, c *notifyConn) {
	ctx := context.Background()
	pinged := false
	for {
		m, err := c.ps.ReceiveTimeout(ctx, pingEvery)
		var ne net.Error
		switch {
		case errors.Is(err, redis.ErrClosed):
			return
		case errors.As(err, &ne) && ne.Timeout() && !pinged:
			pinged = true
			_ = c.ps.Ping(ctx)
			continue
		case err != nil:
			n.fail(c, err)
			select {
			case <-n.done:
				return
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		pinged = false
		switch m := m.(type) {
		case *redis.Subscription:
			switch m.Kind {
			case "subscribe", "ssubscribe":
				n.notify(m.Channel, 0, true)
			case "sunsubscribe":
				// A Cluster moved the slot away: follow it to its new master.
				n.moved(addr, c, m.Channel)
			}
		case *redis.Message:
			if p, ok := strings.CutPrefix(m.Payload, "p"); ok {
				n.ping(m.Channel, p)
				continue
			}
			// "<seq> <event>"; an older version's message is the seq alone.
			seqText, raw, _ := strings.Cut(m.Payload, " ")
			seq, _ := strconv.ParseUint(seqText, 10, 64)
			n.post(m.Channel, seq, raw)
		}
	}
}

// fail fails the waiters of every channel of subscriber c: their
// subscription is no longer in place.
func (n *notifier) fail(c *notifyConn, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, rc := range n.rooms {
		if rc.conn == c {
			rc.pending, rc.fails, rc.err = true, rc.fails+1, err
			close(rc.wake)
			rc.wake = make(chan struct{})
		}
	}
}

// failure returns how many times the channel's subscriber failed, and the
// last failure.
func (n *notifier) failure(rc *roomChannel) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	return rc.fails, rc.err
}

// notify wakes the waiters of channel ch after a message announcing seq,
// or a confirmation.
func (n *notifier) notify(ch string, seq uint64, confirm bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	rc := n.rooms[ch]
	if rc == nil {
		return
	}
	if confirm {
		rc.confirms++
		rc.pending = false
	}
	rc.known = max(rc.known, seq)
	close(rc.wake)
	rc.wake = make(chan struct{})
}

// post wakes the waiters of channel ch after a message announcing the
// event seq, and keeps the event (raw, its JSON; "" when the message did
// not carry it) for the next read.
func (n *notifier) post(ch string, seq uint64, raw string) {
	n.mu.Lock()
	if rc := n.rooms[ch]; rc != nil && raw != "" {
		if len(rc.posted) == maxPosted {
			rc.posted = append(rc.posted[:0], rc.posted[1:]...)
		}
		rc.posted = append(rc.posted, posted{seq: seq, raw: raw})
	}
	n.mu.Unlock()
	n.notify(ch, seq, false)
}

// pingKinds counts pings by what they said pends.
type pingKinds struct{ roster, answers, blind int }

// ping wakes the waiters of channel ch after a ping (see prelude.lua):
// work pending at a seq, no new event. A ping is "p", the seq, and what
// pends: "r" roster changes, "a" answers; an older version's says
// neither.
func (n *notifier) ping(ch, ping string) {
	flags := strings.TrimLeft(ping, "0123456789")
	s, _ := strconv.ParseUint(ping[:len(ping)-len(flags)], 10, 64)
	n.mu.Lock()
	if rc := n.rooms[ch]; rc != nil {
		rc.pings++
		if strings.Contains(flags, "r") {
			rc.said.roster++
		}
		if strings.Contains(flags, "a") {
			rc.said.answers++
		}
		if flags == "" {
			rc.said.blind++
		}
	}
	n.mu.Unlock()
	n.notify(ch, s, false)
}

// moved subscribes a channel its shard dropped again, on whichever master
// holds its slot now, unless this Store no longer follows it.
func (n *notifier) moved(addr string, from *notifyConn, ch string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n.mu.Lock()
	defer n.mu.Unlock()
	rc := n.rooms[ch]
	if rc == nil || rc.conn != from || n.closed {
		return
	}
	if n.conns[addr] == from {
		delete(n.conns, addr) // the next lookup finds the slot's master again
	}
	conn, err := n.connFor(ctx, ch)
	if err == nil {
		err = conn.subscribe(ctx, ch)
	}
	if err != nil {
		delete(n.rooms, ch) // its waiters time out and join again
		close(rc.wake)
		rc.wake = make(chan struct{})
		return
	}
	rc.conn, rc.pending = conn, true
}

// sweep unsubscribes channels nobody waited on for keepSubscribed.
func (n *notifier) sweep() {
	t := time.NewTicker(keepSubscribed / 2)
	defer t.Stop()
	for {
		select {
		case <-n.done:
			return
		case <-t.C:
		}
		// Under n.mu, so that a join cannot subscribe the channel again
		// before the unsubscription is sent.
		n.mu.Lock()
		for ch, rc := range n.rooms {
			if rc.waiters == 0 && time.Since(rc.idleSince) >= keepSubscribed {
				delete(n.rooms, ch)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_ = rc.conn.unsubscribe(ctx, ch) // a failure reconnects, without it
				cancel()
			}
		}
		n.mu.Unlock()
	}
}

// close closes every subscriber.
func (n *notifier) close() error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return nil
	}
	n.closed = true
	close(n.done)
	conns := n.conns
	n.conns = nil
	n.mu.Unlock()
	var first error
	for _, c := range conns {
		if err := c.ps.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Follow subscribes to the room's channel (see room.Store): its events'
// messages and the pings of the scripts that leave work pending.
func (s *Store) Follow(ctx context.Context, code string) (room.Notices, error) {
	rc, err := s.notes.join(ctx, s.key(code, keyLog))
	if err != nil {
		return nil, fail(err)
	}
	f := &follower{n: s.notes, rc: rc}
	s.notes.mu.Lock()
	f.pings, f.confirms, f.fails, f.said = rc.pings, rc.confirms, rc.fails, rc.said
	s.notes.mu.Unlock()
	return f, nil
}

// follower is one Follow's subscription.
type follower struct {
	n                      *notifier
	rc                     *roomChannel
	close                  sync.Once
	pings, confirms, fails int       // the channel's, when Pending last reported
	said                   pingKinds // likewise
}

// Next returns the channel that closes at the next message, confirmation
// or failure of the room's channel.
func (f *follower) Next() <-chan struct{} {
	f.n.mu.Lock()
	defer f.n.mu.Unlock()
	return f.rc.wake
}

// Pending reports what the pings since it last reported said pends, and
// whether messages may have been missed: the subscription was confirmed
// again or failed, or a ping did not say.
func (f *follower) Pending() (roster, answers, missed bool) {
	f.n.mu.Lock()
	defer f.n.mu.Unlock()
	rc := f.rc
	roster, answers = rc.said.roster != f.said.roster, rc.said.answers != f.said.answers
	missed = rc.confirms != f.confirms || rc.fails != f.fails || rc.said.blind != f.said.blind
	f.pings, f.confirms, f.fails, f.said = rc.pings, rc.confirms, rc.fails, rc.said
	return roster, answers, missed
}

// News reports whether a message announced an event past seq, or, since
// Pending last reported, a ping came or the subscription was confirmed
// again or failed (messages may have been missed).
func (f *follower) News(seq uint64) bool {
	f.n.mu.Lock()
	defer f.n.mu.Unlock()
	rc := f.rc
	return rc.known > seq || rc.pings != f.pings || rc.confirms != f.confirms || rc.fails != f.fails
}

// Close leaves the room's channel.
func (f *follower) Close() { f.close.Do(func() { f.n.leave(f.rc) }) }
