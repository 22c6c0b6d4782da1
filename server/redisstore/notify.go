package redisstore

import (
	"context"
	"strconv"
	"sync"
	"time"

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
	pending   bool          // being subscribed again elsewhere: not in place
	wake      chan struct{} // closed and replaced on every message and confirmation
	seq       uint64        // the highest seq a message announced
	idleSince time.Time     // when the last waiter left
}

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

// state returns what a waiter needs before it reads the log: the highest
// seq announced, how many times the subscription was confirmed (0 while
// it is not in place), and the channel that closes at the next message or
// confirmation.
func (n *notifier) state(rc *roomChannel) (seq uint64, confirms int, wake <-chan struct{}) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if rc.pending {
		return rc.seq, 0, rc.wake
	}
	return rc.seq, rc.confirms, rc.wake
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
	msgs := c.ps.ChannelWithSubscriptions(redis.WithChannelSize(1024))
	go n.read(addr, c, msgs)
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

// read handles one subscriber's messages until it closes. go-redis
// reconnects a subscriber that fails and subscribes it again to its
// channels: each confirmation then wakes the channel's waiters, which
// read the log again, so nothing published while it was away is missed.
func (n *notifier) read(addr string, c *notifyConn, msgs <-chan any) {
	for m := range msgs {
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
			seq, _ := strconv.ParseUint(m.Payload, 10, 64)
			n.notify(m.Channel, seq, false)
		}
	}
}

// notify wakes the waiters of channel ch.
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
	rc.seq = max(rc.seq, seq)
	close(rc.wake)
	rc.wake = make(chan struct{})
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
